import type { ItemWrite, PageDone, PageFailure, PageJob, PageRequest, PageStatus } from '../store.js';
import { explainColumn } from '../explain-json.js';
import { statement, type Queryable } from './statement.js';

// The page queue of full_text sources (migrations/postgres/0003_pages.sql); as the SQLite store's pages.ts.
const request = statement(
  'pages_request',
  `INSERT INTO pages (item_id, source_id, url, state, attempts, due, feed_dated, mode)
   SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::boolean[], $8::text[])
   ON CONFLICT (item_id) DO UPDATE SET url = excluded.url, state = 'pending', attempts = 0, due = excluded.due,
     feed_dated = excluded.feed_dated, mode = excluded.mode, error_code = NULL, error_message = NULL,
     article = NULL, keywords = '[]', fetched_at = NULL`,
);
const forget = statement('pages_forget', 'DELETE FROM pages WHERE item_id = ANY($1::bigint[])');
// SKIP LOCKED: two processes claiming at once take different pages.
const claim = statement(
  'pages_claim',
  `WITH c AS (
     SELECT item_id FROM pages WHERE state = 'pending' AND due <= $1 ORDER BY due, item_id LIMIT $2 FOR UPDATE SKIP LOCKED
   )
   UPDATE pages p SET due = $3 FROM c, items i
   WHERE p.item_id = c.item_id AND i.id = p.item_id
   RETURNING p.item_id, p.source_id, p.url, p.mode, p.feed_dated, p.attempts, i.content_hash, i.title, i.summary,
     i.content, i.author, i.link, i.categories`,
);
const nextDue = statement('pages_next_due', "SELECT min(due) AS due FROM pages WHERE state = 'pending'");
const hashForUpdate = statement('pages_hash_for_update', 'SELECT content_hash FROM items WHERE id = $1 FOR UPDATE');
const publish = statement('pages_publish', 'UPDATE items SET content = $1, summary = $2, categories = $3, published = coalesce($4, published), title = coalesce($6, title), canonical_url = coalesce($7, canonical_url) WHERE id = $5');
const annotate = statement('pages_annotate', 'UPDATE items SET categories = $1, published = coalesce($2, published), title = coalesce($4, title), canonical_url = coalesce($5, canonical_url) WHERE id = $3');
const done = statement(
  'pages_done',
  `UPDATE pages SET state = 'done', error_code = NULL, error_message = NULL, article = $1, keywords = $2, fetched_at = $3
   WHERE item_id = $4`,
);
const unlabel = statement(
  'pages_unlabel',
  'WITH d AS (DELETE FROM item_tags WHERE item_id = $1) DELETE FROM item_outputs WHERE item_id = $1',
);
const relabelTags = statement(
  'pages_relabel_tags',
  'INSERT INTO item_tags (tag, item_id, explain) SELECT t, $1, e FROM unnest($2::text[], $3::text[]) AS x (t, e)',
);
const relabelOutputs = statement(
  'pages_relabel_outputs',
  'INSERT INTO item_outputs (output_id, item_id) SELECT o, $1 FROM unnest($2::text[]) AS x (o) ON CONFLICT DO NOTHING',
);
const fail = statement(
  'pages_fail',
  `UPDATE pages SET attempts = attempts + 1, state = CASE WHEN $2::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
     due = $2, error_code = $3, error_message = $4, fetched_at = $5
   WHERE item_id = $1`,
);
const backfill = statement(
  'pages_backfill',
  `INSERT INTO pages (item_id, source_id, url, state, attempts, due, feed_dated, mode)
   SELECT id, source_id, link, 'pending', 0, $1, true, $2 FROM items
   WHERE source_id = $3 AND first_seen >= $4 AND link IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pages WHERE item_id = items.id)
   ORDER BY id
   ON CONFLICT (item_id) DO NOTHING`,
);
const degrade = statement(
  'pages_degrade_source',
  `UPDATE sources SET state = 'degraded', last_error_code = $1, last_error_message = $2 WHERE id = $3 AND state IN ('ok', 'degraded')`,
);
// Only the very problem that was read: a poll's failure recorded since then stays.
const recover = statement(
  'pages_recover_source',
  `UPDATE sources SET state = 'ok', last_error_code = NULL, last_error_message = NULL WHERE id = $1 AND state = 'degraded' AND last_error_code = $2 AND last_error_message = $3`,
);
const status = statement('pages_status', 'SELECT state, attempts, error_code, error_message FROM pages WHERE item_id = $1');

/** The page queue; writes run on the caller's transaction client. */
export const pages = {
  /** Queues the pages of items just written (or forgets them, for a source without full_text). */
  async request(tx: Queryable, sourceId: string, written: readonly { id: number; page: PageRequest | null | undefined }[], now: Date): Promise<void> {
    const asked = written.filter((w) => w.page);
    const dropped = written.filter((w) => !w.page).map((w) => w.id);
    if (asked.length > 0) {
      await request(tx, [
        asked.map((w) => w.id), asked.map(() => sourceId), asked.map((w) => w.page!.url), asked.map(() => 'pending'),
        asked.map(() => 0), asked.map(() => now), asked.map((w) => w.page!.feedDated), asked.map((w) => w.page!.mode),
      ]);
    }
    if (dropped.length > 0) await forget(tx, [dropped]);
  },

  async claim(tx: Queryable, now: Date, limit: number, leaseUntil: Date): Promise<PageJob[]> {
    const { rows } = await claim<Record<string, unknown>>(tx, [now, limit, leaseUntil]);
    return rows
      .map((r) => ({
        itemId: Number(r.item_id),
        sourceId: r.source_id as string,
        url: r.url as string,
        mode: r.mode as PageJob['mode'],
        feedDated: r.feed_dated as boolean,
        attempts: r.attempts as number,
        contentHash: r.content_hash as string,
        item: {
          title: r.title as string,
          summary: (r.summary as string | null) ?? null,
          content: (r.content as string | null) ?? null,
          author: (r.author as string | null) ?? null,
          link: (r.link as string | null) ?? null,
          categories: JSON.parse(r.categories as string) as string[],
        },
      }))
      .sort((a, b) => a.itemId - b.itemId);
  },

  async nextDue(db: Queryable): Promise<Date | null> {
    return (await nextDue<{ due: Date | null }>(db)).rows[0]?.due ?? null;
  },

  async complete(tx: Queryable, d: PageDone): Promise<boolean> {
    const { rows } = await hashForUpdate<{ content_hash: string }>(tx, [d.itemId]);
    if (rows[0]?.content_hash !== d.expectedHash) return false;
    const categories = JSON.stringify(d.categories);
    const title = d.title ?? null;
    if (d.publish) await publish(tx, [d.publish.content, d.publish.summary, categories, d.published, d.itemId, title, d.canonicalUrl ?? null]);
    else await annotate(tx, [categories, d.published, d.itemId, title, d.canonicalUrl ?? null]);
    await done(tx, [d.article, JSON.stringify(d.keywords), d.now, d.itemId]);
    const tags: ItemWrite['tags'] = d.tags;
    await unlabel(tx, [d.itemId]);
    if (tags.length > 0) await relabelTags(tx, [d.itemId, tags.map((t) => t.tag), tags.map((t) => explainColumn(t.explain))]);
    if (d.outputs.length > 0) await relabelOutputs(tx, [d.itemId, d.outputs]);
    return true;
  },

  async fail(tx: Queryable, f: PageFailure): Promise<void> {
    await fail(tx, [f.itemId, f.retryAt, f.error.code, f.error.message, f.now]);
  },

  async backfill(tx: Queryable, sourceId: string, since: Date, mode: PageRequest['mode'], now: Date): Promise<number> {
    return (await backfill(tx, [now, mode, sourceId, since])).rowCount ?? 0;
  },

  async degradeSource(tx: Queryable, sourceId: string, error: { code: string; message: string }): Promise<void> {
    await degrade(tx, [error.code, error.message, sourceId]);
  },

  async recoverSource(tx: Queryable, sourceId: string, error: { code: string; message: string }): Promise<void> {
    await recover(tx, [sourceId, error.code, error.message]);
  },

  async status(db: Queryable, itemId: number): Promise<PageStatus | null> {
    const r = (await status<{ state: PageStatus['state']; attempts: number; error_code: string | null; error_message: string | null }>(db, [itemId])).rows[0];
    if (!r) return null;
    return { state: r.state, attempts: r.attempts, error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' } };
  },
};
