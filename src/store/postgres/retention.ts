import type { PruneResult } from '../store.js';
import { PRUNE_LOCK } from './locks.js';
import { statement, type Queryable } from './statement.js';

const takePruneLock = statement('retention_lock', 'SELECT pg_advisory_xact_lock($1, $2)');
// Strictly before the cutoff: an item first seen exactly retentionDays ago stays. Its tombstone is written by
// the same statement that deletes it (ON CONFLICT: a key pruned before keeps its first pruned_at).
const pruneOld = statement(
  'retention_prune_old',
  `WITH gone AS (DELETE FROM items WHERE first_seen < $2 RETURNING source_id, dedupe_key),
        t AS (INSERT INTO tombstones (source_id, dedupe_key, pruned_at) SELECT source_id, dedupe_key, $1 FROM gone
              ON CONFLICT DO NOTHING)
   SELECT count(*) AS n FROM gone`,
);
// Keeps the newest by publication, then by id (the order outputs show).
const pruneExcess = statement(
  'retention_prune_excess',
  `WITH gone AS (DELETE FROM items WHERE id IN (
                   SELECT id FROM items WHERE source_id = $2 ORDER BY published DESC, id DESC OFFSET $3)
                 RETURNING source_id, dedupe_key),
        t AS (INSERT INTO tombstones (source_id, dedupe_key, pruned_at) SELECT source_id, dedupe_key, $1 FROM gone
              ON CONFLICT DO NOTHING)
   SELECT count(*) AS n FROM gone`,
);

/**
 * Retention: removes items first seen before a cutoff, and items beyond a per-source count (oldest by
 * publication first), leaving a tombstone of each dedupe key so the item never returns as new.
 */
export const retention = {
  /**
   * Keeps the newest `keep` items of one source, inside that source's refresh (on its transaction); returns how
   * many went. No PRUNE_LOCK here: the refresh already holds it shared, a refresh waiting to hold it exclusively
   * would deadlock with another doing the same, and only a refresh of this same source could race it (one
   * daemon never refreshes a source twice at once; across daemons, the source's claim keeps it to one).
   */
  async pruneSource(tx: Queryable, now: Date, source: string, keep: number): Promise<number> {
    return (await pruneExcess<{ n: number }>(tx, [now, source, keep])).rows[0]!.n;
  },
  /** One pass (on the caller's transaction). `maxItems` maps source id → items to keep. */
  async prune(tx: Queryable, now: Date, retentionDays: number | null, maxItems: ReadonlyMap<string, number>): Promise<PruneResult> {
    await takePruneLock(tx, PRUNE_LOCK);
    let byAge = 0;
    if (retentionDays !== null) {
      byAge = (await pruneOld<{ n: number }>(tx, [now, new Date(now.getTime() - retentionDays * 86_400_000)])).rows[0]!.n;
    }
    let byCount = 0;
    for (const [source, keep] of maxItems) byCount += (await pruneExcess<{ n: number }>(tx, [now, source, keep])).rows[0]!.n;
    return { byAge, byCount };
  },
};
