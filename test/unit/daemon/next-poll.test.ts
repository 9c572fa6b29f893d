import { expect } from 'chai';
import { explainNextPoll, type PollState } from '../../../src/daemon/next-poll.js';

const now = new Date('2026-12-02T04:20:00Z');
const at = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00Z`);
// A source on `*/15 * * * *`: the first quarter hour at or after a time.
const quarterHours = (t: Date) => new Date(Math.ceil(t.getTime() / 900_000) * 900_000);
// A source on `*/2 * * * *`.
const evenMinutes = (t: Date) => new Date(Math.ceil(t.getTime() / 120_000) * 120_000);
const limits = { minIntervalMs: 5 * 60_000, maxIntervalMs: 24 * 3_600_000 };
const healthy: PollState = { state: 'ok', lastPoll: at('04:15'), lastSuccess: at('04:15'), consecutiveFailures: 0, heldUntil: null, hintUntil: at('04:20') };

describe('daemon/explainNextPoll: what moved a source\'s next poll', () => {
  const cases: { name: string; row: PollState | undefined; pause?: Date; tick?: (t: Date) => Date; expect: { at: string | null; reason: string; delayedUntil: string | null } }[] = [
    { name: 'never polled: the schedule', row: undefined, expect: { at: '04:30', reason: 'schedule', delayedUntil: null } },
    { name: 'a hint that ends before the next tick changes nothing', row: healthy, expect: { at: '04:30', reason: 'schedule', delayedUntil: null } },
    { name: 'RSS <ttl>60 skips ticks until an hour after the last success', row: { ...healthy, hintUntil: at('05:15') }, expect: { at: '05:15', reason: 'feed_hint', delayedUntil: '05:15' } },
    { name: 'a hint ending 20 s after a tick: the tick polls (30 s slack, as the refresh)', row: { ...healthy, hintUntil: new Date('2026-12-02T04:45:20Z') }, expect: { at: '04:45', reason: 'feed_hint', delayedUntil: '04:45:20' } },
    { name: 'fetch.min_interval (5 min) shorter than the schedule changes nothing', row: { ...healthy, lastPoll: at('04:19'), lastSuccess: at('04:19'), hintUntil: at('04:24') }, expect: { at: '04:30', reason: 'schedule', delayedUntil: null } },
    { name: 'fetch.min_interval (5 min) on a 2-minute schedule', row: { ...healthy, lastPoll: at('04:19'), lastSuccess: at('04:19'), hintUntil: at('04:24') }, tick: evenMinutes, expect: { at: '04:24', reason: 'min_interval', delayedUntil: '04:24' } },
    { name: 'backoff after 3 failures (1 h)', row: { ...healthy, state: 'failing', lastSuccess: null, consecutiveFailures: 3, heldUntil: at('05:13'), hintUntil: null }, expect: { at: '05:15', reason: 'backoff', delayedUntil: '05:13' } },
    { name: 'a Retry-After longer than the backoff', row: { ...healthy, state: 'degraded', consecutiveFailures: 1, heldUntil: at('06:15'), hintUntil: null }, expect: { at: '06:15', reason: 'retry_after', delayedUntil: '06:15' } },
    { name: 'the later of a backoff and an older hint decides', row: { ...healthy, state: 'degraded', lastPoll: at('04:18'), consecutiveFailures: 1, heldUntil: at('04:33'), hintUntil: at('05:15') }, expect: { at: '05:15', reason: 'feed_hint', delayedUntil: '05:15' } },
    { name: 'its host paused by another source\'s Retry-After', row: healthy, pause: at('04:32'), expect: { at: '04:45', reason: 'host_paused', delayedUntil: '04:32' } },
    { name: 'gone: never polled again', row: { ...healthy, state: 'gone', heldUntil: at('05:00') }, expect: { at: null, reason: 'gone', delayedUntil: null } },
    { name: 'a hold written by a clock that ran ahead is ignored', row: { ...healthy, lastPoll: at('09:00'), heldUntil: at('10:00') }, expect: { at: '04:30', reason: 'schedule', delayedUntil: null } },
    { name: 'a hold longer than warta sets (clock jumped back) is ignored', row: { ...healthy, hintUntil: new Date('2026-12-05T00:00:00Z') }, expect: { at: '04:30', reason: 'schedule', delayedUntil: null } },
  ];
  const iso = (s: string | null) => (s === null ? null : new Date(`2026-12-02T${s.length === 5 ? `${s}:00` : s}Z`).toISOString());
  for (const c of cases) {
    it(c.name, () => {
      const r = explainNextPoll(c.row, now, c.tick ?? quarterHours, { ...limits, hostPausedUntil: c.pause ?? null });
      expect({ at: r.at?.toISOString() ?? null, reason: r.reason, delayedUntil: r.delayedUntil?.toISOString() ?? null }).to.deep.equal({ at: iso(c.expect.at), reason: c.expect.reason, delayedUntil: iso(c.expect.delayedUntil) });
    });
  }
});
