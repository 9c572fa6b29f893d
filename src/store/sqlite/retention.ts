import type { PruneResult } from '../store.js';
import type { Db } from './open.js';

/**
 * Retention: removes items first seen before a cutoff, and items beyond a per-source count (oldest by
 * publication first), leaving a tombstone of each dedupe key so the item never returns as new.
 */
export function makeRetention(db: Db) {
  const tombstoneOld = db.prepare(
    `INSERT OR IGNORE INTO tombstones (source_id, dedupe_key, pruned_at)
     SELECT source_id, dedupe_key, @now FROM items WHERE first_seen < @cutoff`,
  );
  const deleteOld = db.prepare('DELETE FROM items WHERE first_seen < @cutoff');
  const excess = `SELECT id FROM items WHERE source_id = @source ORDER BY published DESC, id DESC LIMIT -1 OFFSET @keep`;
  const tombstoneExcess = db.prepare(
    `INSERT OR IGNORE INTO tombstones (source_id, dedupe_key, pruned_at)
     SELECT source_id, dedupe_key, @now FROM items WHERE id IN (${excess})`,
  );
  const deleteExcess = db.prepare(`DELETE FROM items WHERE id IN (${excess})`);

  /** Keeps the newest `keep` items of one source (inside the caller's transaction); returns how many went. */
  function pruneSource(now: Date, source: string, keep: number): number {
    const params = { now: now.toISOString(), source, keep };
    tombstoneExcess.run(params);
    return deleteExcess.run(params).changes;
  }

  return {
    /** One pass (run it inside the store's write transaction). `maxItems` maps source id → items to keep. */
    prune(now: Date, retentionDays: number | null, maxItems: ReadonlyMap<string, number>): PruneResult {
      let byAge = 0;
      if (retentionDays !== null) {
        const params = { now: now.toISOString(), cutoff: new Date(now.getTime() - retentionDays * 86_400_000).toISOString() };
        tombstoneOld.run(params);
        byAge = deleteOld.run(params).changes;
      }
      let byCount = 0;
      for (const [source, keep] of maxItems) byCount += pruneSource(now, source, keep);
      return { byAge, byCount };
    },
    pruneSource,
  };
}
