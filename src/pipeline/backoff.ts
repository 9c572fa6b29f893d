/** The longest backoff after failures (24 h plus its jitter). */
export const MAX_BACKOFF_MS = 24 * 3_600_000 * 1.1;

/** The longest a server may hold a source back with Retry-After; beyond it the value is capped. */
export const MAX_RETRY_AFTER_MS = 7 * 86_400_000;

/** A tick that lands this close before a hold ends polls: clock drift and jitter must not cost a whole interval. */
export const HOLD_SLACK_MS = 30_000;

/**
 * Whether a stored hold still keeps a source back at `now`. Holds written by a clock that ran ahead and has since
 * been corrected are ignored — the last poll lies in the future, or the hold is longer than `longestMs`, which no
 * hold warta sets can be — or the source would sit out until the wrong time came round again. The refresh
 * (whySkip) and the admin's view of the next poll (daemon/next-poll.ts) both decide by this.
 */
export function holdsAt(until: Date | null, now: Date, lastPoll: Date | null, longestMs: number): until is Date {
  const t = now.getTime();
  if (lastPoll !== null && lastPoll.getTime() > t + HOLD_SLACK_MS) return false;
  return until !== null && until.getTime() > t + HOLD_SLACK_MS && until.getTime() <= t + longestMs + HOLD_SLACK_MS;
}

/** When a failing source may be polled again: 15 min doubling per consecutive failure, up to 24 h, ±10 % jitter. */
export function backoffUntil(now: Date, consecutiveFailures: number, retryAfter: Date | null, random: () => number): Date {
  const base = 15 * 60_000 * 2 ** Math.min(Math.max(consecutiveFailures - 1, 0), 10);
  const capped = Math.min(base, 24 * 3_600_000);
  const jittered = capped * (0.9 + 0.2 * random());
  const until = now.getTime() + jittered;
  // A server's own Retry-After wins when it asks for longer.
  return new Date(Math.max(until, retryAfter?.getTime() ?? 0));
}

/** The longest hold backoffUntil gives after `consecutiveFailures` (jitter included): a longer hold came from a Retry-After. */
export function backoffCeilingMs(consecutiveFailures: number): number {
  return Math.min(15 * 60_000 * 2 ** Math.min(Math.max(consecutiveFailures - 1, 0), 10), 24 * 3_600_000) * 1.1;
}
