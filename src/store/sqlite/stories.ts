import type { StoredItem } from '../../base/model.js';
import type { CanonicalArticle, ClusterFilter, FirstStored, SketchRow, StoredCluster, StoryChange, StoryRow } from '../store.js';
import { asDate } from '../rows.js';
import { queryPlan, TAG_LISTED, TAG_PROBED, type makeItemStatements } from './items.js';
import type { Db } from './open.js';

type Statement = ReturnType<Db['prepare']>;

type Row = Record<string, unknown>;

/**
 * Stories (issue 13) over SQLite: the members the story index is built from, clusters for outputs and the API,
 * and the re-cluster job's reads and writes. Appearances (rows relaying another source's article) are never
 * members: a story counts articles, not relays.
 */
export function makeStoryStatements(db: Db, { withTags, tagPlan }: Pick<ReturnType<typeof makeItemStatements>, 'withTags' | 'tagPlan'>) {
  // With the article's source's feed URL and site link: the plan decides whether the article is that source's
  // own or a relay an outlet's own item takes over (src/stories/outlet.ts).
  const byCanonical = db.prepare(
    `SELECT i.canonical_url, i.id, i.source_id, s.url, s.site_url FROM items i LEFT JOIN sources s ON s.id = i.source_id
     WHERE i.id IN (SELECT min(id) FROM items
                    WHERE canonical_url IN (SELECT value FROM json_each(?)) AND source_id <> ? AND appearance_of IS NULL
                    GROUP BY canonical_url)`,
  ).raw(true);
  // The first stored row of an article: an appearance below its id is a relay it took over.
  const firstStored = db.prepare(
    `SELECT a.appearance_of, a.id, a.uid FROM items a
     WHERE a.id IN (SELECT min(id) FROM items WHERE appearance_of IN (SELECT value FROM json_each(?)) GROUP BY appearance_of)
       AND a.id < a.appearance_of`,
  ).raw(true);
  const newestId = db.prepare('SELECT coalesce(max(id), 0) FROM items').pluck();
  // What was stored since the last read: a range of ids (the primary key; `+published` keeps the planner off
  // items_by_published, which would visit the whole window instead of the few rows added since).
  const members = db.prepare(
    `SELECT id, source_id, cluster_id, published, story_sketch FROM items
     WHERE id > ? AND id <= ? AND +published >= ? AND appearance_of IS NULL AND story_sketch IS NOT NULL
     ORDER BY id LIMIT ?`,
  ).raw(true);
  // The window at a first load: items_by_published from the window's start, page after page by (published, id).
  const window = db.prepare(
    `SELECT id, source_id, cluster_id, published, story_sketch FROM items
     WHERE (published, id) > (?, ?) AND id <= ? AND appearance_of IS NULL AND story_sketch IS NOT NULL
     ORDER BY published, id LIMIT ?`,
  ).raw(true);
  const toRows = (rows: unknown[]): StoryRow[] =>
    (rows as [number, string, number, string, string][]).map(([id, sourceId, clusterId, published, sketch]) => ({
      id, sourceId, clusterId, published: new Date(published), sketch,
    }));
  const ofClusters = db.prepare(
    `SELECT * FROM items WHERE cluster_id IN (SELECT value FROM json_each(?)) AND appearance_of IS NULL
     ORDER BY published, id`,
  );
  const sizes = db.prepare(
    `SELECT cluster_id, count(*) FROM items WHERE cluster_id IN (SELECT value FROM json_each(?)) AND appearance_of IS NULL
     GROUP BY cluster_id`,
  ).raw(true);
  // Newest story first: by its newest member. Only what the filter lets through counts (a tag on any member).
  // Grouping every row the filter lets through read them all, as no plan stops a GROUP BY early (BENCHMARKS.md
  // "browse15", "clusters15"): with no tag, or a tag common among the newest items, the newest items are walked in
  // order instead (`walk`; a tag probed in the tag index for each): a story's first member met is its newest. A
  // rarer tag is a condition of its own statement that lists its ids from the slim item_tags_by_tag, grouped
  // (O(items with the tag)); behind `@tag IS NULL OR` SQLite walked every item against the tag's whole list.
  const filters = `appearance_of IS NULL
         AND (@since IS NULL OR published >= @since)
         AND (@anyExcluded = 0 OR source_id NOT IN (SELECT value FROM json_each(@excluded)))`;
  const listTagged = db.prepare(
    `SELECT cluster_id, max(published) AS newest FROM items WHERE ${TAG_LISTED} AND ${filters}
     GROUP BY cluster_id ORDER BY newest DESC, cluster_id DESC LIMIT @limit`,
  ).raw(true);
  // The walk's rows, newest first (items_by_published); `probe` is the tag's condition, if any.
  const walkFrom = (probe: string) =>
    db.prepare(`SELECT cluster_id, published FROM items WHERE ${filters}${probe} ORDER BY published DESC, id DESC`).raw(true);
  const newestAll = walkFrom('');
  const newestTagged = walkFrom(` AND ${TAG_PROBED}`);
  const listQuery = (f: ClusterFilter) => {
    const excluded = f.excludeSources ?? [];
    const tags = JSON.stringify(f.tag === null ? [] : [f.tag]);
    const params = {
      tags,
      since: f.since?.toISOString() ?? null,
      anyExcluded: excluded.length > 0 ? 1 : 0,
      excluded: JSON.stringify(excluded),
      limit: f.limit,
    };
    const plan = tagPlan(tags, f.limit, false);
    return [plan === 'none' ? newestAll : plan === 'listed' ? listTagged : newestTagged, params] as const;
  };
  /** The walk: stories in the order their newest member is met, until `limit` are known and the walk is past the
   * last one's instant (a story met later at that same instant may sort before it, by cluster id). */
  function walk(statement: Statement, params: ReturnType<typeof listQuery>[1]): (number | null)[] {
    if (params.limit < 1) return [];
    const newest = new Map<number | null, string>();
    let last: string | null = null;
    for (const [cluster, published] of statement.iterate(params) as IterableIterator<[number | null, string]>) {
      if (last !== null && published < last) break;
      if (!newest.has(cluster)) newest.set(cluster, published);
      if (last === null && newest.size === params.limit) last = published;
    }
    const id = (c: number | null) => c ?? -Infinity; // NULL sorts last in `cluster_id DESC`
    return [...newest]
      .sort(([a, x], [b, y]) => (x === y ? id(b) - id(a) : x < y ? 1 : -1))
      .slice(0, params.limit)
      .map(([c]) => c);
  }
  const appearances = db.prepare(
    'SELECT appearance_of, source_id FROM items WHERE appearance_of IN (SELECT value FROM json_each(?)) ORDER BY id',
  ).raw(true);
  const readRange = db.prepare(
    `SELECT id, source_id, link, canonical_url, title, summary, content, published, cluster_id, story_sketch FROM items
     WHERE published >= ? AND id > ? AND appearance_of IS NULL ORDER BY id LIMIT ?`,
  ).raw(true);
  const apply = db.prepare('UPDATE items SET canonical_url = ?, story_sketch = ?, cluster_id = ? WHERE id = ? AND appearance_of IS NULL');
  // Appearances follow their article into its new cluster.
  const follow = db.prepare('UPDATE items SET cluster_id = ? WHERE appearance_of = ?');

  return {
    byCanonical(sourceId: string, urls: readonly string[]): Map<string, CanonicalArticle> {
      if (urls.length === 0) return new Map();
      type R = [string, number, string, string | null, string | null];
      return new Map((byCanonical.all(JSON.stringify(urls), sourceId) as R[]).map(([url, id, source, feedUrl, siteUrl]) => [url, { id, sourceId: source, sourceUrls: [feedUrl, siteUrl] }]));
    },
    firstStored(itemIds: readonly number[]): Map<number, FirstStored> {
      if (itemIds.length === 0) return new Map();
      return new Map((firstStored.all(JSON.stringify(itemIds)) as [number, number, string][]).map(([article, id, uid]) => [article, { id, uid }]));
    },
    newestId(): number {
      return newestId.get() as number;
    },
    members(since: Date, afterId: number, uptoId: number, limit: number): StoryRow[] {
      return toRows(members.all(afterId, uptoId, since.toISOString(), limit));
    },
    window(since: Date, uptoId: number, after: { published: Date; id: number } | null, limit: number): StoryRow[] {
      // From `since`: every id is above 0, so (since, 0) starts at the window's first item.
      return toRows(window.all((after?.published ?? since).toISOString(), after?.id ?? 0, uptoId, limit));
    },
    clusters(ids: readonly number[]): Map<number, StoredItem[]> {
      const out = new Map<number, StoredItem[]>();
      if (ids.length === 0) return out;
      for (const item of withTags(ofClusters.all(JSON.stringify(ids)) as Row[])) {
        const list = out.get(item.clusterId!);
        if (list) list.push(item);
        else out.set(item.clusterId!, [item]);
      }
      return out;
    },
    sizes(ids: readonly number[]): Map<number, number> {
      if (ids.length === 0) return new Map();
      return new Map(sizes.all(JSON.stringify(ids)) as [number, number][]);
    },
    list(f: ClusterFilter): StoredCluster[] {
      const [statement, params] = listQuery(f);
      const ids = (statement === listTagged ? (statement.all(params) as [number, string][]).map(([id]) => id) : walk(statement, params)) as number[];
      const members = this.clusters(ids);
      const hidden = new Set(f.excludeSources ?? []);
      return ids.map((clusterId) => ({ clusterId, members: (members.get(clusterId) ?? []).filter((m) => !hidden.has(m.sourceId)) }));
    },
    /** EXPLAIN QUERY PLAN of the statement `list(f)` runs (test/integration/tag-plan.test.ts). */
    listPlan(f: ClusterFilter): string[] {
      const [statement, params] = listQuery(f);
      return queryPlan(db, statement.source, params);
    },
    appearances(itemIds: readonly number[]): Map<number, string[]> {
      const out = new Map<number, string[]>();
      if (itemIds.length === 0) return out;
      for (const [id, source] of appearances.all(JSON.stringify(itemIds)) as [number, string][]) {
        const list = out.get(id);
        if (list) list.push(source);
        else out.set(id, [source]);
      }
      return out;
    },
    readRange(since: Date, afterId: number, limit: number): SketchRow[] {
      type R = [number, string, string | null, string | null, string, string | null, string | null, string, number, string | null];
      return (readRange.all(since.toISOString(), afterId, limit) as R[]).map(
        ([id, sourceId, link, canonicalUrl, title, summary, content, published, clusterId, sketch]) => ({
          id, sourceId, link, canonicalUrl, title, summary, content, published: asDate(published)!, clusterId, sketch,
        }),
      );
    },
    /** Writes a re-cluster range (inside the caller's transaction); counts the items written. */
    apply(changes: readonly StoryChange[]): number {
      let n = 0;
      for (const c of changes) {
        if (apply.run(c.canonicalUrl, c.sketch, c.clusterId, c.id).changes > 0) n++;
        follow.run(c.clusterId, c.id);
      }
      return n;
    },
  };
}
