import type { RetagRow } from '../store.js';
import { statement, type Queryable } from './statement.js';

const rangeEnd = statement('retag_range_end', 'SELECT max(id) AS id FROM (SELECT id FROM items WHERE id > $1 ORDER BY id LIMIT $2) r');
const countAfter = statement('retag_count_after', 'SELECT count(*) AS n FROM (SELECT 1 FROM items WHERE id > $1 LIMIT $2) r');
// Only what classifying reads, with what is stored for each item, in one statement: a worker thread's
// read-only store reads these (src/jobs/retag-worker.ts), the daemon's store then applies what changed.
const inRange = statement(
  'retag_in_range',
  `SELECT i.id, i.source_id, i.title, i.summary, coalesce(p.article, i.content) AS content, i.author, i.link, i.categories,
     i.content_hash || coalesce('@' || p.fetched_at::text, '') AS content_hash, p.keywords,
     ARRAY(SELECT tag FROM item_tags t WHERE t.item_id = i.id) AS tags,
     ARRAY(SELECT explain FROM item_tags t WHERE t.item_id = i.id) AS explains,
     ARRAY(SELECT output_id FROM item_outputs o WHERE o.item_id = i.id) AS outputs
   FROM items i LEFT JOIN pages p ON p.item_id = i.id WHERE i.id > $1 AND i.id <= $2 ORDER BY i.id`,
);

interface RangeRow {
  id: number;
  source_id: string;
  title: string;
  summary: string | null;
  content: string | null;
  author: string | null;
  link: string | null;
  categories: string;
  content_hash: string;
  keywords: string | null;
  tags: string[];
  explains: (string | null)[];
  outputs: string[];
}

/** Re-tagging reads ranges of items by id, with what is stored for them. */
export const retagRows = {
  async rangeEnd(db: Queryable, afterId: number, count: number): Promise<number | null> {
    return ((await rangeEnd<{ id: number | null }>(db, [afterId, count])).rows[0]?.id ?? null);
  },
  async countAfter(db: Queryable, afterId: number, cap: number): Promise<number> {
    return (await countAfter<{ n: number }>(db, [afterId, cap])).rows[0]!.n;
  },
  async readRange(db: Queryable, afterId: number, lastId: number): Promise<RetagRow[]> {
    return (await inRange<RangeRow>(db, [afterId, lastId])).rows.map((r) => ({
      id: r.id,
      sourceId: r.source_id,
      contentHash: r.content_hash,
      item: {
        title: r.title, summary: r.summary, content: r.content, author: r.author, link: r.link, categories: JSON.parse(r.categories) as string[],
        ...(r.keywords && r.keywords !== '[]' ? { keywords: JSON.parse(r.keywords) as string[] } : {}),
      },
      tags: new Map(r.tags.map((t, k) => [t, r.explains[k] ?? null])),
      outputs: new Set(r.outputs),
    }));
  },
};
