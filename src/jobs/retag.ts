import { availableParallelism } from 'node:os';
import type { Classifier } from '../tagging/classify.js';
import type { Store } from '../store/store.js';
import { retagChanges } from '../tagging/retag-diff.js';
import type { ClassifyRange, RetagPool } from './retag-pool.js';

// Below this many items a pass is quicker on this thread: two compiled workers take ~0.3 s to start with 1,000
// rules, and save ~40 % of a pass that runs at ~13,000 items/s here (bench/tagging.ts), so they pay from ~10,000.
const POOL_MIN_ITEMS = 10_000;

/** How a re-tag pass runs; every field has a default. */
export interface RetagOptions {
  /** Items per range: one classification message and one write transaction each. */
  batch?: number;
  signal?: AbortSignal;
  /**
   * Starts worker threads for the pass (retag-pool.ts), or null to classify on this thread. Given the number of
   * workers wanted. Absent: this thread (CLI one-shots and tests that pass no pool).
   */
  startPool?: ((size: number) => Promise<RetagPool>) | null;
  /** Worker threads to use with startPool (default: one per core, at most 4). */
  workers?: number;
  /** Fewest items to re-tag that start workers (default POOL_MIN_ITEMS). */
  poolMinItems?: number;
}

/** Called with each failure to start workers, before the pass falls back to this thread. */
export type PoolFallback = (err: unknown) => void;

/**
 * Re-applies the current rules (tags and output queries) to every stored item, range by range, each range's
 * changes written in one transaction, yielding to the event loop between ranges so outputs keep being served.
 * With a pool, ranges are classified on worker threads, a few ahead of the writes. Only items whose tags,
 * outputs or tag explanations changed are written (`explained`: those where only explanations did). The fingerprint is recorded last, so a crash part-way makes the next start
 * finish the job.
 */
export async function retagIfRulesChanged(
  store: Store,
  classifier: Classifier,
  now: () => Date,
  opts: RetagOptions = {},
  onPoolFailure: PoolFallback = () => {},
): Promise<{ changed: number; explained: number; workers: number } | null> {
  const { fingerprint } = classifier;
  const { batch = 500, signal } = opts;
  const state = await store.retag.state();
  if (state.fingerprint === fingerprint) return null;
  // A pass interrupted by a crash resumes where it stopped, if the rules are still the same.
  const resumeAfter = state.progress?.fingerprint === fingerprint ? state.progress.after : 0;
  await store.retag.begin(fingerprint, { signal });

  let pool: RetagPool | null = null;
  // Starting workers costs a module load and a compile of the rules each: a small store is re-tagged here.
  const poolMin = opts.poolMinItems ?? POOL_MIN_ITEMS;
  if (opts.startPool && (await store.retag.countAfter(resumeAfter, poolMin)) >= poolMin) {
    try {
      pool = await opts.startPool(opts.workers ?? Math.min(4, availableParallelism()));
    } catch (err) {
      onPoolFailure(err);
    }
  }
  const here: ClassifyRange = async (lo, hi) => retagChanges(await store.retag.readRange(lo, hi), classifier);
  const classify = pool?.classify ?? here;
  // Two ranges per worker keep every worker busy while this thread writes; one when classifying here.
  const depth = pool ? pool.size * 2 : 1;

  let changed = 0;
  let explained = 0;
  try {
    const inFlight: { lastId: number; changes: Promise<Settled> }[] = [];
    let next = resumeAfter;
    for (;;) {
      while (inFlight.length < depth) {
        const lastId = await store.retag.rangeEnd(next, batch);
        if (lastId === null) break;
        inFlight.push({ lastId, changes: settle(classify(next, lastId)) });
        next = lastId;
      }
      const range = inFlight.shift();
      if (range === undefined) break;
      const result = await range.changes;
      if ('error' in result) throw result.error;
      const n = await store.retag.apply(result.value, { fingerprint, after: range.lastId }, { signal });
      changed += n.changed;
      explained += n.explained;
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await pool?.close();
  }
  // JSON Feed outputs show explanations too, so a change of those alone is a change of what is published.
  await store.retag.finish(fingerprint, changed > 0 || explained > 0 ? now() : null, { signal });
  return { changed, explained, workers: pool?.size ?? 0 };
}

type Settled = { value: Awaited<ReturnType<ClassifyRange>> } | { error: unknown };

// Ranges classified ahead are awaited in order; one that fails early must not be an unhandled rejection.
function settle(p: ReturnType<ClassifyRange>): Promise<Settled> {
  return p.then((value) => ({ value }), (error: unknown) => ({ error }));
}
