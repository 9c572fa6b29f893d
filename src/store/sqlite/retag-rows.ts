import type { RetagRow } from '../store.js';
import type { Db } from './open.js';

/**
 * Re-tagging reads ranges of items by id, with what is stored for them, to be classified (possibly on a worker
 * thread with its own read-only store, src/jobs/retag-worker.ts); the daemon's store then applies what changed.
 */
export function makeRetagStatements(db: Db) {
  const rangeEnd = db.prepare('SELECT max(id) FROM (SELECT id FROM items WHERE id > ? ORDER BY id LIMIT ?)').pluck();
  const countAfter = db.prepare('SELECT count(*) FROM (SELECT 1 FROM items WHERE id > ? LIMIT ?)').pluck();
  // Only what classifying reads, as arrays (raw): rows as objects with every column, and three Date objects
  // per item nobody read, cost ~40k instructions per item more (callgrind, main-thread re-tag of 20,000).
  const inRange = db
    // A tag_only item's article (pages.article) is what tagging reads, and a page's keywords may make tags.
    .prepare(
      `SELECT i.id, i.source_id, i.title, i.summary, coalesce(p.article, i.content), i.author, i.link, i.categories,
              i.content_hash || coalesce('@' || p.fetched_at, ''), p.keywords
       FROM items i LEFT JOIN pages p ON p.item_id = i.id WHERE i.id > ? AND i.id <= ? ORDER BY i.id`,
    )
    .raw(true);
  // What is stored for a whole range in two queries, rather than two per item.
  const tagsIn = db.prepare('SELECT item_id, tag, explain FROM item_tags WHERE item_id > ? AND item_id <= ?').raw(true);
  const outputsIn = db.prepare('SELECT item_id, output_id FROM item_outputs WHERE item_id > ? AND item_id <= ?').raw(true);
  return {
    rangeEnd: (afterId: number, count: number) => (rangeEnd.get(afterId, count) as number | null) ?? null,
    countAfter: (afterId: number, cap: number) => countAfter.get(afterId, cap) as number,
    readRange(afterId: number, lastId: number): RetagRow[] {
      const tags = new Map<number, Map<string, string | null>>();
      for (const [id, tag, explain] of tagsIn.all(afterId, lastId) as [number, string, string | null][]) {
        const m = tags.get(id);
        if (m) m.set(tag, explain);
        else tags.set(id, new Map([[tag, explain]]));
      }
      const outputs = new Map<number, Set<string>>();
      for (const [id, output] of outputsIn.all(afterId, lastId) as [number, string][]) {
        const s = outputs.get(id);
        if (s) s.add(output);
        else outputs.set(id, new Set([output]));
      }
      return (inRange.all(afterId, lastId) as RangeRow[]).map(([id, sourceId, title, summary, content, author, link, categories, contentHash, keywords]) => ({
        id,
        sourceId,
        contentHash,
        item: {
          title, summary, content, author, link, categories: JSON.parse(categories) as string[],
          ...(keywords && keywords !== '[]' ? { keywords: JSON.parse(keywords) as string[] } : {}),
        },
        tags: tags.get(id) ?? NO_TAGS,
        outputs: outputs.get(id) ?? NO_OUTPUTS,
      }));
    },
  };
}

const NO_TAGS: ReadonlyMap<string, string | null> = new Map();
const NO_OUTPUTS: ReadonlySet<string> = new Set();

// A row of inRange, in its column order.
type RangeRow = [id: number, sourceId: string, title: string, summary: string | null, content: string | null, author: string | null, link: string | null, categories: string, contentHash: string, keywords: string | null];
