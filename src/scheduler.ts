import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { HostGate } from './host-gate.js';
import type { RefreshOptions, RefreshOutcome } from './pipeline/refresh.js';

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
}

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
  let timezone = deps.timezone;

  function enqueue(source: ScheduledSource, why: 'cron' | 'startup' | 'added'): void {
    if (busy.has(source.id) || abort.signal.aborted) return;
    busy.add(source.id);
    const job = deps.gate
      .run(source.url, () => deps.refresh(source, { ignoreHints: why !== 'cron', signal: abort.signal }))
      .then((outcome) => {
        if (outcome.retryAfter) deps.gate.pause(source.url, outcome.retryAfter);
        const { sourceId, ...rest } = outcome;
        const level = outcome.result === 'failed' ? 'warn' : 'info';
        deps.log[level]({ source: sourceId, why, ...rest, url: outcome.url ?? source.url }, `refresh ${outcome.result}`);
        deps.onOutcome?.(source, outcome, why);
      })
      .catch((err: unknown) => deps.log.error({ source: source.id, err }, 'refresh crashed'))
      .finally(() => {
        busy.delete(source.id);
        running.delete(job);
      });
    running.add(job);
  }

  function schedule(list: readonly ScheduledSource[]): void {
    for (const t of tasks.values()) void t.destroy();
    tasks = new Map(
      list.map((s) => [
        s.id,
        cron.schedule(s.schedule, () => enqueue(s, 'cron'), // unref: a tick's jitter timer must not keep a stopping process alive (destroy() does not clear it).
        { timezone, name: `source:${s.id}`, maxRandomDelay: deps.jitterMs, unref: true }),
      ]),
    );
  }

  return {
    /** Schedules every source and polls each once now (the refresh itself skips gone and held-back sources). */
    start(list: readonly ScheduledSource[]): void {
      schedule(list);
      for (const s of list) enqueue(s, 'startup');
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
      return tasks.get(id)?.getNextRun() ?? null;
    },
    /** How many refreshes are queued or running. */
    pending: () => running.size,
    /** Stops ticking, aborts in-flight fetches and waits for their refreshes to finish or roll back. */
    async stop(): Promise<void> {
      for (const t of tasks.values()) void t.destroy();
      tasks.clear();
      abort.abort();
      await deps.gate.drain();
      await Promise.allSettled([...running]);
    },
  };
}

/** The scheduler's interface, for passing as a dependency. */
export type Scheduler = ReturnType<typeof makeScheduler>;

/** The first tick of `schedule` at or after `notBefore` (for admin views when no scheduler is running). */
export function nextRunOf(schedule: string, timezone: string, notBefore: Date): Date | null {
  const task = cron.createTask(schedule, () => {}, { timezone });
  try {
    for (const t of task.getNextRuns(2000)) if (t >= notBefore) return t;
    return null;
  } finally {
    void task.destroy();
  }
}
