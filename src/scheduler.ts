import cron, { type ScheduledTask } from 'node-cron';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { RefreshOutcome } from './pipeline/refresh.js';

/** A source as the scheduler sees it. */
export interface ScheduledSource {
  id: string;
  url: string;
  schedule: string;
}

/** What the scheduler drives. */
export interface SchedulerDeps {
  refresh: (source: ScheduledSource, signal: AbortSignal) => Promise<RefreshOutcome>;
  log: Logger;
  timezone: string;
  concurrency: number;
}

/**
 * Polls each source on its cron schedule through one bounded queue. A source is never refreshed twice at once:
 * a tick that finds it queued or running is dropped (the running refresh will see the same feed).
 */
export function makeScheduler(deps: SchedulerDeps) {
  const queue = new PQueue({ concurrency: deps.concurrency });
  const abort = new AbortController();
  const busy = new Set<string>();
  let tasks: ScheduledTask[] = [];
  let sources: readonly ScheduledSource[] = [];

  function enqueue(source: ScheduledSource, why: string): void {
    if (busy.has(source.id) || abort.signal.aborted) return;
    busy.add(source.id);
    void queue
      .add(async () => {
        const { sourceId, ...outcome } = await deps.refresh(source, abort.signal);
        const level = outcome.result === 'failed' ? 'warn' : 'info';
        deps.log[level]({ source: sourceId, url: source.url, why, ...outcome }, `refresh ${outcome.result}`);
      })
      .catch((err: unknown) => deps.log.error({ source: source.id, err }, 'refresh crashed'))
      .finally(() => busy.delete(source.id));
  }

  function schedule(list: readonly ScheduledSource[], timezone: string): void {
    for (const t of tasks) void t.destroy();
    sources = list;
    tasks = list.map((s) =>
      cron.schedule(s.schedule, () => enqueue(s, 'cron'), { timezone, name: `source:${s.id}` }),
    );
  }

  return {
    /** Schedules every source and polls each once now (the refresh itself skips gone and held-back sources). */
    start(list: readonly ScheduledSource[]): void {
      schedule(list, deps.timezone);
      for (const s of list) enqueue(s, 'startup');
    },
    /** Replaces the schedule (after a config reload); refreshes already running finish. */
    reschedule(list: readonly ScheduledSource[], timezone: string): void {
      const known = new Set(sources.map((s) => s.id));
      schedule(list, timezone);
      for (const s of list) if (!known.has(s.id)) enqueue(s, 'added');
    },
    /** How many refreshes are queued or running. */
    pending: () => queue.size + queue.pending,
    /** Stops ticking, aborts in-flight fetches and waits for their refreshes to finish or roll back. */
    async stop(): Promise<void> {
      for (const t of tasks) void t.destroy();
      tasks = [];
      abort.abort();
      queue.clear();
      await queue.onIdle();
    },
  };
}

/** The scheduler's interface, for passing as a dependency. */
export type Scheduler = ReturnType<typeof makeScheduler>;
