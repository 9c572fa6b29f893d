/**
 * Clock jumps. backoff.ts and hints.ts take `now`; their answers must stay within the documented bounds for any
 * instant. And since what they answer is stored (held_until, hint_until) and compared with a later `now`, a clock
 * that jumps back must not leave a source held for longer than any bound: a refresh sequence with arbitrary jumps
 * is run through the real refreshSource on an in-memory store.
 */
import fc from 'fast-check';
import { pino } from 'pino';
import type { Classifier } from '../../src/tagging/classify.js';
import { sqliteStore } from '../helpers/store.js';
import { WartaError } from '../../src/base/errors.js';
import { backoffUntil } from '../../src/pipeline/backoff.js';
import type { FetchResult } from '../../src/pipeline/fetch/fetch.js';
import { nextAllowedPoll } from '../../src/pipeline/hints.js';
import { ingestDocument } from '../../src/pipeline/feed/ingest.js';
import { refreshSource, type RefreshDeps } from '../../src/pipeline/refresh.js';
import type { CheckOptions, CheckResult } from './lib.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// Instants a real clock may show, wrong ones included (a board booting at the epoch, a VM far ahead).
const instant = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });
/** The longest backoff (24 h) with its +10 % jitter. */
export const MAX_BACKOFF_MS = 24 * HOUR * 1.1;

const valid = (d: Date) => d instanceof Date && !Number.isNaN(d.getTime());

/** backoffUntil: from now + 13.5 min (15 min − 10 %) to now + 26.4 h, or a later Retry-After. */
export const backoffBounds = fc.property(
  instant,
  fc.integer({ min: 0, max: 1_000_000_000 }),
  fc.option(instant, { nil: null }),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  (now, failures, retryAfter, r) => {
    const until = backoffUntil(now, failures, retryAfter, () => r);
    const lo = now.getTime() + 15 * MIN * 0.9;
    const hi = Math.max(now.getTime() + MAX_BACKOFF_MS, retryAfter?.getTime() ?? 0);
    return valid(until) && until.getTime() >= lo && until.getTime() <= hi;
  },
);

/** nextAllowedPoll: within [now + min_interval, now + max_interval] whatever the hints say. */
export const nextPollBounds = fc.property(
  instant,
  fc.record({
    feedMs: fc.option(fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(Infinity)), { nil: null }),
    cacheMs: fc.option(fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(Infinity)), { nil: null }),
    skipHours: fc.array(fc.integer({ min: 0, max: 23 }), { maxLength: 30 }),
    skipDays: fc.array(fc.constantFrom('Monday', 'tuesday', ' Sunday ', 'SATURDAY', 'friday', 'Wednesday', 'thursday', 'noday'), { maxLength: 10 }),
  }),
  fc.integer({ min: 0, max: 7 * DAY }),
  fc.integer({ min: 0, max: 30 * DAY }),
  (now, hints, minMs, extra) => {
    const maxMs = minMs + extra;
    const t = nextAllowedPoll(now, hints, { minMs, maxMs });
    return valid(t) && t.getTime() >= now.getTime() + minMs && t.getTime() <= now.getTime() + maxMs;
  },
);

function memoryDeps(clock: { now: Date }, fetch: () => FetchResult): RefreshDeps {
  const classifier: Classifier = { classify: () => ({ tags: [], outputs: [] }), decide: () => ({ tags: new Set(), outputs: new Set() }), spec: {} as Classifier['spec'], fingerprint: 'clock' };
  return {
    store: sqliteStore(':memory:').store,
    fetch: async () => fetch(),
    ingest: ingestDocument,
    classifier: () => classifier,
    policy: { minIntervalMs: 5 * MIN, maxIntervalMs: DAY, redirectPersistAfter: 3 },
    now: () => clock.now,
    random: Math.random,
    log: pino({ level: 'silent' }),
  };
}

let docs = 0;
const okFeed = (url: string): FetchResult => ({
  kind: 'ok', status: 200, url, redirects: [], contentType: 'application/rss+xml', etag: null, lastModified: null, cacheMs: null,
  body: Buffer.from(`<rss version="2.0"><channel><title>c</title><ttl>600</ttl><item><guid>${++docs}</guid><title>t</title></item></channel></rss>`),
});
const failure = (url: string): FetchResult => ({ kind: 'error', status: 500, url, redirects: [], error: new WartaError('http_500', 'HTTP 500'), retryAfter: null });

/**
 * Polls at instants that jump back and forth: whenever a cron tick is skipped, the hold must end within the
 * longest backoff (failures) or max_interval (hints) of the clock as it reads now.
 */
export const jumpsBounded = fc.asyncProperty(
  instant,
  fc.array(fc.record({ jumpMs: fc.integer({ min: -5 * 365 * DAY, max: 2 * DAY }), fails: fc.boolean() }), { minLength: 1, maxLength: 12 }),
  async (start, steps) => {
    const clock = { now: start };
    let next: 'ok' | 'fail' = 'ok';
    const url = 'http://127.0.0.1:9/feed.xml';
    const deps = memoryDeps(clock, () => (next === 'ok' ? okFeed(url) : failure(url)));
    try {
      for (const s of steps) {
        next = s.fails ? 'fail' : 'ok';
        const t = Math.min(Math.max(clock.now.getTime() + s.jumpMs, 0), Date.parse('2200-01-01'));
        clock.now = new Date(t);
        const o = await refreshSource(deps, { id: 's', url });
        if (o.result !== 'skipped' || !o.skipped?.until) continue;
        const ahead = o.skipped.until.getTime() - clock.now.getTime();
        const bound = o.skipped.reason === 'hint' ? DAY : MAX_BACKOFF_MS;
        if (ahead > bound) throw new Error(`skipped (${o.skipped.reason}) until ${o.skipped.until.toISOString()}, ${(ahead / DAY).toFixed(1)} days after the clock's ${clock.now.toISOString()}`);
      }
      return true;
    } finally {
      await deps.store.close();
    }
  },
);

/** The clock checks as one reliability result. */
export async function checkClockJumps(opts: CheckOptions): Promise<CheckResult> {
  const runs = opts.short ? 300 : 3000;
  const figures: CheckResult['figures'] = {};
  const details: string[] = [];
  for (const [name, prop] of [['backoff bounds', backoffBounds], ['next-poll bounds', nextPollBounds], ['clock jumps back', jumpsBounded]] as const) {
    const r = await fc.check(prop as fc.IAsyncProperty<unknown[]>, { numRuns: name === 'clock jumps back' ? Math.round(runs / 3) : runs, seed: 42 });
    figures[name] = r.failed ? `FAILED after ${r.numRuns} runs` : `${r.numRuns} runs ok`;
    if (r.failed) details.push(`${name}: ${fc.defaultReportMessage(r)?.split('\n').slice(0, 6).join(' | ')}`);
  }
  return { name: 'faults/clock', ok: details.length === 0, figures, details };
}
