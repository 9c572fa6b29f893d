import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { sharedAcrossThreads } from '../store/spec.js';
import type { Store } from '../store/store.js';
import type { Classifier } from '../tagging/classify.js';
import { retagIfRulesChanged } from './retag.js';
import { startRetagPool } from './retag-pool.js';

/** Where this daemon's re-tagging stands, for /readyz. */
export interface RetagStatus {
  /** `elsewhere`: another daemon re-tags now; `refused`: a live daemon runs other tag rules. Both ask again at each heartbeat. */
  state: 'idle' | 'running' | 'elsewhere' | 'refused';
  detail: string | null;
}

/**
 * Re-tagging in the background, one pass at a time: a reload during a pass queues the next, which re-reads
 * the rules in force when it starts. On a database several daemons share, a pass runs on one daemon at a time
 * (store.nodes.exclusive; another daemon resumes it if that one dies), and not at all while a live daemon runs
 * different tag rules: two daemons re-tagging to their own rules would rewrite every item back and forth.
 */
export function makeRetagQueue(
  store: Store,
  deps: { config: () => Config; classifier: () => Classifier; now: () => Date; log: Logger; signal: AbortSignal; node?: string; batch?: number },
) {
  const { log, signal } = deps;
  let queue: Promise<unknown> = Promise.resolve();
  let status: RetagStatus = { state: 'idle', detail: null };

  /** Why this daemon must not re-tag now (another daemon's rules differ), or null. */
  async function refusal(fingerprint: string): Promise<string | null> {
    if (!store.nodes.shared) return null;
    if ((await store.retag.state()).fingerprint === fingerprint) return null; // nothing to do anyway
    const others = (await store.nodes.peers(deps.now())).filter((p) => p.node !== deps.node && p.fingerprint !== fingerprint);
    if (others.length === 0) return null;
    const names = others.map((p) => `${p.node} (${(p.fingerprint ?? 'none').slice(0, 12)})`).join(', ');
    return `this daemon's tag rules (${fingerprint.slice(0, 12)}) differ from those of ${names} on the same database: not re-tagging until every daemon runs the same tag rules`;
  }

  async function pass() {
    const classifier = deps.classifier();
    const refused = await refusal(classifier.fingerprint);
    if (refused) {
      if (status.detail !== refused) log.warn({ fingerprint: classifier.fingerprint }, refused);
      status = { state: 'refused', detail: refused };
      return null;
    }
    const lock = await store.nodes.exclusive('retag');
    if (!lock) {
      status = { state: 'elsewhere', detail: 'another daemon is re-tagging this database' };
      return null;
    }
    status = { state: 'running', detail: null };
    // A lock lost mid-pass (its connection cut) stops the pass at its next range, as shutdown does: another daemon
    // may have taken the job, and two passes must not write at once. Each range commits with the progress, so
    // whoever takes the lock next resumes after the last range written, and none is written twice or skipped.
    const during = AbortSignal.any([signal, lock.lost]);
    const lost = () => lock.lost.aborted && !signal.aborted;
    try {
      const storage = deps.config().storage;
      // Worker threads need a store they can open themselves; an in-memory one is re-tagged on this thread.
      const startPool = sharedAcrossThreads(storage) ? (size: number) => startRetagPool(storage, classifier.spec, size) : null;
      const r = await retagIfRulesChanged(store, classifier, deps.now, { signal: during, startPool, batch: deps.batch }, (err) =>
        log.warn({ err }, 're-tag workers could not start; re-tagging on the main thread'),
      );
      return lost() ? null : r;
    } catch (err) {
      if (!lost()) throw err;
      return null;
    } finally {
      if (lost()) {
        log.warn({ err: lock.lost.reason }, 're-tagging stopped: its lock was lost with its database connection; the pass resumes where it stopped once this daemon or another takes the lock again');
        // Asked again at the next heartbeat (retryIfWaiting), like a pass another daemon holds.
        status = { state: 'elsewhere', detail: 're-tagging stopped when its lock was lost; asking again at the next heartbeat' };
      } else {
        status = { state: 'idle', detail: null };
      }
      await lock.release();
    }
  }

  const self = {
    /** Queues a pass (it does nothing when the store already follows the rules). */
    request(): void {
      queue = queue
        .then(pass)
        .then((r) => r && (r.changed > 0 || r.explained > 0) && log.info({ changed: r.changed, explained: r.explained, workers: r.workers }, 'tag rules changed: stored items re-tagged'))
        .catch((err: unknown) => signal.aborted || log.error({ err }, 're-tagging failed'));
    },
    /** Where re-tagging stands. */
    status: (): RetagStatus => status,
    /** Asks again if the last pass waited for other daemons (called at each heartbeat). */
    retryIfWaiting(): void {
      if (status.state === 'refused' || status.state === 'elsewhere') self.request();
    },
    /** Resolves when the queued passes end (after the signal aborted, promptly). */
    idle: () => queue,
  };
  return self;
}
