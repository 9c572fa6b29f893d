import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Claims } from './claims.js';
import type { HostGate } from './host-gate.js';
import type { RefreshOptions, RefreshOutcome } from '../pipeline/refresh.js';

/** A source as the scheduler sees it. */
export interface ScheduledSource {
  id: string;
  url: string;
  schedule: string;
}

/** What the scheduler drives. */
export interface SchedulerDeps {
  refresh: (source: ScheduledSource, opts: RefreshOptions) => Promise<RefreshOutcome>;
  gate: HostGate;
  log: Logger;
  timezone: string;
  /** Cron ticks are spread over this many ms so hosts are not all hit in the same second. */
  jitterMs: number;
  /** Called after every refresh (metrics). */
  onOutcome?: (source: ScheduledSource, outcome: RefreshOutcome, why: string) => void;
  /** Several daemons on one database: poll only the sources this daemon claims (absent: one daemon, poll all). */
  claims?: Claims;
  /** Sources claimed at once by the start-up poll on a shared database (default 16). */
  startupBatch?: number;
}

/** Why a source is polled: its cron tick, the start-up poll, a source a reload added, or one taken over from a dead daemon. */
type Why = 'cron' | 'startup' | 'added' | 'takeover';

/**
 * Polls each source on its cron schedule through the host gate (per-domain and global limits). A source is never
 * refreshed twice at once: a tick that finds it queued or running is dropped. The start-up poll runs at once,
 * without jitter, and ignores feed hints (a conditional request is cheap); cron ticks honour them.
 */
export function makeScheduler(deps: SchedulerDeps) {
  const abort = new AbortController();
  const busy = new Set<string>();
  const running = new Set<Promise<void>>();
  let tasks = new Map<string, ScheduledTask>();
  let current = new Map<string, ScheduledSource>();
  let startup: Promise<void> = Promise.resolve();
  // Each source's next tick, computed once until it passes: node-cron works it out afresh on every call
  // (timezone arithmetic), and GET /api/sources asks for all of them (1,000 sources: ~1 s per request).
  const nextTicks = new Map<string, Date>();
  let timezone = deps.timezone;

  /**
   * The start-up poll on a shared database: claimed a few at a time (one statement each), more only as polls
   * end, so at most `startupBatch` are claimed and not yet polled here: daemons started together share the
   * sources instead of the first one claiming them all. Sources another daemon holds are passed over at once.
   */
  async function claimStartup(claims: Claims, list: readonly ScheduledSource[]): Promise<void> {
    const size = deps.startupBatch ?? 16;
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < list.length && !abort.signal.aborted; ) {
      while (inFlight.size >= size) await Promise.race(inFlight);
      const batch = list.slice(i, i + size - inFlight.size);
      i += batch.length;
      const granted = new Set(await claims.take(batch.map((s) => s.id), 'startup'));
      for (const s of batch) {
        const job = granted.has(s.id) ? enqueue(s, 'startup', undefined, true) : undefined;
        if (job) {
          const tracked = job.finally(() => inFlight.delete(tracked));
          inFlight.add(tracked);
        }
      }
    }
  }

  function enqueue(source: ScheduledSource, why: Why, tick?: Date, claimed = false): Promise<void> | undefined {
    if (busy.has(source.id) || abort.signal.aborted) {
      if (claimed) void deps.claims?.release([source.id]);
      return undefined;
    }
    busy.add(source.id);
    const claims = deps.claims;
    const job = (claims ? pollClaimed(claims, source, why, tick, claimed) : poll(source, why, tick)).finally(() => {
      busy.delete(source.id);
      running.delete(job);
    });
    running.add(job);
    return job;
  }

  function poll(source: ScheduledSource, why: Why, tick?: Date): Promise<void> {
    return deps.gate
      .run(source.url, () => deps.refresh(source, { ignoreHints: why !== 'cron', signal: abort.signal }))
      .then((outcome) => {
        if (outcome.retryAfter) deps.gate.pause(source.url, outcome.retryAfter);
        const { sourceId, ...rest } = outcome;
        const level = outcome.result === 'failed' ? 'warn' : 'info';
        deps.log[level]({ source: sourceId, why, ...(tick && { tick: tick.toISOString() }), ...rest, url: outcome.url ?? source.url }, `refresh ${outcome.result}`);
        deps.onOutcome?.(source, outcome, why);
      })
      .catch((err: unknown) => deps.log.error({ source: source.id, err }, 'refresh crashed'));
  }

  /** Polls `source` if this daemon holds or gets its claim (another daemon polls it otherwise), then releases it. */
  async function pollClaimed(claims: Claims, source: ScheduledSource, why: Why, tick: Date | undefined, claimed: boolean): Promise<void> {
    if (!claimed && (await claims.take([source.id], why === 'takeover' ? 'startup' : why, tick)).length === 0) {
      deps.log.debug({ source: source.id, why }, 'another daemon polls this source');
      return;
    }
    try {
      await poll(source, why, tick);
    } finally {
      await claims.release([source.id]);
    }
  }

  function schedule(list: readonly ScheduledSource[]): void {
    current = new Map(list.map((s) => [s.id, s]));
    for (const t of tasks.values()) void t.destroy();
    nextTicks.clear();
    tasks = new Map(
      list.map((s) => [
        s.id,
        // The tick's own time (before jitter) names it for the claims: every daemon firing it asks for the same one.
        cron.schedule(s.schedule, (ctx) => enqueue(s, 'cron', new Date(Math.floor(ctx.date.getTime() / 1000) * 1000)), // unref: a tick's jitter timer must not keep a stopping process alive (destroy() does not clear it).
        { timezone, name: `source:${s.id}`, maxRandomDelay: deps.jitterMs, unref: true }),
      ]),
    );
  }

  return {
    /** Schedules every source and polls each once now (the refresh itself skips gone and held-back sources). */
    async start(list: readonly ScheduledSource[]): Promise<void> {
      schedule(list);
      if (!deps.claims) {
        for (const s of list) enqueue(s, 'startup');
        return;
      }
      startup = claimStartup(deps.claims, list);
    },
    /** Polls sources this daemon took over from a dead daemon (it holds their claims already). */
    takeOver(ids: readonly string[]): void {
      for (const id of ids) {
        const source = current.get(id);
        if (source) enqueue(source, 'takeover', undefined, true);
        // Not ours to poll (no longer configured here): let the claim go.
        else void deps.claims?.release([id]);
      }
    },
    /** Replaces the schedule (after a config reload); refreshes already running finish; new sources poll now. */
    reschedule(list: readonly ScheduledSource[], zone: string): void {
      const known = new Set(tasks.keys());
      timezone = zone;
      schedule(list);
      for (const s of list) if (!known.has(s.id)) enqueue(s, 'added');
    },
    /** The next cron tick of a source, or null. */
    nextTick(id: string): Date | null {
      const known = nextTicks.get(id);
      if (known !== undefined && known.getTime() > Date.now()) return known;
      const next = tasks.get(id)?.getNextRun() ?? null;
      if (next) nextTicks.set(id, next);
      else nextTicks.delete(id);
      return next;
    },
    /** How many refreshes are queued or running. */
    pending: () => running.size,
    /** Stops ticking, aborts in-flight fetches and waits for their refreshes to finish or roll back. */
    async stop(): Promise<void> {
      for (const t of tasks.values()) void t.destroy();
      tasks.clear();
      nextTicks.clear();
      abort.abort();
      await deps.gate.drain();
      await Promise.allSettled([...running, startup]);
    },
  };
}

/** The first tick of `schedule` at or after `notBefore` (for admin views when no scheduler is running). */
export function nextRunOf(schedule: string, timezone: string, notBefore: Date): Date | null {
  const key = `${timezone}\n${schedule}`;
  let matcher = matchers.get(key);
  if (matcher === undefined) {
    if (matchers.size >= 1_000) matchers.clear(); // schedules come from the config: a handful in practice
    matcher = cron.createTask(schedule, () => {}, { timezone }); // created stopped: no timer, only matching
    matchers.set(key, matcher);
  }
  // A time still ahead has one answer whatever the clock says now: it is worked out once per hold (a
  // per-minute schedule held for a day walks 1,440 runs, ~0.25 s).
  const ahead = notBefore.getTime() > Date.now();
  const held = `${key}\n${notBefore.getTime()}`;
  if (ahead && heldRuns.has(held)) return heldRuns.get(held)!;
  // Runs from now on, in growing batches: most calls need the first one (a source not held back), while
  // asking for 2,000 every time cost ~1 ms a source.
  let found: Date | null = null;
  for (let count = 1; found === null; count = Math.min(count * 4, MAX_RUNS)) {
    found = matcher.getNextRuns(count).find((t) => t >= notBefore) ?? null;
    if (count === MAX_RUNS) break;
  }
  if (ahead) {
    if (heldRuns.size >= 10_000) heldRuns.clear();
    heldRuns.set(held, found);
  }
  return found;
}

const matchers = new Map<string, ScheduledTask>();
const heldRuns = new Map<string, Date | null>();
// How far ahead to look: a per-minute schedule held back for a day (the longest backoff) is 1,440 runs away.
const MAX_RUNS = 2048;
