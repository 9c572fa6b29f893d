import type { StoredItem } from '../../base/model.js';
import { decodeExplain, explainColumn } from '../explain-json.js';
import type { BrowseFilter, CommitResult, ExistingItem, ItemInsert, ItemStory, ItemUpdate, ItemWrite, KnownRow, Lookup, OutputFilter, PlacedItem, RetagChange } from '../store.js';
import { inCluster, namedTarget, sameSet, toStoredItem, type StoryColumns, type StoryTarget } from '../rows.js';
import type { Db } from './open.js';
import type { makePageStatements } from './pages.js';

const iso = (d: Date) => d.toISOString();
/** iso() remembering its last answer. */
function lastIso(): (d: Date) => string {
  let time = NaN;
  let text = '';
  return (d) => {
    const t = d.getTime();
    if (t !== time) [time, text] = [t, d.toISOString()];
    return text;
  };
}
// A tag output walks the newest items when `limit` of its items are among the newest limit × this many ids.
export const RECENT_WINDOW_PER_ITEM = 40;

// A tag filter over `@tags` (a JSON list) as a plain condition of its statement (issue 15, BENCHMARKS.md "tagq15"),
// in one of two plans chosen per request by `tagPlan`:
// - listed: the ids of the tags' items from the slim tag index `item_tags_by_tag` (tag, item_id), each row read and
//   sorted: O(items with the tag). item_tags' own key carries each row's explanation: its tag range is ~10× bigger,
//   and SQLite picks the slim index for a list of ids. Behind `@anyTags = 0 OR` (or `@tag IS NULL OR`) the list
//   could not drive the query, and SQLite walked the newest items against the list instead.
// - probed: the newest items walked in order, each probed in the tag index, until `limit` are found: O(limit) rows,
//   where the list reads every item of the tag; for tags with at least `limit` items among the newest ones.
export const TAG_LISTED = 'id IN (SELECT item_id FROM item_tags WHERE tag IN (SELECT value FROM json_each(@tags)))';
export const TAG_PROBED = 'EXISTS (SELECT 1 FROM item_tags t WHERE t.item_id = items.id AND t.tag IN (SELECT value FROM json_each(@tags)))';

type TagPlan = 'none' | 'listed' | 'probed';
type Statement = ReturnType<Db['prepare']>;

/** EXPLAIN QUERY PLAN of a statement, one line per step (test/integration/tag-plan.test.ts). */
export const queryPlan = (db: Db, source: string, params: Record<string, unknown>): string[] =>
  (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(params) as { detail: string }[]).map((r) => r.detail);

/** Prepared statements over items and their tags; every write runs inside the caller's transaction. */
export function makeItemStatements(db: Db, pages: ReturnType<typeof makePageStatements>) {
  // One query for a whole feed's keys: a query per item cost as much as the inserts of a cold refresh.
  const findByKeys = db.prepare(
    `SELECT id, dedupe_key, content_hash, published, link, raw_digest FROM items
     WHERE source_id = ? AND dedupe_key IN (SELECT value FROM json_each(?))`,
  ).raw(true);
  const findByDigests = db.prepare(
    `SELECT raw_digest, dedupe_key, guid, link, content_hash FROM items
     WHERE source_id = ? AND raw_digest IN (SELECT value FROM json_each(?))`,
  ).raw(true);
  const setDigest = db.prepare('UPDATE items SET raw_digest = ? WHERE id = ? AND source_id = ?');
  const tombstonedKeys = db.prepare(
    'SELECT dedupe_key FROM tombstones WHERE source_id = ? AND dedupe_key IN (SELECT value FROM json_each(?))',
  ).pluck();
  const hasTombstones = db.prepare('SELECT EXISTS (SELECT 1 FROM tombstones WHERE source_id = ?)').pluck();
  const isTombstoned = db.prepare('SELECT 1 FROM tombstones WHERE source_id = ? AND dedupe_key = ?').pluck();
  // Positional parameters: binding fourteen by name cost a lookup each, for every new item. A key stored since
  // the lookup (another process refreshed the same source) makes this a no-op: its row stands.
  // The id is given, as SQLite would choose it (one above the largest; the write lock is held), so that an item of
  // its own cluster is inserted with cluster_id = id: the trigger that fills in a NULL cluster_id
  // (migrations/sqlite/0002_stories.sql) rewrote every such row and its items_by_cluster entry right after.
  const insert = db.prepare(
    `INSERT INTO items (id, uid, source_id, dedupe_key, guid, link, title, summary, content, author, categories,
                        published, updated, first_seen, content_hash, canonical_url, story_sketch, cluster_id, appearance_of, raw_digest)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source_id, dedupe_key) DO NOTHING`,
  );
  const nextId = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM items').pluck();
  // Only over the row the plan was made from: a row rewritten since keeps the newer write. OR IGNORE: a key
  // another process stored meanwhile makes moving this row to it a no-op (counted stale), not a failed refresh.
  const update = db.prepare(
    `UPDATE OR IGNORE items SET dedupe_key = ?, guid = ?, link = ?, title = ?, summary = ?, content = ?, author = ?,
       categories = ?, published = ?, updated = ?, content_hash = ?, canonical_url = coalesce(?, canonical_url), raw_digest = ?
     WHERE id = ? AND content_hash = ?`,
  );
  const deleteTags = db.prepare('DELETE FROM item_tags WHERE item_id = ?');
  const deleteOutputs = db.prepare('DELETE FROM item_outputs WHERE item_id = ?');
  const insertOutput = db.prepare('INSERT OR IGNORE INTO item_outputs (output_id, item_id) VALUES (?, ?)');
  const deleteOutput = db.prepare('DELETE FROM item_outputs WHERE output_id = ? AND item_id = ?');
  const insertTag = db.prepare('INSERT OR REPLACE INTO item_tags (tag, item_id, explain) VALUES (?, ?, ?)');
  const deleteTag = db.prepare('DELETE FROM item_tags WHERE tag = ? AND item_id = ?');
  const tagsOfItems = db.prepare(
    'SELECT item_id AS id, tag, explain FROM item_tags WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY tag',
  );
  // An item's row with its page state (full_text sources), which the API shows.
  const withPage = (q: string) =>
    `SELECT i.*, p.state AS page_state, p.error_code AS page_error_code, p.error_message AS page_error_message
     FROM (${q}) i LEFT JOIN pages p ON p.item_id = i.id`;
  // Browsing for the API: newest first, with optional story, tag, source and since filters, in pages below a cursor,
  // each row with its page state (withPage). A statement per set of filters, each a
  // plain condition (BENCHMARKS.md "browse15"): behind `@tag IS NULL OR` a tag could not drive the query (SQLite
  // walked the newest items against the tag's whole list), nor could a story use items_by_cluster.
  const browseStatements = new Map<string, Statement>();
  function browseStatement(tag: TagPlan, f: BrowseFilter): Statement {
    const key = [tag, f.cluster != null, f.source !== null, f.since !== null, f.before !== null].join();
    let statement = browseStatements.get(key);
    if (!statement) {
      const where = [
        f.cluster != null ? 'cluster_id = @cluster' : null,
        tag === 'listed' ? TAG_LISTED : tag === 'probed' ? TAG_PROBED : null,
        f.source !== null ? 'source_id = @source' : null,
        f.since !== null ? 'published >= @since' : null,
        f.before !== null ? '(published < @beforePublished OR (published = @beforePublished AND id < @beforeId))' : null,
      ].filter((c) => c !== null);
      statement = db.prepare(
        `${withPage(`SELECT * FROM items ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY published DESC, id DESC LIMIT @limit`)}
         ORDER BY i.published DESC, i.id DESC`,
      );
      browseStatements.set(key, statement);
    }
    return statement;
  }
  // One statement for every output shape: each filter is on only when its parameter says so. An appearance (a
  // source relaying an article stored from another) is never a second entry; an output limited to the relaying
  // source includes the article it relayed.
  const outputWhere = `appearance_of IS NULL
       AND (@output IS NULL OR id IN (SELECT item_id FROM item_outputs WHERE output_id = @output))
       AND (@anySources = 0 OR source_id IN (SELECT value FROM json_each(@sources))
            OR id IN (SELECT appearance_of FROM items WHERE appearance_of IS NOT NULL AND source_id IN (SELECT value FROM json_each(@sources))))
       AND (@anyExcluded = 0 OR source_id NOT IN (SELECT value FROM json_each(@excludeSources)))`;
  const selectOutput = db.prepare(`SELECT * FROM items WHERE ${outputWhere} ORDER BY published DESC, id DESC LIMIT @limit`);
  const selectOutputListed = db.prepare(`SELECT * FROM items WHERE ${TAG_LISTED} AND ${outputWhere} ORDER BY published DESC, id DESC LIMIT @limit`);
  const selectOutputNewest = db.prepare(`SELECT * FROM items WHERE ${outputWhere} AND ${TAG_PROBED} ORDER BY published DESC, id DESC LIMIT @limit`);
  // How many of the newest `window` item ids carry one of the tags, counted up to `limit` in the slim tag index
  // (a range per tag, item_id > max − window): at most `limit` entries per tag read.
  const taggedRecently = db
    .prepare(
      `SELECT count(*) FROM (
         SELECT DISTINCT item_id FROM item_tags
         WHERE tag IN (SELECT value FROM json_each(@tags)) AND item_id > (SELECT coalesce(max(id), 0) FROM items) - @window
         LIMIT @limit)`,
    )
    .pluck();
  /** Which plan a tag filter (`tags`, JSON) gets: the walk of the newest items only when no other filter is
   * selective (`selective`: with sources, a query or a story it could read every row) and `limit` of the tags' items
   * are among the newest ones; the list otherwise. Outputs (`select`) and the API's browse (`browse`) share it. */
  function tagPlan(tags: string, limit: number, selective: boolean): TagPlan {
    if (tags === '[]') return 'none';
    if (selective) return 'listed';
    return (taggedRecently.get({ tags, window: limit * RECENT_WINDOW_PER_ITEM, limit }) as number) >= limit ? 'probed' : 'listed';
  }
  /** The statement and parameters for an output. */
  function outputQuery(f: OutputFilter) {
    const tags = JSON.stringify(f.tags);
    const plan = tagPlan(tags, f.limit, f.output !== null || f.sources.length > 0);
    const excluded = f.excludeSources ?? [];
    const params = {
      tags,
      output: f.output,
      anySources: f.sources.length > 0 ? 1 : 0,
      sources: JSON.stringify(f.sources),
      anyExcluded: excluded.length > 0 ? 1 : 0,
      excludeSources: JSON.stringify(excluded),
      limit: f.limit,
    };
    return [{ none: selectOutput, listed: selectOutputListed, probed: selectOutputNewest }[plan], params] as const;
  }
  /** The statement and parameters for the API's browse. A story's few items are read from items_by_cluster and
   * each probed for the tag; a page below a cursor is walked or listed as a first page would be. */
  function browseQuery(f: BrowseFilter) {
    const tags = JSON.stringify(f.tag === null ? [] : [f.tag]);
    const plan = f.cluster != null && f.tag !== null ? 'probed' : tagPlan(tags, f.limit, f.source !== null);
    const params = {
      tags,
      cluster: f.cluster ?? null,
      source: f.source,
      since: f.since?.toISOString() ?? null,
      beforePublished: f.before?.published ?? null,
      beforeId: f.before?.id ?? null,
      limit: f.limit,
    };
    return [browseStatement(plan, f), params] as const;
  }
  const byId = db.prepare(withPage('SELECT * FROM items WHERE id = ?'));
  // uid and link have no index (one would slow every insert, migrations/sqlite/0001_init.sql): these serve
  // the CLI's look-ups, where a scan of the table is fine.
  const byUid = db.prepare(withPage('SELECT * FROM items WHERE uid = ? LIMIT 1'));
  const byLink = db.prepare(withPage('SELECT * FROM items WHERE link = ? ORDER BY id DESC LIMIT 1'));
  // What a re-tag read (retag-rows.ts): the feed's content hash, and when the item's page was last read, so a page
  // written between a range's read and its apply makes the apply skip the item (its tags came from the page).
  const hashOf = db.prepare(
    "SELECT i.content_hash || coalesce('@' || p.fetched_at, '') FROM items i LEFT JOIN pages p ON p.item_id = i.id WHERE i.id = ?",
  ).pluck();
  const explainsOfItem = db.prepare('SELECT tag, explain FROM item_tags WHERE item_id = ?').raw(true);
  const outputsOfItem = db.prepare('SELECT output_id FROM item_outputs WHERE item_id = ?').pluck();
  const countsByTag = db.prepare('SELECT tag, count(*) AS n FROM item_tags GROUP BY tag');
  // A story's target as the plan saw it: a cluster with no member left (pruned meanwhile) is not joined.
  const clusterExists = db.prepare('SELECT EXISTS (SELECT 1 FROM items WHERE cluster_id = ?)').pluck();
  const storyRow = db.prepare('SELECT cluster_id, appearance_of FROM items WHERE id = ?').raw(true);
  // A takeover (ItemStory.takeOver): the relay and its appearances become appearances of the outlet's item.
  const takeOver = db.prepare('UPDATE items SET appearance_of = @id WHERE appearance_of = @relay OR id = @relay');

  function withTags(rows: Record<string, unknown>[]): StoredItem[] {
    if (rows.length === 0) return [];
    const tags = new Map<number, { tag: string; explain: string | null }[]>();
    for (const r of tagsOfItems.all(JSON.stringify(rows.map((x) => x.id))) as { id: number; tag: string; explain: string | null }[]) {
      const list = tags.get(r.id);
      if (list) list.push(r);
      else tags.set(r.id, [r]);
    }
    return rows.map((r) => {
      const list = tags.get(r.id as number) ?? [];
      const matches = list.flatMap((t) => decodeExplain(t.explain).map((m) => ({ tag: t.tag, ...m })));
      return { ...toStoredItem(r, list.map((t) => t.tag)), matches };
    });
  }

  const storyColumns = (id: number): StoryColumns | undefined => {
    const row = storyRow.get(id) as [number, number | null] | undefined;
    return row && { cluster: row[0], appearanceOf: row[1] };
  };

  /** The cluster, appearance and takeover a new item is stored with, re-checked against what is stored now. */
  function storyTarget(s: ItemStory, placed: ReadonlyMap<number, PlacedItem>): StoryTarget {
    const named = s.takeOver ?? s.appearanceOf;
    if (named != null) {
      const row = storyColumns(named);
      const target = namedTarget(s, named, row, row?.appearanceOf != null ? storyColumns(row.appearanceOf) : undefined);
      if (target) return target;
    }
    const c = s.cluster;
    if (c === null) return inCluster(null);
    if (typeof c === 'number') return inCluster(clusterExists.get(c) === 1 ? c : null);
    // An earlier insert of this commit; one dropped as stale leaves this item a cluster of its own.
    return inCluster(placed.get(c.insert)?.clusterId ?? null);
  }

  function writeLabels(id: number, w: ItemWrite): void {
    for (const t of w.tags) insertTag.run(t.tag, id, explainColumn(t.explain));
    for (const o of w.outputs) insertOutput.run(o, id);
  }

  return {
    withTags,
    tagPlan,
    lookup(sourceId: string, keys: readonly string[]): Lookup {
      const json = JSON.stringify(keys);
      const byKey = new Map<string, ExistingItem>();
      for (const [id, key, contentHash, published, link, rawDigest] of findByKeys.all(sourceId, json) as [number, string, string, string, string | null, string | null][]) {
        byKey.set(key, { id, key, contentHash, published, link, rawDigest });
      }
      // Most sources have never been pruned: one cheap query instead of a look-up per key.
      const tombstoned = hasTombstones.get(sourceId) === 1 ? new Set(tombstonedKeys.all(sourceId, json) as string[]) : new Set<string>();
      return { byKey, tombstoned };
    },

    known(sourceId: string, digests: readonly string[]): Map<string, KnownRow> {
      const out = new Map<string, KnownRow>();
      if (digests.length === 0) return out;
      for (const [digest, key, guid, link, contentHash] of findByDigests.all(sourceId, JSON.stringify(digests)) as [string, string, string | null, string | null, string][]) {
        out.set(digest, { key, guid, link, contentHash });
      }
      return out;
    },

    /** Gives unchanged rows of the source the digest of the raw text they were read from (inside the caller's transaction). */
    setDigests(sourceId: string, digests: readonly { id: number; rawDigest: string }[]): void {
      for (const d of digests) setDigest.run(d.rawDigest, d.id, sourceId);
    },

    /** Writes one refresh's new and changed items (inside the caller's transaction). */
    commit(sourceId: string, inserts: readonly ItemInsert[], updates: readonly ItemUpdate[], now: Date): CommitResult {
      const result: CommitResult = { inserted: 0, updated: 0, stale: 0, pruned: 0 };
      const pruned = inserts.length > 0 && hasTombstones.get(sourceId) === 1;
      const placed = inserts.some((it) => it.story) ? new Map<number, PlacedItem>() : null;
      let next = inserts.length > 0 ? (nextId.get() as number) : 0;
      // A refresh's items share their first-seen instant, and most have updated = published: each text made once.
      const seenAt = lastIso();
      const datedAt = lastIso();
      inserts.forEach((it, index) => {
        // Pruned by retention since the lookup: it must not come back as new.
        if (pruned && isTombstoned.get(sourceId, it.key)) {
          result.stale++;
          return;
        }
        const s = it.story;
        const target = s ? storyTarget(s, placed!) : inCluster(null);
        const id = next;
        const cluster = target.cluster ?? id;
        const info = insert.run(
          id, it.uid, sourceId, it.key, it.guid, it.link, it.title, it.summary, it.content, it.author,
          JSON.stringify(it.categories), datedAt(it.published), datedAt(it.updated), seenAt(it.firstSeen), it.contentHash,
          it.canonicalUrl ?? null, s?.sketch ?? null, cluster, target.appearanceOf, it.rawDigest ?? null,
        );
        if (info.changes === 0) {
          result.stale++;
          return;
        }
        next++;
        if (target.takeOver !== null) takeOver.run({ id, relay: target.takeOver });
        if (placed) placed.set(index, { index, id, clusterId: cluster, appearanceOf: target.appearanceOf, ...(target.takeOver !== null ? { tookOver: target.takeOver } : {}) });
        writeLabels(id, it);
        if (it.page) pages.request(id, sourceId, it.page, now);
        result.inserted++;
      });
      if (placed) result.placed = [...placed.values()];
      for (const it of updates) {
        const info = update.run(
          it.key, it.guid, it.link, it.title, it.summary, it.content, it.author, JSON.stringify(it.categories),
          iso(it.published), iso(it.updated), it.contentHash, it.canonicalUrl ?? null, it.rawDigest ?? null, it.id, it.expectedHash,
        );
        if (info.changes === 0) {
          result.stale++;
          continue;
        }
        deleteTags.run(it.id);
        deleteOutputs.run(it.id);
        writeLabels(it.id, it);
        // The feed changed the item: its page is read again (or forgotten, full_text being off now).
        pages.request(it.id, sourceId, it.page, now);
        result.updated++;
      }
      return result;
    },

    /** Replaces an item's tags and outputs (a read page re-classified it). */
    relabel(id: number, tags: ItemWrite['tags'], outputs: ItemWrite['outputs']): void {
      deleteTags.run(id);
      deleteOutputs.run(id);
      for (const t of tags) insertTag.run(t.tag, id, explainColumn(t.explain));
      for (const o of outputs) insertOutput.run(o, id);
    },

    select(f: OutputFilter): StoredItem[] {
      const [statement, params] = outputQuery(f);
      return withTags(statement.all(params) as Record<string, unknown>[]);
    },

    /** EXPLAIN QUERY PLAN of the statement `select(f)` runs, one line per step (test/integration/tag-plan.test.ts). */
    outputPlan(f: OutputFilter): string[] {
      const [statement, params] = outputQuery(f);
      return queryPlan(db, statement.source, params);
    },

    browse(f: BrowseFilter): StoredItem[] {
      const [statement, params] = browseQuery(f);
      return withTags(statement.all(params) as Record<string, unknown>[]);
    },

    /** EXPLAIN QUERY PLAN of the statement `browse(f)` runs (test/integration/tag-plan.test.ts). */
    browsePlan(f: BrowseFilter): string[] {
      const [statement, params] = browseQuery(f);
      return queryPlan(db, statement.source, params);
    },

    find(ref: { id: number } | { uid: string } | { link: string }): StoredItem | null {
      const row = ('id' in ref ? byId.get(ref.id) : 'uid' in ref ? byUid.get(ref.uid) : byLink.get(ref.link)) as Record<string, unknown> | undefined;
      return row ? withTags([row])[0]! : null;
    },

    countsByTag(): Map<string, number> {
      return new Map((countsByTag.all() as { tag: string; n: number }[]).map((r) => [r.tag, r.n]));
    },

    /** Writes a re-tag's changes (inside the caller's transaction); returns how many items changed. */
    applyRetag(changes: readonly RetagChange[]): { changed: number; explained: number } {
      let changed = 0;
      let explained = 0;
      for (const c of changes) {
        // Classified from a snapshot: an item pruned or rewritten since then was (or will be) handled by the
        // refresh or retention that touched it, with the current rules.
        if (hashOf.get(c.id) !== c.contentHash) continue;
        // The diff is taken again here, against what is stored now, so nothing unchanged is rewritten.
        const before = new Map(explainsOfItem.all(c.id) as [string, string | null][]);
        const after = new Set(c.tags.map((t) => t.tag));
        const outBefore = new Set(outputsOfItem.all(c.id) as string[]);
        const outAfter = new Set(c.outputs);
        const membership = !sameSet(new Set(before.keys()), after) || !sameSet(outBefore, outAfter);
        let rewritten = false;
        for (const [t] of before) if (!after.has(t)) deleteTag.run(t, c.id);
        c.tags.forEach((t, k) => {
          if (before.get(t.tag) === c.explains[k]) return;
          insertTag.run(t.tag, c.id, c.explains[k]); // OR REPLACE: a kept tag gets its new explanation
          rewritten = true;
        });
        for (const o of outBefore) if (!outAfter.has(o)) deleteOutput.run(o, c.id);
        for (const o of outAfter) if (!outBefore.has(o)) insertOutput.run(o, c.id);
        if (membership) changed++;
        else if (rewritten) explained++;
      }
      return { changed, explained };
    },
  };
}
