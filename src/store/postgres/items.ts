import type { StoredItem } from '../../base/model.js';
import { decodeExplain, explainColumn } from '../explain-json.js';
import type { BrowseFilter, CommitResult, ExistingItem, ItemInsert, ItemStory, ItemUpdate, ItemWrite, KnownRow, Lookup, OutputFilter, PlacedItem, RetagChange } from '../store.js';
import { inCluster, namedTarget, sameSet, toStoredItem, type StoryColumns, type StoryTarget } from '../rows.js';
import { PRUNE_LOCK } from './locks.js';
import { pages } from './pages.js';
import { plannedEachRun, statement, type Queryable } from './statement.js';

// One query for a whole feed's keys: a query per item would cost as much as the inserts of a cold refresh.
const findByKeys = statement(
  'items_find_by_keys',
  'SELECT id, dedupe_key, content_hash, published, link, raw_digest FROM items WHERE source_id = $1 AND dedupe_key = ANY($2::text[])',
);
const findByDigests = statement(
  'items_find_by_digests',
  'SELECT raw_digest, dedupe_key, guid, link, content_hash FROM items WHERE source_id = $1 AND raw_digest = ANY($2::text[])',
);
const setDigests = statement(
  'items_set_digests',
  'UPDATE items SET raw_digest = d.digest FROM unnest($2::bigint[], $3::text[]) AS d(id, digest) WHERE items.id = d.id AND items.source_id = $1',
);
const tombstonedKeys = statement('items_tombstoned', 'SELECT dedupe_key FROM tombstones WHERE source_id = $1 AND dedupe_key = ANY($2::text[])');
const sharePruneLock = statement('items_share_prune_lock', 'SELECT pg_advisory_xact_lock_shared($1, $2)');
// A key stored since the lookup (another writer refreshed the same source) makes this a no-op: its row stands.
const insert = statement(
  'items_insert',
  `INSERT INTO items (uid, source_id, dedupe_key, guid, link, title, summary, content, author, categories,
                      published, updated, first_seen, content_hash, canonical_url, story_sketch, cluster_id, appearance_of, raw_digest)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
   ON CONFLICT (source_id, dedupe_key) DO NOTHING
   RETURNING id, cluster_id`,
);
// Only over the row the plan was made from: a row rewritten since keeps the newer write. A key another row
// holds meanwhile makes moving this row to it a no-op (counted stale), as SQLite's UPDATE OR IGNORE; a key
// stored by a transaction still in flight fails the commit with unique_violation, which is retried.
const update = statement(
  'items_update',
  `UPDATE items SET dedupe_key = $1, guid = $2, link = $3, title = $4, summary = $5, content = $6, author = $7,
     categories = $8, published = $9, updated = $10, content_hash = $11, canonical_url = coalesce($14, canonical_url), raw_digest = $15
   WHERE id = $12 AND content_hash = $13
     AND NOT EXISTS (SELECT 1 FROM items o WHERE o.source_id = items.source_id AND o.dedupe_key = $1 AND o.id <> items.id)`,
);
const deleteLabels = statement(
  'items_delete_labels',
  'WITH t AS (DELETE FROM item_tags WHERE item_id = ANY($1::bigint[])) DELETE FROM item_outputs WHERE item_id = ANY($1::bigint[])',
);
// Labels of a whole refresh (or re-tag range) in one statement each. ON CONFLICT: a kept tag gets its new
// explanation (SQLite's INSERT OR REPLACE).
const insertTags = statement(
  'items_insert_tags',
  `INSERT INTO item_tags (tag, item_id, explain) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
   ON CONFLICT (tag, item_id) DO UPDATE SET explain = excluded.explain`,
);
const insertOutputs = statement(
  'items_insert_outputs',
  'INSERT INTO item_outputs (output_id, item_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING',
);
const deleteTags = statement(
  'items_delete_tags',
  'DELETE FROM item_tags t USING unnest($1::text[], $2::bigint[]) AS d (tag, item_id) WHERE t.tag = d.tag AND t.item_id = d.item_id',
);
const deleteOutputs = statement(
  'items_delete_outputs',
  'DELETE FROM item_outputs o USING unnest($1::text[], $2::bigint[]) AS d (output_id, item_id) WHERE o.output_id = d.output_id AND o.item_id = d.item_id',
);

// An item with its tags and their explanations in one row (tags in byte order, COLLATE "C"), so a page never
// mixes an item with tags from another moment.
export const WITH_TAGS = `items.*,
  (SELECT state FROM pages p WHERE p.item_id = items.id) AS page_state,
  (SELECT error_code FROM pages p WHERE p.item_id = items.id) AS page_error_code,
  (SELECT error_message FROM pages p WHERE p.item_id = items.id) AS page_error_message,
  ARRAY(SELECT tag FROM item_tags t WHERE t.item_id = items.id ORDER BY tag) AS tag_names,
  ARRAY(SELECT explain FROM item_tags t WHERE t.item_id = items.id ORDER BY tag) AS tag_explains`;
// A tag list (`$1`, text[]) as a plain condition of a statement of its own (issue 15, BENCHMARKS.md "tagq15"): the
// planner weighs the tag by its statistics, walking the newest items with a probe of item_tags_by_item each for a
// common tag (O(limit)) and sorting a rare tag's items. Behind `cardinality($1) = 0 OR` (or `$1 IS NULL OR`) it could
// do neither: a common tag hashed every item_tags row first, a rare one walked every item. Planned at each run
// (`plannedEachRun`): a cached generic plan knows no tag, and may walk every item for a rare one.
export const tagged = (list: string) => `id IN (SELECT item_id FROM item_tags WHERE tag = ANY(${list}::text[]))`;
// Browsing for the API: newest first, with optional tag, source and since filters, in pages below a cursor. A tag is
// a condition of a statement of its own (`tagged`), as an output's: behind `$1 IS NULL OR` it could not drive.
const browseWhere = `($7::bigint IS NULL OR cluster_id = $7)
     AND ($2::text IS NULL OR source_id = $2)
     AND ($3::timestamptz IS NULL OR published >= $3)
     AND ($4::timestamptz IS NULL OR published < $4 OR (published = $4 AND id < $5))`;
const browse = statement(
  'items_browse',
  `SELECT ${WITH_TAGS} FROM items WHERE $1::text[] IS NULL AND ${browseWhere} ORDER BY published DESC, id DESC LIMIT $6`,
);
const browseTagged = plannedEachRun(
  'items_browse_tagged',
  `SELECT ${WITH_TAGS} FROM items WHERE ${tagged('$1')} AND ${browseWhere} ORDER BY published DESC, id DESC LIMIT $6`,
);
// Every output shape: each filter is on only when its array is not empty. An appearance is never a second entry;
// an output limited to the relaying source includes the article it relayed.
const OUTPUT_WHERE = `appearance_of IS NULL
     AND ($2::text IS NULL OR id IN (SELECT item_id FROM item_outputs WHERE output_id = $2))
     AND (cardinality($3::text[]) = 0 OR source_id = ANY($3)
          OR id IN (SELECT a.appearance_of FROM items a WHERE a.appearance_of IS NOT NULL AND a.source_id = ANY($3)))
     AND (cardinality($4::text[]) = 0 OR source_id <> ALL($4))`;
const selectOutput = statement(
  'items_select',
  `SELECT ${WITH_TAGS} FROM items WHERE cardinality($1::text[]) = 0 AND ${OUTPUT_WHERE} ORDER BY published DESC, id DESC LIMIT $5`,
);
const selectOutputTagged = plannedEachRun(
  'items_select_tagged',
  `SELECT ${WITH_TAGS} FROM items WHERE ${tagged('$1')} AND ${OUTPUT_WHERE} ORDER BY published DESC, id DESC LIMIT $5`,
);
const byId = statement('items_by_id', `SELECT ${WITH_TAGS} FROM items WHERE id = $1`);
// uid and link have no index (one would slow every insert): these serve the CLI's look-ups.
const byUid = statement('items_by_uid', `SELECT ${WITH_TAGS} FROM items WHERE uid = $1 LIMIT 1`);
const byLink = statement('items_by_link', `SELECT ${WITH_TAGS} FROM items WHERE link = $1 ORDER BY id DESC LIMIT 1`);
const countsByTag = statement('items_counts_by_tag', 'SELECT tag, count(*) AS n FROM item_tags GROUP BY tag');
// A story's target as the plan saw it: a cluster with no member left (pruned meanwhile) is not joined. FOR SHARE:
// retention cannot remove the member until this commit ends.
const clusterMember = statement('items_cluster_member', 'SELECT id FROM items WHERE cluster_id = $1 LIMIT 1 FOR SHARE');
// FOR SHARE: the article stays until this commit ends. A row taken over meanwhile (see takeOver) is read once
// its takeover commits, pointing at its new article.
const storyRow = statement('items_story_row', 'SELECT cluster_id, appearance_of FROM items WHERE id = $1 FOR SHARE');
// FOR UPDATE: a relay this item takes over (ItemStory.takeOver); a second takeover of it waits, then finds it taken.
const storyRowForTakeover = statement('items_story_row_for_takeover', 'SELECT cluster_id, appearance_of FROM items WHERE id = $1 FOR UPDATE');
// A takeover: the relay and its appearances become appearances of the outlet's item.
const takeOver = statement('items_take_over', 'UPDATE items SET appearance_of = $1 WHERE appearance_of = $2 OR id = $2');
// Locks the rows a re-tag is about to change: a refresh or a prune of one of them waits for this transaction,
// and one that got there first shows here as a new hash or a missing row.
const lockForRetag = statement(
  'items_lock_for_retag',
  `SELECT i.id, i.content_hash || coalesce('@' || (SELECT p.fetched_at::text FROM pages p WHERE p.item_id = i.id), '') AS content_hash,
     ARRAY(SELECT tag FROM item_tags t WHERE t.item_id = i.id) AS tags,
     ARRAY(SELECT explain FROM item_tags t WHERE t.item_id = i.id) AS explains,
     ARRAY(SELECT output_id FROM item_outputs o WHERE o.item_id = i.id) AS outputs
   FROM items i WHERE i.id = ANY($1::bigint[]) ORDER BY i.id FOR UPDATE`,
);

/** Labels to write, column by column (for unnest). */
class Labels {
  tags: string[] = [];
  tagItems: number[] = [];
  explains: (string | null)[] = [];
  outputs: string[] = [];
  outputItems: number[] = [];
  add(id: number, w: ItemWrite): void {
    for (const t of w.tags) {
      this.tags.push(t.tag);
      this.tagItems.push(id);
      this.explains.push(explainColumn(t.explain));
    }
    for (const o of w.outputs) {
      this.outputs.push(o);
      this.outputItems.push(id);
    }
  }
  async write(db: Queryable): Promise<void> {
    if (this.tags.length > 0) await insertTags(db, [this.tags, this.tagItems, this.explains]);
    if (this.outputs.length > 0) await insertOutputs(db, [this.outputs, this.outputItems]);
  }
}

/** Items and their labels; writes run on the caller's transaction client. */
export const items = {
  async lookup(db: Queryable, sourceId: string, keys: readonly string[]): Promise<Lookup> {
    const byKey = new Map<string, ExistingItem>();
    const tombstoned = new Set<string>();
    if (keys.length === 0) return { byKey, tombstoned };
    const found = await findByKeys<{ id: number; dedupe_key: string; content_hash: string; published: Date; link: string | null; raw_digest: string | null }>(db, [sourceId, keys]);
    for (const r of found.rows) byKey.set(r.dedupe_key, { id: r.id, key: r.dedupe_key, contentHash: r.content_hash, published: r.published.toISOString(), link: r.link, rawDigest: r.raw_digest });
    for (const r of (await tombstonedKeys<{ dedupe_key: string }>(db, [sourceId, keys])).rows) tombstoned.add(r.dedupe_key);
    return { byKey, tombstoned };
  },

  async known(db: Queryable, sourceId: string, digests: readonly string[]): Promise<Map<string, KnownRow>> {
    const out = new Map<string, KnownRow>();
    if (digests.length === 0) return out;
    const { rows } = await findByDigests<{ raw_digest: string; dedupe_key: string; guid: string | null; link: string | null; content_hash: string }>(db, [sourceId, digests]);
    for (const r of rows) out.set(r.raw_digest, { key: r.dedupe_key, guid: r.guid, link: r.link, contentHash: r.content_hash });
    return out;
  },

  /** Gives unchanged rows of the source the digest of the raw text they were read from (on the caller's transaction). */
  async setDigests(tx: Queryable, sourceId: string, digests: readonly { id: number; rawDigest: string }[]): Promise<void> {
    if (digests.length > 0) await setDigests(tx, [sourceId, digests.map((d) => d.id), digests.map((d) => d.rawDigest)]);
  },

  /** Writes one refresh's new and changed items (on the caller's transaction). */
  async commit(tx: Queryable, sourceId: string, inserts: readonly ItemInsert[], updates: readonly ItemUpdate[], now: Date): Promise<CommitResult> {
    const result: CommitResult = { inserted: 0, updated: 0, stale: 0, pruned: 0 };
    const labels = new Labels();
    // Pages to queue: a new item's when asked; a changed item's is read again (or forgotten, full_text being off).
    const paged: { id: number; page: ItemWrite['page'] }[] = [];
    if (inserts.length > 0) {
      // Pruned by retention since the lookup: it must not come back as new (see PRUNE_LOCK).
      await sharePruneLock(tx, PRUNE_LOCK);
      const pruned = new Set((await tombstonedKeys<{ dedupe_key: string }>(tx, [sourceId, inserts.map((i) => i.key)])).rows.map((r) => r.dedupe_key));
      const placed = inserts.some((it) => it.story) ? new Map<number, PlacedItem>() : null;
      for (const [index, it] of inserts.entries()) {
        if (pruned.has(it.key)) {
          result.stale++;
          continue;
        }
        const s = it.story;
        const target = s ? await storyTarget(tx, s, placed!) : inCluster(null);
        const { rows } = await insert<{ id: number; cluster_id: number }>(tx, [
          it.uid, sourceId, it.key, it.guid, it.link, it.title, it.summary, it.content, it.author,
          JSON.stringify(it.categories), it.published, it.updated, it.firstSeen, it.contentHash,
          it.canonicalUrl ?? null, s?.sketch ?? null, target.cluster, target.appearanceOf, it.rawDigest ?? null,
        ]);
        if (rows.length === 0) {
          result.stale++;
          continue;
        }
        const id = Number(rows[0]!.id);
        // A cluster of its own is the trigger's (migrations/postgres/0002_stories.sql).
        if (target.takeOver !== null) await takeOver(tx, [id, target.takeOver]);
        if (placed) placed.set(index, { index, id, clusterId: Number(rows[0]!.cluster_id), appearanceOf: target.appearanceOf, ...(target.takeOver !== null ? { tookOver: target.takeOver } : {}) });
        labels.add(id, it);
        if (it.page) paged.push({ id, page: it.page });
        result.inserted++;
      }
      if (placed) result.placed = [...placed.values()];
    }
    const rewritten: number[] = [];
    for (const it of updates) {
      const info = await update(tx, [
        it.key, it.guid, it.link, it.title, it.summary, it.content, it.author, JSON.stringify(it.categories),
        it.published, it.updated, it.contentHash, it.id, it.expectedHash, it.canonicalUrl ?? null, it.rawDigest ?? null,
      ]);
      if (info.rowCount === 0) {
        result.stale++;
        continue;
      }
      rewritten.push(it.id);
      labels.add(it.id, it);
      paged.push({ id: it.id, page: it.page });
      result.updated++;
    }
    if (rewritten.length > 0) await deleteLabels(tx, [rewritten]);
    await labels.write(tx);
    if (paged.length > 0) await pages.request(tx, sourceId, paged, now);
    return result;
  },

  async select(db: Queryable, f: OutputFilter): Promise<StoredItem[]> {
    const { rows } = await (f.tags.length > 0 ? selectOutputTagged : selectOutput)(db, [f.tags, f.output, f.sources, f.excludeSources ?? [], f.limit]);
    return rows.map(toStoredItemWithTags);
  },

  async browse(db: Queryable, f: BrowseFilter): Promise<StoredItem[]> {
    const { rows } = await (f.tag === null ? browse : browseTagged)(db, [f.tag === null ? null : [f.tag], f.source, f.since, f.before?.published ?? null, f.before?.id ?? null, f.limit, f.cluster ?? null]);
    return rows.map(toStoredItemWithTags);
  },

  async find(db: Queryable, ref: { id: number } | { uid: string } | { link: string }): Promise<StoredItem | null> {
    const { rows } = 'id' in ref ? await byId(db, [ref.id]) : 'uid' in ref ? await byUid(db, [ref.uid]) : await byLink(db, [ref.link]);
    return rows[0] ? toStoredItemWithTags(rows[0]) : null;
  },

  async countsByTag(db: Queryable): Promise<Map<string, number>> {
    return new Map((await countsByTag<{ tag: string; n: number }>(db)).rows.map((r) => [r.tag, r.n]));
  },

  /** Writes a re-tag's changes (on the caller's transaction); returns how many items changed. */
  async applyRetag(tx: Queryable, changes: readonly RetagChange[]): Promise<{ changed: number; explained: number }> {
    let changed = 0;
    let explained = 0;
    if (changes.length === 0) return { changed, explained };
    type Locked = { id: number; content_hash: string; tags: string[]; explains: (string | null)[]; outputs: string[] };
    const stored = new Map((await lockForRetag<Locked>(tx, [changes.map((c) => c.id)])).rows.map((r) => [r.id, r]));
    const gone = { tags: [] as string[], items: [] as number[] };
    const goneOut = { outputs: [] as string[], items: [] as number[] };
    const put = { tags: [] as string[], items: [] as number[], explains: [] as string[] };
    const putOut = { outputs: [] as string[], items: [] as number[] };
    for (const c of changes) {
      const row = stored.get(c.id);
      // Classified from a snapshot: an item pruned or rewritten since then was (or will be) handled by the
      // refresh or retention that touched it, with the current rules.
      if (!row || row.content_hash !== c.contentHash) continue;
      // The diff is taken again here, against what is stored now, so nothing unchanged is rewritten.
      const before = new Map(row.tags.map((t, k) => [t, row.explains[k] ?? null]));
      const after = new Set(c.tags.map((t) => t.tag));
      const outBefore = new Set(row.outputs);
      const outAfter = new Set(c.outputs);
      const membership = !sameSet(new Set(before.keys()), after) || !sameSet(outBefore, outAfter);
      let rewritten = false;
      for (const [t] of before) if (!after.has(t)) (gone.tags.push(t), gone.items.push(c.id));
      c.tags.forEach((t, k) => {
        if (before.get(t.tag) === c.explains[k]) return;
        put.tags.push(t.tag);
        put.items.push(c.id);
        put.explains.push(c.explains[k]!);
        rewritten = true;
      });
      for (const o of outBefore) if (!outAfter.has(o)) (goneOut.outputs.push(o), goneOut.items.push(c.id));
      for (const o of outAfter) if (!outBefore.has(o)) (putOut.outputs.push(o), putOut.items.push(c.id));
      if (membership) changed++;
      else if (rewritten) explained++;
    }
    if (gone.tags.length > 0) await deleteTags(tx, [gone.tags, gone.items]);
    if (put.tags.length > 0) await insertTags(tx, [put.tags, put.items, put.explains]);
    if (goneOut.outputs.length > 0) await deleteOutputs(tx, [goneOut.outputs, goneOut.items]);
    if (putOut.outputs.length > 0) await insertOutputs(tx, [putOut.outputs, putOut.items]);
    return { changed, explained };
  },
};


/** A row's story columns; FOR UPDATE when this item takes it over. */
async function storyColumns(tx: Queryable, id: number, forTakeover = false): Promise<StoryColumns | undefined> {
  const row = (await (forTakeover ? storyRowForTakeover : storyRow)<{ cluster_id: number; appearance_of: number | null }>(tx, [id])).rows[0];
  return row && { cluster: Number(row.cluster_id), appearanceOf: row.appearance_of === null ? null : Number(row.appearance_of) };
}

/** The cluster, appearance and takeover a new item is stored with, re-checked against what is stored now. */
async function storyTarget(tx: Queryable, s: ItemStory, placed: ReadonlyMap<number, PlacedItem>): Promise<StoryTarget> {
  const named = s.takeOver ?? s.appearanceOf;
  if (named != null) {
    const row = await storyColumns(tx, named, s.takeOver != null);
    const target = namedTarget(s, named, row, row?.appearanceOf != null ? await storyColumns(tx, row.appearanceOf) : undefined);
    if (target) return target;
  }
  const c = s.cluster;
  if (c === null) return inCluster(null);
  if (typeof c === 'number') return inCluster((await clusterMember(tx, [c])).rows.length > 0 ? c : null);
  // An earlier insert of this commit; one dropped as stale leaves this item a cluster of its own.
  return inCluster(placed.get(c.insert)?.clusterId ?? null);
}

/** A row of `items` (with WITH_TAGS) as the rest of warta sees it. */
export function toStoredItemWithTags(r: Record<string, unknown>): StoredItem {
  const tags = r.tag_names as string[];
  const explains = r.tag_explains as (string | null)[];
  const matches = tags.flatMap((tag, k) => decodeExplain(explains[k] ?? null).map((m) => ({ tag, ...m })));
  return { ...toStoredItem(r, tags), matches };
}
