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
        // A pass is one transaction: a lock lost before it starts stops it (another daemon may prune meanwhile);
        // one lost during it changes nothing, as the transaction's own lock on pruning keeps two passes apart.
        const r = await store.retention.prune(now(), c.storage.retentionDays, maxItems, { signal: AbortSignal.any([signal, lock.lost]) });
        if (r.byAge + r.byCount > 0) log.info({ ...r }, 'retention: items pruned');
      } catch (err) {
        if (!lock.lost.aborted || signal.aborted) throw err;
        log.warn({ err: lock.lost.reason }, 'retention pass skipped: its lock was lost with its database connection; the next pass runs as usual');
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
