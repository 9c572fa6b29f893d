import type { Classifier } from '../../tagging/classify.js';
import type { AppliedTag } from './items.js';
import { encodeExplain } from '../explain-json.js';
import type { Db } from './open.js';

/** An item whose tags or outputs the current rules decide differently from what is stored. */
export interface RetagChange {
  id: number;
  /** The content the classification was made from: the change is dropped if a refresh rewrote the item since. */
  contentHash: string;
  tags: AppliedTag[];
  /** Per tag of `tags`, its explain column as encodeExplain() writes it. */
  explains: string[];
  outputs: string[];
}

/**
 * Re-tagging reads ranges of items by id and classifies them, possibly on a worker thread with its own
 * read-only connection (src/workers/retag-worker.ts); the daemon's connection then applies what changed
 * (items.ts applyRetag).
 */
export function makeRetagReader(db: Db) {
  const rangeEnd = db.prepare('SELECT max(id) FROM (SELECT id FROM items WHERE id > ? ORDER BY id LIMIT ?)').pluck();
  const countAfter = db.prepare('SELECT count(*) FROM (SELECT 1 FROM items WHERE id > ? LIMIT ?)').pluck();
  // Only what classifying reads, as arrays (raw): rows as objects with every column, and three Date objects
  // per item nobody read, cost ~40k instructions per item more (callgrind, main-thread re-tag of 20,000).
  const inRange = db
    .prepare('SELECT id, source_id, title, summary, content, author, link, categories, content_hash FROM items WHERE id > ? AND id <= ? ORDER BY id')
    .raw(true);
  // What is stored for a whole range in two queries, rather than two per item.
  const tagsIn = db.prepare('SELECT item_id AS id, tag AS name, explain FROM item_tags WHERE item_id > ? AND item_id <= ?');
  const outputsIn = db.prepare('SELECT item_id AS id, output_id AS name FROM item_outputs WHERE item_id > ? AND item_id <= ?');
  // Item id → name → explain column (null for outputs, which have none).
  const byItem = (rows: { id: number; name: string; explain?: string | null }[]): Map<number, Map<string, string | null>> => {
    const map = new Map<number, Map<string, string | null>>();
    for (const r of rows) {
      const names = map.get(r.id);
      if (names) names.set(r.name, r.explain ?? null);
      else map.set(r.id, new Map([[r.name, r.explain ?? null]]));
    }
    return map;
  };
  return {
    /** The id that ends a range of `count` items after `afterId`, or null when no item follows it. */
    rangeEnd: (afterId: number, count: number) => (rangeEnd.get(afterId, count) as number | null) ?? null,

    /** How many items follow `afterId`, counting up to `cap` at most. */
    countAfter: (afterId: number, cap: number) => countAfter.get(afterId, cap) as number,

    /**
     * Classifies the items with afterId < id <= lastId; returns those whose stored tags, outputs or tag
     * explanations differ (an edited rule that still tags the same items must not leave its old text, or
     * old offsets, as the reason shown for them).
     */
    changesIn(afterId: number, lastId: number, classifier: Pick<Classifier, 'classify'>): RetagChange[] {
      const changes: RetagChange[] = [];
      const storedTags = byItem(tagsIn.all(afterId, lastId) as { id: number; name: string; explain: string | null }[]);
      const storedOutputs = byItem(outputsIn.all(afterId, lastId) as { id: number; name: string }[]);
      for (const r of inRange.all(afterId, lastId) as RangeRow[]) {
        const [id, sourceId, title, summary, content, author, link, categories, contentHash] = r;
        const item = { title, summary, content, author, link, categories: JSON.parse(categories) as string[] };
        // Explaining costs little more than deciding (bench/tagging.ts: explain() 15-25 % below tag()), so every
        // item is classified in full once rather than decided first and explained again when it changed.
        const c = classifier.classify(item, sourceId);
        const explains = c.tags.map((t) => encodeExplain(t.explain));
        const tags = storedTags.get(id) ?? NONE;
        const same = tags.size === c.tags.length && c.tags.every((t, k) => tags.get(t.tag) === explains[k]);
        if (same && sameSet(new Set((storedOutputs.get(id) ?? NONE).keys()), new Set(c.outputs))) continue;
        changes.push({ id, contentHash, tags: c.tags, explains, outputs: c.outputs });
      }
      return changes;
    },
  };
}

const NONE: ReadonlyMap<string, string | null> = new Map();

// A row of inRange, in its column order.
type RangeRow = [id: number, sourceId: string, title: string, summary: string | null, content: string | null, author: string | null, link: string | null, categories: string, contentHash: string];

/** Whether two sets hold the same members. */
export function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
