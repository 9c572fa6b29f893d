/**
 * Why a source's next poll is where it is: the cron schedule, or a hold that moved it later. The rules mirror
 * the refresh's own (both decide by pipeline/backoff.ts holdsAt): a tick is skipped while a hold has more than HOLD_SLACK_MS
 * left, and holds a clock that ran ahead wrote (the last poll lies in the future, or a hold longer than warta
 * ever sets) are ignored.
 */
import { backoffCeilingMs, HOLD_SLACK_MS, holdsAt, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS } from '../pipeline/backoff.js';

/**
 * What decides a source's next poll. `schedule`: its cron tick. `feed_hint`: the feed's ttl / sy:updatePeriod /
 * skipHours or the response's Cache-Control / Expires. `min_interval`: fetch.min_interval since the last
 * success. `backoff`: failures in a row. `retry_after`: the server's Retry-After on this source. `host_paused`:
 * its host answered another source with Retry-After. `gone`: HTTP 410, not polled again.
 */
export type NextPollReason = 'schedule' | 'feed_hint' | 'min_interval' | 'backoff' | 'retry_after' | 'host_paused' | 'gone';

/** What the source's row says about holds (store SourceRow fields). */
export interface PollState {
  state: string;
  lastPoll: Date | null;
  lastSuccess: Date | null;
  consecutiveFailures: number;
  heldUntil: Date | null;
  hintUntil: Date | null;
}

/** The next poll, what moved it, and until when (null when the schedule alone decides). */
export interface NextPoll {
  at: Date | null;
  reason: NextPollReason;
  delayedUntil: Date | null;
}

/**
 * The next poll of a source: the first tick (`tickAt(notBefore)`) that no hold skips. `hostPausedUntil` is the
 * running daemon's pause of the source's host (null from the CLI, which cannot see it).
 */
export function explainNextPoll(
  row: PollState | undefined,
  now: Date,
  tickAt: (notBefore: Date) => Date | null,
  limits: { minIntervalMs: number; maxIntervalMs: number; hostPausedUntil?: Date | null },
): NextPoll {
  if (row?.state === 'gone') return { at: null, reason: 'gone', delayedUntil: null };
  const scheduled = tickAt(now);
  const holds = row ? activeHolds(row, now, limits) : [];
  if (limits.hostPausedUntil && limits.hostPausedUntil > now) holds.push({ reason: 'host_paused', until: limits.hostPausedUntil, slack: 0 });
  if (holds.length === 0) return { at: scheduled, reason: 'schedule', delayedUntil: null };
  // The hold that ends last decides; a tick within its slack still polls.
  const binding = holds.reduce((a, b) => (b.until.getTime() - b.slack > a.until.getTime() - a.slack ? b : a));
  const at = tickAt(new Date(Math.max(now.getTime(), binding.until.getTime() - binding.slack)));
  if (at?.getTime() === scheduled?.getTime()) return { at, reason: 'schedule', delayedUntil: null };
  return { at, reason: binding.reason, delayedUntil: binding.until };
}

function activeHolds(row: PollState, now: Date, limits: { minIntervalMs: number; maxIntervalMs: number }) {
  const holds: { reason: NextPollReason; until: Date; slack: number }[] = [];
  const valid = (until: Date | null, longest: number): until is Date => holdsAt(until, now, row.lastPoll, longest);
  if (valid(row.heldUntil, Math.max(MAX_RETRY_AFTER_MS, MAX_BACKOFF_MS))) {
    // backoffUntil takes the later of its own backoff and the server's Retry-After.
    const fromRetryAfter = row.lastPoll !== null && row.heldUntil.getTime() - row.lastPoll.getTime() > backoffCeilingMs(row.consecutiveFailures);
    holds.push({ reason: fromRetryAfter ? 'retry_after' : 'backoff', until: row.heldUntil, slack: HOLD_SLACK_MS });
  }
  if (valid(row.hintUntil, limits.maxIntervalMs)) {
    // The hint is set at a success as that time plus max(hints, min_interval).
    const widened = row.lastSuccess === null || row.hintUntil.getTime() - row.lastSuccess.getTime() > limits.minIntervalMs + 1000;
    holds.push({ reason: widened ? 'feed_hint' : 'min_interval', until: row.hintUntil, slack: HOLD_SLACK_MS });
  }
  return holds;
}
