import type { StoredItem } from '../../base/model.js';
import type { CanonicalArticle, ClusterFilter, FirstStored, SketchRow, StoredCluster, StoryChange, StoryRow } from '../store.js';
import { tagged, toStoredItemWithTags, WITH_TAGS } from './items.js';
import { plannedEachRun, statement, type Queryable } from './statement.js';

// Stories (issue 13) over PostgreSQL, the same queries as src/store/sqlite/stories.ts. Appearances (rows relaying
// another source's article) are never members: a story counts articles, not relays.
// With the article's source's feed URL and site link: the plan decides whether the article is that source's
// own or a relay an outlet's own item takes over (src/stories/outlet.ts).
const byCanonical = statement(
  'stories_by_canonical',
  `SELECT i.canonical_url, i.id, i.source_id, s.url, s.site_url FROM items i LEFT JOIN sources s ON s.id = i.source_id
   WHERE i.id IN (SELECT min(id) FROM items
                  WHERE canonical_url = ANY($1::text[]) AND source_id <> $2 AND appearance_of IS NULL
                  GROUP BY canonical_url)`,
);
// The first stored row of an article: an appearance below its id is a relay it took over.
const firstStored = statement(
  'stories_first_stored',
  `SELECT a.appearance_of, a.id, a.uid FROM items a
   WHERE a.id IN (SELECT min(id) FROM items WHERE appearance_of = ANY($1::bigint[]) GROUP BY appearance_of)
     AND a.id < a.appearance_of`,
);
const newestId = statement('stories_newest_id', 'SELECT coalesce(max(id), 0)::bigint AS id FROM items');
// What was stored since the last read: a range of ids (the primary key), not the whole window.
const members = statement(
  'stories_members',
  `SELECT id, source_id, cluster_id, published, story_sketch FROM items
   WHERE id > $1 AND id <= $2 AND published >= $3 AND appearance_of IS NULL AND story_sketch IS NOT NULL
   ORDER BY id LIMIT $4`,
);
// The window at a first load: by (published, id) from the window's start, page after page.
const window = statement(
  'stories_window',
  `SELECT id, source_id, cluster_id, published, story_sketch FROM items
   WHERE (published, id) > ($1, $2) AND id <= $3 AND appearance_of IS NULL AND story_sketch IS NOT NULL
   ORDER BY published, id LIMIT $4`,
);
type MemberRow = { id: number; source_id: string; cluster_id: number; published: Date; story_sketch: string };
const toRow = (r: MemberRow): StoryRow => ({ id: r.id, sourceId: r.source_id, clusterId: r.cluster_id, published: r.published, sketch: r.story_sketch });
const ofClusters = statement(
  'stories_of_clusters',
  `SELECT ${WITH_TAGS} FROM items WHERE cluster_id = ANY($1::bigint[]) AND appearance_of IS NULL ORDER BY published, id`,
);
const sizes = statement(
  'stories_sizes',
  'SELECT cluster_id, count(*)::int AS n FROM items WHERE cluster_id = ANY($1::bigint[]) AND appearance_of IS NULL GROUP BY cluster_id',
);
// Newest story first, by its newest member; only what the filter lets through counts (a tag on any member). Grouping
// every item (`GROUP BY cluster_id ORDER BY max(published) DESC, cluster_id DESC LIMIT`) read every row the filter
// let through, as no plan can stop a GROUP BY early: 50,587 buffers for a common tag at 150,000 items (BENCHMARKS.md
// "pgstory15"), the whole table with no tag ("clusters15"). The items are walked newest first instead, below a
// (published, id) cursor (`walk`). The filter's parameters come from $`n` on: since, excluded sources, and the tag when
// there is one, a plain condition (`tagged`), so the planner walks items_by_published with a probe of
// item_tags_by_item each for a common tag and sorts a rare tag's few items.
const filterFrom = (n: number, tag: boolean) => `${tag ? `${tagged(`$${n + 2}`)} AND ` : ''}appearance_of IS NULL
     AND ($${n}::timestamptz IS NULL OR published >= $${n})
     AND (cardinality($${n + 1}::text[]) = 0 OR source_id <> ALL($${n + 1}))`;
// Both planned at every run (`plannedEachRun`): a generic plan knows no tag, nor the limit (with `LIMIT $n` it costs a
// tenth of the table), and could sort what it should walk. `at` is `published` exactly (a Date keeps milliseconds;
// timestamptz keeps microseconds): the cursor and the ties go by it.
const walkStatements = (tag: boolean, name: string) => ({
  batch: plannedEachRun(
    `stories_walk${name}`,
    `SELECT cluster_id, published::text AS at, id FROM items
     WHERE ${filterFrom(4, tag)} AND (published, id) < ($2::timestamptz, $3::bigint)
     ORDER BY published DESC, id DESC LIMIT $1`,
  ),
  // The rest of the last story's instant once `limit` stories are known: the stories whose newest member is there
  // sort by cluster id, so every row of it counts, and no more.
  instant: plannedEachRun(
    `stories_instant${name}`,
    `SELECT DISTINCT cluster_id FROM items WHERE ${filterFrom(3, tag)} AND published = $1::timestamptz AND id < $2::bigint`,
  ),
});
const walkAll = walkStatements(false, '');
const walkTagged = walkStatements(true, '_tagged');
// Above every row: the walk's first cursor.
const TOP = ['infinity', '9223372036854775807'] as const;
type WalkRow = { cluster_id: number | null; at: string; id: number };

/**
 * The newest `f.limit` stories (of a tag's items when `f.tag` is set), as `GROUP BY cluster_id ORDER BY max(published)
 * DESC, cluster_id DESC` gives them: a story's first member met is its newest, so the walk stops once `limit` stories
 * are known and it is past the last one's instant (a story met later at that instant may sort before it, by cluster
 * id). Batches start at limit + 1 rows and grow fourfold, so a walk through a few large stories reads O(rows walked) in
 * O(log) statements; a batch that ends inside the last story's instant is followed by the rest of that instant alone.
 */
async function walk(db: Queryable, f: ClusterFilter, excluded: readonly string[]): Promise<number[]> {
  if (f.limit < 1) return [];
  const { batch, instant } = f.tag === null ? walkAll : walkTagged;
  const filter = [f.since, excluded, ...(f.tag === null ? [] : [[f.tag]])];
  const found = new Map<number | null, number>(); // cluster → the rank of its newest member's instant
  let instants = 0;
  let at: string | null = null;
  let last: string | null = null; // the instant of the `limit`-th story
  let cursor: readonly [string, number | string] = TOP;
  for (let size = f.limit + 1; ; size *= 4) {
    const { rows } = await batch<WalkRow>(db, [size, ...cursor, ...filter]);
    for (const r of rows) {
      if (r.at !== at) {
        if (last !== null) return ranked(found, f.limit);
        at = r.at;
        instants++;
      }
      if (!found.has(r.cluster_id)) found.set(r.cluster_id, instants);
      if (found.size === f.limit) last = r.at;
    }
    if (rows.length < size) return ranked(found, f.limit);
    const end = rows.at(-1)!;
    if (last !== null) {
      const rest = await instant<{ cluster_id: number | null }>(db, [end.at, end.id, ...filter]);
      for (const r of rest.rows) if (!found.has(r.cluster_id)) found.set(r.cluster_id, instants);
      return ranked(found, f.limit);
    }
    cursor = [end.at, end.id];
  }
}

/** Stories by their newest member's instant, then cluster id descending (NULL first, as PostgreSQL's DESC sorts it). */
function ranked(found: Map<number | null, number>, limit: number): number[] {
  const id = (c: number | null) => c ?? Infinity;
  return [...found]
    .sort(([a, x], [b, y]) => x - y || id(b) - id(a))
    .slice(0, limit)
    .map(([c]) => c as number);
}

const appearances = statement(
  'stories_appearances',
  'SELECT appearance_of, source_id FROM items WHERE appearance_of = ANY($1::bigint[]) ORDER BY id',
);
const readRange = statement(
  'stories_read_range',
  `SELECT id, source_id, link, canonical_url, title, summary, content, published, cluster_id, story_sketch FROM items
   WHERE published >= $1 AND id > $2 AND appearance_of IS NULL ORDER BY id LIMIT $3`,
);
const apply = statement(
  'stories_apply',
  `UPDATE items i SET canonical_url = c.canonical_url, story_sketch = c.sketch, cluster_id = c.cluster_id
   FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS c (id, canonical_url, sketch, cluster_id)
   WHERE i.id = c.id AND i.appearance_of IS NULL`,
);
// Appearances follow their article into its new cluster.
const follow = statement(
  'stories_follow',
  `UPDATE items i SET cluster_id = c.cluster_id FROM unnest($1::bigint[], $2::bigint[]) AS c (id, cluster_id)
   WHERE i.appearance_of = c.id`,
);

/** Stories' reads and writes; writes run on the caller's transaction client. */
export const stories = {
  async byCanonical(db: Queryable, sourceId: string, urls: readonly string[]): Promise<Map<string, CanonicalArticle>> {
    if (urls.length === 0) return new Map();
    type R = { canonical_url: string; id: number; source_id: string; url: string | null; site_url: string | null };
    const { rows } = await byCanonical<R>(db, [urls, sourceId]);
    return new Map(rows.map((r) => [r.canonical_url, { id: Number(r.id), sourceId: r.source_id, sourceUrls: [r.url, r.site_url] }]));
  },
  async firstStored(db: Queryable, itemIds: readonly number[]): Promise<Map<number, FirstStored>> {
    if (itemIds.length === 0) return new Map();
    const { rows } = await firstStored<{ appearance_of: number; id: number; uid: string }>(db, [itemIds]);
    return new Map(rows.map((r) => [Number(r.appearance_of), { id: Number(r.id), uid: r.uid }]));
  },
  async newestId(db: Queryable): Promise<number> {
    const { rows } = await newestId<{ id: string | number }>(db, []);
    return Number(rows[0]!.id);
  },
  async members(db: Queryable, since: Date, afterId: number, uptoId: number, limit: number): Promise<StoryRow[]> {
    return (await members<MemberRow>(db, [afterId, uptoId, since, limit])).rows.map(toRow);
  },
  async window(db: Queryable, since: Date, uptoId: number, after: { published: Date; id: number } | null, limit: number): Promise<StoryRow[]> {
    return (await window<MemberRow>(db, [after?.published ?? since, after?.id ?? 0, uptoId, limit])).rows.map(toRow);
  },
  async clusters(db: Queryable, ids: readonly number[]): Promise<Map<number, StoredItem[]>> {
    const out = new Map<number, StoredItem[]>();
    if (ids.length === 0) return out;
    for (const row of (await ofClusters(db, [ids])).rows) {
      const item = toStoredItemWithTags(row);
      const list = out.get(item.clusterId!);
      if (list) list.push(item);
      else out.set(item.clusterId!, [item]);
    }
    return out;
  },
  async sizes(db: Queryable, ids: readonly number[]): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    return new Map((await sizes<{ cluster_id: number; n: number }>(db, [ids])).rows.map((r) => [r.cluster_id, r.n]));
  },
  async list(db: Queryable, f: ClusterFilter): Promise<StoredCluster[]> {
    const excluded = f.excludeSources ?? [];
    const ids = await walk(db, f, excluded);
    const found = await stories.clusters(db, ids);
    const hidden = new Set(excluded);
    return ids.map((clusterId) => ({ clusterId, members: (found.get(clusterId) ?? []).filter((m) => !hidden.has(m.sourceId)) }));
  },
  async appearances(db: Queryable, itemIds: readonly number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (itemIds.length === 0) return out;
    for (const r of (await appearances<{ appearance_of: number; source_id: string }>(db, [itemIds])).rows) {
      const list = out.get(r.appearance_of);
      if (list) list.push(r.source_id);
      else out.set(r.appearance_of, [r.source_id]);
    }
    return out;
  },
  async readRange(db: Queryable, since: Date, afterId: number, limit: number): Promise<SketchRow[]> {
    type R = { id: number; source_id: string; link: string | null; canonical_url: string | null; title: string; summary: string | null; content: string | null; published: Date; cluster_id: number; story_sketch: string | null };
    return (await readRange<R>(db, [since, afterId, limit])).rows.map((r) => ({
      id: r.id, sourceId: r.source_id, link: r.link, canonicalUrl: r.canonical_url, title: r.title, summary: r.summary,
      content: r.content, published: r.published, clusterId: r.cluster_id, sketch: r.story_sketch,
    }));
  },
  /** Writes a re-cluster range (on the caller's transaction); counts the items written. */
  async apply(tx: Queryable, changes: readonly StoryChange[]): Promise<number> {
    if (changes.length === 0) return 0;
    const ids = changes.map((c) => c.id);
    const clusters = changes.map((c) => c.clusterId);
    const info = await apply(tx, [ids, changes.map((c) => c.canonicalUrl), changes.map((c) => c.sketch), clusters]);
    await follow(tx, [ids, clusters]);
    return info.rowCount ?? 0;
  },
};
