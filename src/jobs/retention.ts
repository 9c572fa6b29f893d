import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import type { Store } from '../store/store.js';

// A pass is cheap (indexed deletes), so hourly is plenty.
const PRUNE_EVERY_MS = 3_600_000;

/** The retention job: one pass now, then hourly, one at a time (across daemons too); off unless the config asks for it. */
export function runRetention(store: Store, config: () => Config, now: () => Date, log: Logger, signal: AbortSignal) {
  const prune = async () => {
    const c = config();
    const maxItems = new Map(c.sources.filter((s) => s.maxItems !== null).map((s) => [s.id, s.maxItems!]));
    if (c.storage.retentionDays === null && maxItems.size === 0) return;
    try {
      // On a database several daemons share, one of them prunes at a time; the others skip this pass.
      const lock = await store.nodes.exclusive('retention');
      if (!lock) return;
      try {
        const r = await store.retention.prune(now(), c.storage.retentionDays, maxItems, { signal });
        if (r.byAge + r.byCount > 0) log.info({ ...r }, 'retention: items pruned');
      } finally {
        await lock.release();
      }
    } catch (err) {
      if (!signal.aborted) log.error({ err }, 'retention pass failed');
    }
  };
  let running = prune();
  const timer = setInterval(() => (running = running.then(prune)), PRUNE_EVERY_MS).unref();
  return {
    /** Runs a pass after the one under way (a reload that changed the limits). */
    now: () => (running = running.then(prune)),
    /** Stops the timer; resolves when the pass under way ends. */
    stop: () => {
      clearInterval(timer);
      return running;
    },
  };
}
