import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Claims } from './claims.js';
import { hostKey, type HostGate } from './host-gate.js';
import { makeFeeder } from './feeder.js';
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
  /**
   * Polls (start-up, cron ticks, added sources) started at once (default 16; the daemon passes
   * fetch.concurrency): the others wait in the scheduler's feeder until one ends. On a shared database also the
   * sources the start-up poll claims at once. Read each time a poll could start: a reload changes it.
   */
  concurrency?: () => number;
  /** Of those, at most this many on one host (the daemon passes fetch.per_host; default: concurrency). */
  perHost?: () => number;
  /** Called when the last queued or running refresh of a burst has finished (the start-up poll, a tick). */
  onIdle?: (refreshes: number) => void;
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
  // One cron task per distinct schedule, ticking for every source on it: a node-cron task per source cost
  // ~3.4 KB of heap and a timer each (10,000 sources: 34 MB), and most sources share the default schedule.
  let tasks = new Map<string, { task: ScheduledTask; sources: ScheduledSource[] }>();
  let current = new Map<string, ScheduledSource>();
  let startup: Promise<void> = Promise.resolve();
  // Jitter timers of the last ticks, cleared on stop (unref'd: they never keep a stopping process alive).
  const jitters = new Set<NodeJS.Timeout>();
  // Each schedule's next tick, computed once until it passes: node-cron works it out afresh on every call
  // (timezone arithmetic), and GET /api/sources asks for every source's.
  const nextTicks = new Map<string, Date>();
  let timezone = deps.timezone;
  let burst = 0;
  // Polls wait here, not in the gate, until a share of the window is free (feeder.ts).
  const window = () => Math.max(1, deps.concurrency?.() ?? 16);
  const feeder = makeFeeder({ window, perHost: () => Math.min(window(), deps.perHost?.() ?? window()) });
  const feed = (s: ScheduledSource, why: Why, tick?: Date) => {
    if (!busy.has(s.id) && !abort.signal.aborted) feeder.add(s.id, hostKey(s.url), () => enqueue(s, why, tick));
  };

  /**
   * The start-up poll on a shared database: claimed a few at a time (one statement each), more only as polls
   * end, so at most `concurrency` are claimed and not yet polled here: daemons started together share the
   * sources instead of the first one claiming them all. Sources another daemon holds are passed over at once.
   */
  async function claimStartup(claims: Claims, list: readonly ScheduledSource[]): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < list.length && !abort.signal.aborted; ) {
      while (inFlight.size >= window()) await Promise.race(inFlight);
      const batch = list.slice(i, i + window() - inFlight.size);
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

  /** Tells onIdle when the last refresh of a burst ended (not between two start-up polls the feeder starts). */
  function idleCheck(): void {
    if (running.size === 0 && feeder.waiting() === 0 && !abort.signal.aborted) {
      const n = burst;
      burst = 0;
      deps.onIdle?.(n);
    }
  }

  function enqueue(source: ScheduledSource, why: Why, tick?: Date, claimed = false): Promise<void> | undefined {
    if (busy.has(source.id) || abort.signal.aborted) {
      if (claimed) void deps.claims?.release([source.id]);
      return undefined;
    }
    busy.add(source.id);
    burst++;
    const claims = deps.claims;
    const job = (claims ? pollClaimed(claims, source, why, tick, claimed) : poll(source, why, tick)).finally(() => {
      busy.delete(source.id);
      running.delete(job);
      idleCheck();
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

  /**
   * A cron tick of one schedule: each of its sources is enqueued after its own random delay within jitterMs. The
   * tick's own time (before jitter) names it for the claims: every daemon firing it asks for the same one.
   */
  function tick(sources: readonly ScheduledSource[], at: Date): void {
    const named = new Date(Math.floor(at.getTime() / 1000) * 1000);
    for (const s of sources) {
      if (deps.jitterMs <= 0) {
        feed(s, 'cron', named);
        continue;
      }
      const t = setTimeout(() => {
        jitters.delete(t);
        feed(s, 'cron', named);
      }, Math.floor(Math.random() * deps.jitterMs));
      t.unref();
      jitters.add(t);
    }
  }

  function destroyTasks(): void {
    for (const { task } of tasks.values()) void task.destroy();
    tasks = new Map();
    nextTicks.clear();
  }

  function schedule(list: readonly ScheduledSource[]): void {
    destroyTasks();
    current = new Map(list.map((s) => [s.id, s]));
    const groups = new Map<string, ScheduledSource[]>();
    for (const s of list) {
      const group = groups.get(s.schedule);
      if (group) group.push(s);
      else groups.set(s.schedule, [s]);
    }
    for (const [expr, sources] of groups) {
      // unref: the tick must not keep a stopping process alive (destroy() does not clear node-cron's timer).
      const task = cron.schedule(expr, (ctx) => tick(sources, ctx.date), { timezone, name: `schedule:${expr}`, unref: true });
      tasks.set(expr, { task, sources });
    }
  }

  return {
    /** Schedules every source and polls each once now (the refresh itself skips gone and held-back sources). */
    async start(list: readonly ScheduledSource[]): Promise<void> {
      schedule(list);
      if (deps.claims) startup = claimStartup(deps.claims, list);
      else for (const s of list) feed(s, 'startup');
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
    /**
     * Replaces the schedule (after a config reload); refreshes already running finish; new sources poll now, and
     * waiting polls start at once as far as a wider concurrency or per-host share allows.
     */
    reschedule(list: readonly ScheduledSource[], zone: string): void {
      const known = new Set(current.keys());
      timezone = zone;
      schedule(list);
      for (const s of list) if (!known.has(s.id)) feed(s, 'added');
      feeder.pump();
    },
    /** The next cron tick of a source (before its jitter), or null. */
    nextTick(id: string): Date | null {
      const expr = current.get(id)?.schedule;
      if (expr === undefined) return null;
      const known = nextTicks.get(expr);
      if (known !== undefined && known.getTime() > Date.now()) return known;
      const next = tasks.get(expr)?.task.getNextRun() ?? null;
      if (next) nextTicks.set(expr, next);
      else nextTicks.delete(expr);
      return next;
    },
    /** How many refreshes are queued (in the gate or waiting for their turn) or running. */
    pending: () => running.size + feeder.waiting(),
    /** Stops ticking, aborts in-flight fetches and waits for their refreshes to finish or roll back. */
    async stop(): Promise<void> {
      destroyTasks();
      current = new Map();
      for (const t of jitters) clearTimeout(t);
      jitters.clear();
      abort.abort();
      feeder.clear();
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
