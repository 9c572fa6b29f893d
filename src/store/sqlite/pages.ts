import type { PageDone, PageFailure, PageJob, PageRequest, PageStatus } from '../store.js';
import type { Db } from './open.js';

const iso = (d: Date) => d.toISOString();

/**
 * The page queue of full_text sources (migrations/sqlite/0003_pages.sql); every write runs inside the caller's
 * transaction. A page's result is written onto its item only while the item still has the content hash it was
 * claimed with: a feed change meanwhile queued the page again, and that newer fetch decides.
 */
export function makePageStatements(db: Db) {
  // Queued with the item (insert or update); a page asked for again starts afresh.
  const request = db.prepare(
    `INSERT INTO pages (item_id, source_id, url, state, attempts, due, feed_dated, mode)
     VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)
     ON CONFLICT (item_id) DO UPDATE SET url = excluded.url, state = 'pending', attempts = 0, due = excluded.due,
       feed_dated = excluded.feed_dated, mode = excluded.mode, error_code = NULL, error_message = NULL,
       article = NULL, keywords = '[]', fetched_at = NULL`,
  );
  const forget = db.prepare('DELETE FROM pages WHERE item_id = ?');
  const dueRows = db.prepare(
    `SELECT p.item_id, p.source_id, p.url, p.mode, p.feed_dated, p.attempts, i.content_hash, i.title, i.summary,
            i.content, i.author, i.link, i.categories
     FROM pages p JOIN items i ON i.id = p.item_id
     WHERE p.state = 'pending' AND p.due <= ? ORDER BY p.due, p.item_id LIMIT ?`,
  );
  const lease = db.prepare('UPDATE pages SET due = ? WHERE item_id = ?');
  const nextDue = db.prepare("SELECT min(due) FROM pages WHERE state = 'pending'").pluck();
  const hashOf = db.prepare('SELECT content_hash FROM items WHERE id = ?').pluck();
  const publish = db.prepare('UPDATE items SET content = ?, summary = ?, categories = ?, published = coalesce(?, published), title = coalesce(?, title), canonical_url = coalesce(?, canonical_url) WHERE id = ?');
  const annotate = db.prepare('UPDATE items SET categories = ?, published = coalesce(?, published), title = coalesce(?, title), canonical_url = coalesce(?, canonical_url) WHERE id = ?');
  const done = db.prepare(
    `UPDATE pages SET state = 'done', error_code = NULL, error_message = NULL, article = ?, keywords = ?, fetched_at = ?
     WHERE item_id = ?`,
  );
  const fail = db.prepare(
    `UPDATE pages SET attempts = attempts + 1, state = CASE WHEN @due IS NULL THEN 'failed' ELSE 'pending' END,
       due = @due, error_code = @code, error_message = @message, fetched_at = @now
     WHERE item_id = @id`,
  );
  // Items first seen since the cut-off that have a link and no page row yet; ON CONFLICT: a row queued meanwhile stands.
  const backfill = db.prepare(
    `INSERT INTO pages (item_id, source_id, url, state, attempts, due, feed_dated, mode)
     SELECT id, source_id, link, 'pending', 0, @now, 1, @mode FROM items
     WHERE source_id = @source AND first_seen >= @since AND link IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pages WHERE item_id = items.id)
     ORDER BY id
     ON CONFLICT (item_id) DO NOTHING`,
  );
  const status = db.prepare('SELECT state, attempts, error_code, error_message FROM pages WHERE item_id = ?');
  const degrade = db.prepare(
    `UPDATE sources SET state = 'degraded', last_error_code = ?, last_error_message = ? WHERE id = ? AND state IN ('ok', 'degraded')`,
  );
  // Only the very problem that was read: a poll's failure recorded since then stays.
  const recover = db.prepare(
    `UPDATE sources SET state = 'ok', last_error_code = NULL, last_error_message = NULL WHERE id = ? AND state = 'degraded' AND last_error_code = ? AND last_error_message = ?`,
  );

  return {
    /** Queues (or forgets, for a source without full_text) the page of an item just written. */
    request(itemId: number, sourceId: string, page: PageRequest | null | undefined, now: Date): void {
      if (page) request.run(itemId, sourceId, page.url, iso(now), page.feedDated ? 1 : 0, page.mode);
      else forget.run(itemId);
    },

    claim(now: Date, limit: number, leaseUntil: Date): PageJob[] {
      const rows = dueRows.all(iso(now), limit) as Record<string, unknown>[];
      for (const r of rows) lease.run(iso(leaseUntil), r.item_id);
      return rows.map((r) => ({
        itemId: r.item_id as number,
        sourceId: r.source_id as string,
        url: r.url as string,
        mode: r.mode as PageJob['mode'],
        feedDated: r.feed_dated === 1,
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
      }));
    },

    nextDue(): Date | null {
      const v = nextDue.get() as string | null;
      return v === null ? null : new Date(v);
    },

    /** Writes the item's part; the caller rewrites its tags and outputs when this returns true. */
    complete(d: PageDone): boolean {
      if (hashOf.get(d.itemId) !== d.expectedHash) return false;
      const categories = JSON.stringify(d.categories);
      const published = d.published ? iso(d.published) : null;
      const title = d.title ?? null;
      if (d.publish) publish.run(d.publish.content, d.publish.summary, categories, published, title, d.canonicalUrl ?? null, d.itemId);
      else annotate.run(categories, published, title, d.canonicalUrl ?? null, d.itemId);
      done.run(d.article, JSON.stringify(d.keywords), iso(d.now), d.itemId);
      return true;
    },

    fail(f: PageFailure): void {
      fail.run({ id: f.itemId, due: f.retryAt ? iso(f.retryAt) : null, code: f.error.code, message: f.error.message, now: iso(f.now) });
    },

    backfill(sourceId: string, since: Date, mode: PageRequest['mode'], now: Date): number {
      return backfill.run({ source: sourceId, since: iso(since), mode, now: iso(now) }).changes;
    },

    degradeSource(sourceId: string, error: { code: string; message: string }): void {
      degrade.run(error.code, error.message, sourceId);
    },

    recoverSource(sourceId: string, error: { code: string; message: string }): void {
      recover.run(sourceId, error.code, error.message);
    },

    status(itemId: number): PageStatus | null {
      const r = status.get(itemId) as { state: PageStatus['state']; attempts: number; error_code: string | null; error_message: string | null } | undefined;
      if (!r) return null;
      return { state: r.state, attempts: r.attempts, error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' } };
    },
  };
}
