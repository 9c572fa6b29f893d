import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { sharedAcrossThreads } from '../store/spec.js';
import type { Store } from '../store/store.js';
import type { Classifier } from '../tagging/classify.js';
import { retagIfRulesChanged } from './retag.js';
import { startRetagPool } from './retag-pool.js';

/**
 * Re-tagging in the background, one pass at a time: a reload during a pass queues the next, which re-reads
 * the rules in force when it starts.
 */
export function makeRetagQueue(store: Store, deps: { config: () => Config; classifier: () => Classifier; now: () => Date; log: Logger; signal: AbortSignal }) {
  const { log, signal } = deps;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    /** Queues a pass (it does nothing when the store already follows the rules). */
    request(): void {
      queue = queue
        .then(() => {
          const classifier = deps.classifier();
          const storage = deps.config().storage;
          // Worker threads need a store they can open themselves; an in-memory one is re-tagged on this thread.
          const startPool = sharedAcrossThreads(storage) ? (size: number) => startRetagPool(storage, classifier.spec, size) : null;
          return retagIfRulesChanged(store, classifier, deps.now, { signal, startPool }, (err) =>
            log.warn({ err }, 're-tag workers could not start; re-tagging on the main thread'),
          );
        })
        .then((r) => r && (r.changed > 0 || r.explained > 0) && log.info({ changed: r.changed, explained: r.explained, workers: r.workers }, 'tag rules changed: stored items re-tagged'))
        .catch((err: unknown) => signal.aborted || log.error({ err }, 're-tagging failed'));
    },
    /** Resolves when the queued passes end (after the signal aborted, promptly). */
    idle: () => queue,
  };
}
