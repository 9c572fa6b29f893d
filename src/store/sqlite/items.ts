import type { ClassifiableItem, Classification } from '../../tagging/classify.js';
import type { IncomingItem, StoredItem, TagExplanation } from '../../base/model.js';
import type { KeyedItem } from '../../pipeline/dedupe.js';
import { itemUid } from '../../pipeline/dedupe.js';
import { decodeExplain, encodeExplain, type StoredMatch } from '../explain-json.js';
import type { Db } from './open.js';
import { sameSet, type RetagChange } from './retag-rows.js';

/** A tag an item carries, with the JSON-able explanation of why. */
export interface AppliedTag {
  tag: string;
  explain: StoredMatch[];
}

/** Counts of what one refresh wrote. */
export interface ApplyResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

const iso = (d: Date) => d.toISOString();

/** Prepared statements over items and their tags. */
export function makeItemStore(db: Db) {
  const findByKey = db.prepare(
    'SELECT id, uid, content_hash, published, first_seen, link FROM items WHERE source_id = ? AND dedupe_key = ?',
  );
  // Positional parameters: binding fourteen by name cost a lookup each, for every new item.
  const insert = db.prepare(
    `INSERT INTO items (uid, source_id, dedupe_key, guid, link, title, summary, content, author, categories,
                        published, updated, first_seen, content_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE items SET dedupe_key = @key, guid = @guid, link = @link, title = @title, summary = @summary,
       content = @content, author = @author, categories = @categories, published = @published,
       updated = @updated, content_hash = @contentHash
     WHERE id = @id`,
  );
  const isTombstoned = db.prepare('SELECT 1 FROM tombstones WHERE source_id = ? AND dedupe_key = ?').pluck();
  const hasTombstones = db.prepare('SELECT EXISTS (SELECT 1 FROM tombstones WHERE source_id = ?)').pluck();
  const deleteTags = db.prepare('DELETE FROM item_tags WHERE item_id = ?');
  const deleteOutputs = db.prepare('DELETE FROM item_outputs WHERE item_id = ?');
  const insertOutput = db.prepare('INSERT OR IGNORE INTO item_outputs (output_id, item_id) VALUES (?, ?)');
  const deleteOutput = db.prepare('DELETE FROM item_outputs WHERE output_id = ? AND item_id = ?');
  const insertTag = db.prepare('INSERT OR REPLACE INTO item_tags (tag, item_id, explain) VALUES (?, ?, ?)');
  const deleteTag = db.prepare('DELETE FROM item_tags WHERE tag = ? AND item_id = ?');
  const tagsOfItems = db.prepare(
    'SELECT item_id AS id, tag, explain FROM item_tags WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY tag',
  );
  // Browsing for the API: newest first, with optional tag, source and since filters, in pages below a cursor.
  const browse = db.prepare(
    `SELECT * FROM items
     WHERE (@tag IS NULL OR id IN (SELECT item_id FROM item_tags WHERE tag = @tag))
       AND (@source IS NULL OR source_id = @source)
       AND (@since IS NULL OR published >= @since)
       AND (@beforePublished IS NULL OR published < @beforePublished OR (published = @beforePublished AND id < @beforeId))
     ORDER BY published DESC, id DESC LIMIT @limit`,
  );
  // One statement for every output shape: each filter is on only when its parameter says so.
  const selectOutput = db.prepare(
    `SELECT * FROM items
     WHERE (@anyTags = 0 OR id IN (SELECT item_id FROM item_tags WHERE tag IN (SELECT value FROM json_each(@tags))))
       AND (@output IS NULL OR id IN (SELECT item_id FROM item_outputs WHERE output_id = @output))
       AND (@anySources = 0 OR source_id IN (SELECT value FROM json_each(@sources)))
       AND (@anyExcluded = 0 OR source_id NOT IN (SELECT value FROM json_each(@excludeSources)))
     ORDER BY published DESC, id DESC LIMIT @limit`,
  );
  const newest = db.prepare('SELECT * FROM items ORDER BY published DESC, id DESC LIMIT ?');
  const byId = db.prepare('SELECT * FROM items WHERE id = ?');
  const hashOf = db.prepare('SELECT content_hash FROM items WHERE id = ?').pluck();
  const explainsOfItem = db.prepare('SELECT tag, explain FROM item_tags WHERE item_id = ?').raw(true);
  const outputsOfItem = db.prepare('SELECT output_id FROM item_outputs WHERE item_id = ?').pluck();
  const countsByTag = db.prepare('SELECT tag, count(*) AS n FROM item_tags GROUP BY tag');

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

  return {
    /**
     * Inserts new items and updates changed ones of one source, re-tagging only those; unchanged items are not
     * written at all. The caller wraps this in the refresh's transaction.
     */
    apply(sourceId: string, keyed: readonly KeyedItem[], now: Date, classify: (item: IncomingItem) => Classification): ApplyResult {
      const result: ApplyResult = { inserted: 0, updated: 0, unchanged: 0 };
      // Most sources have never been pruned: one query instead of one per new item.
      const pruned = hasTombstones.get(sourceId) === 1;
      for (const k of keyed) {
        let found = findByKey.get(sourceId, k.key) as ExistingRow | undefined;
        if (!found && k.formerKey) {
          const former = findByKey.get(sourceId, k.formerKey) as ExistingRow | undefined;
          // Adopt the row stored while this guid looked unique, but only the one for the same article.
          if (former && former.link === k.item.link) found = former;
        }
        if (found && found.content_hash === k.contentHash) {
          result.unchanged++;
          continue;
        }
        // Pruned by retention: the feed still lists it, but it must not come back as new.
        if (!found && pruned && isTombstoned.get(sourceId, k.key)) {
          result.unchanged++;
          continue;
        }
        const it = k.item;
        const fields = {
          key: k.key,
          guid: it.guid,
          link: it.link,
          title: it.title,
          summary: it.summary,
          content: it.content,
          author: it.author,
          categories: JSON.stringify(it.categories),
          contentHash: k.contentHash,
        };
        let id: number;
        if (found) {
          // A missing date keeps the stored one; a change we only see now is dated now.
          const published = it.published ?? it.updated;
          const publishedIso = published ? iso(published) : found.published;
          update.run({ ...fields, id: found.id, published: publishedIso, updated: iso(it.updated ?? now) });
          id = found.id;
          deleteTags.run(id);
          deleteOutputs.run(id);
          result.updated++;
        } else {
          // Atom entries may carry only <updated>; with no date at all, the first-seen time stands in.
          const published = it.published ?? it.updated ?? now;
          const info = insert.run(
            itemUid(sourceId, k.key), sourceId, k.key, it.guid, it.link, it.title, it.summary, it.content, it.author,
            fields.categories, iso(published), iso(it.updated ?? published), iso(now), k.contentHash,
          );
          id = Number(info.lastInsertRowid);
          result.inserted++;
        }
        const c = classify(it);
        for (const t of c.tags) insertTag.run(t.tag, id, encodeExplain(t.explain));
        for (const o of c.outputs) insertOutput.run(o, id);
      }
      return result;
    },

    /**
     * The newest items for an output: carrying any of `tags` (none: no tag filter), in the match-query
     * output `output` (null: no query), from `sources` (none: all), never from `excludeSources` (private sources).
     */
    select(f: { tags: readonly string[]; output: string | null; sources: readonly string[]; excludeSources?: readonly string[]; limit: number }): StoredItem[] {
      const excluded = f.excludeSources ?? [];
      const rows = selectOutput.all({
        anyTags: f.tags.length > 0 ? 1 : 0,
        tags: JSON.stringify(f.tags),
        output: f.output,
        anySources: f.sources.length > 0 ? 1 : 0,
        sources: JSON.stringify(f.sources),
        anyExcluded: excluded.length > 0 ? 1 : 0,
        excludeSources: JSON.stringify(excluded),
        limit: f.limit,
      });
      return withTags(rows as Record<string, unknown>[]);
    },

    /**
     * One page of items, newest first, for the API: filtered by tag name, source and a minimum publication time,
     * below an optional (published, id) cursor so a caller can scan further.
     */
    browse(f: { tag: string | null; source: string | null; since: Date | null; before: { published: string; id: number } | null; limit: number }): StoredItem[] {
      const rows = browse.all({
        tag: f.tag,
        source: f.source,
        since: f.since?.toISOString() ?? null,
        beforePublished: f.before?.published ?? null,
        beforeId: f.before?.id ?? null,
        limit: f.limit,
      });
      return withTags(rows as Record<string, unknown>[]);
    },

    /** Stored items per tag name. */
    countsByTag(): Map<string, number> {
      return new Map((countsByTag.all() as { tag: string; n: number }[]).map((r) => [r.tag, r.n]));
    },

    /** The newest items of all sources. */
    newest(limit: number): StoredItem[] {
      return withTags(newest.all(limit) as Record<string, unknown>[]);
    },

    /** One item with its tags, or null. */
    byId(id: number): StoredItem | null {
      const row = byId.get(id) as Record<string, unknown> | undefined;
      return row ? withTags([row])[0]! : null;
    },

    /** Writes a re-tag's changes (retag-rows.ts; inside the caller's transaction); returns how many items changed. */
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

/** The item store's interface, for passing as a dependency. */
export type ItemStore = ReturnType<typeof makeItemStore>;

interface ExistingRow {
  id: number;
  uid: string;
  content_hash: string;
  published: string;
  first_seen: string;
  link: string | null;
}

/** A row of `items` as the rest of warta sees it. */
export function toStoredItem(r: Record<string, unknown>, tags: string[]): StoredItem {
  return {
    id: r.id as number,
    uid: r.uid as string,
    sourceId: r.source_id as string,
    guid: (r.guid as string | null) ?? null,
    link: (r.link as string | null) ?? null,
    title: r.title as string,
    summary: (r.summary as string | null) ?? null,
    content: (r.content as string | null) ?? null,
    author: (r.author as string | null) ?? null,
    categories: JSON.parse(r.categories as string) as string[],
    published: new Date(r.published as string),
    updated: new Date(r.updated as string),
    firstSeen: new Date(r.first_seen as string),
    tags,
  };
}
