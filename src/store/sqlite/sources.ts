import type { PollRecord, SourceRow } from '../store.js';
import { toSourceRow } from '../rows.js';
import type { Db } from './open.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Prepared statements over the sources table. */
export function makeSourceStatements(db: Db) {
  const get = db.prepare('SELECT * FROM sources WHERE id = ?');
  const all = db.prepare('SELECT * FROM sources ORDER BY id');
  const ensure = db.prepare(
    `INSERT INTO sources (id, url) VALUES (?, ?)
     ON CONFLICT (id) DO UPDATE SET
       url = excluded.url,
       -- a new URL is a new conversation with a server: forget validators learned from the old one
       etag = CASE WHEN sources.url = excluded.url THEN sources.etag END,
       last_modified = CASE WHEN sources.url = excluded.url THEN sources.last_modified END,
       body_hash = CASE WHEN sources.url = excluded.url THEN sources.body_hash END,
       -- an admin who changes the URL of a gone or failing source wants it polled again
       state = CASE WHEN sources.url = excluded.url THEN sources.state ELSE 'ok' END,
       consecutive_failures = CASE WHEN sources.url = excluded.url THEN sources.consecutive_failures ELSE 0 END,
       held_until = CASE WHEN sources.url = excluded.url THEN sources.held_until END,
       hint_until = CASE WHEN sources.url = excluded.url THEN sources.hint_until END,
       effective_url = CASE WHEN sources.url = excluded.url THEN sources.effective_url END,
       redirect_target = CASE WHEN sources.url = excluded.url THEN sources.redirect_target END,
       redirect_seen = CASE WHEN sources.url = excluded.url THEN sources.redirect_seen ELSE 0 END`,
  );
  const record = db.prepare(
    `UPDATE sources SET
       last_poll = @now,
       last_status = @status,
       state = @state,
       last_error_code = @errorCode,
       last_error_message = @errorMessage,
       consecutive_failures = @consecutiveFailures,
       total_failures = total_failures + @failed,
       not_modified_count = not_modified_count + @notModified,
       last_success = CASE WHEN @success THEN @now ELSE last_success END,
       held_until = CASE WHEN @setHeld THEN @heldUntil ELSE held_until END,
       hint_until = CASE WHEN @setHint THEN @hintUntil ELSE hint_until END,
       feed_hint_ms = CASE WHEN @setFeedHint THEN @feedHintMs ELSE feed_hint_ms END,
       redirect_target = CASE WHEN @setRedirect THEN @redirectTarget ELSE redirect_target END,
       redirect_seen = CASE WHEN @setRedirect THEN @redirectSeen ELSE redirect_seen END,
       effective_url = CASE WHEN @setEffective THEN @effectiveUrl ELSE effective_url END,
       etag = CASE WHEN @setValidators THEN @etag ELSE etag END,
       last_modified = CASE WHEN @setValidators THEN @lastModified ELSE last_modified END,
       body_hash = CASE WHEN @setValidators THEN @bodyHash ELSE body_hash END,
       title = CASE WHEN @setFeed THEN @title ELSE title END,
       site_url = CASE WHEN @setFeed THEN @siteUrl ELSE site_url END,
       parser = CASE WHEN @setFeed THEN @parser ELSE parser END,
       format = CASE WHEN @setFeed THEN @format ELSE format END
     WHERE id = @id`,
  );
  const itemCounts = db.prepare('SELECT source_id AS id, count(*) AS n FROM items GROUP BY source_id');
  const countFailing = db.prepare("SELECT count(*) FROM sources WHERE state IN ('failing', 'gone')").pluck();

  return {
    /** The source's row, or null before its first poll. */
    get(id: string): SourceRow | null {
      const row = get.get(id);
      return row ? toSourceRow(row as Record<string, unknown>) : null;
    },
    all(): SourceRow[] {
      return all.all().map((r) => toSourceRow(r as Record<string, unknown>));
    },
    /** Creates the rows of configured sources, or updates their URLs. */
    ensure(list: readonly { id: string; url: string }[]): void {
      for (const s of list) ensure.run(s.id, s.url);
    },
    /** Stored items per source id. */
    itemCounts(): Map<string, number> {
      return new Map((itemCounts.all() as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    },
    countFailing(): number {
      return countFailing.get() as number;
    },
    /** Writes the outcome of one poll. */
    record(id: string, r: PollRecord): void {
      record.run({
        id,
        now: iso(r.now),
        status: r.status,
        state: r.state,
        errorCode: r.error?.code ?? null,
        errorMessage: r.error?.message ?? null,
        consecutiveFailures: r.consecutiveFailures,
        failed: r.error ? 1 : 0,
        notModified: r.notModified ? 1 : 0,
        success: r.success ? 1 : 0,
        setHeld: r.heldUntil !== undefined ? 1 : 0,
        heldUntil: iso(r.heldUntil),
        setHint: r.hintUntil !== undefined ? 1 : 0,
        hintUntil: iso(r.hintUntil),
        setFeedHint: r.feedHintMs !== undefined ? 1 : 0,
        feedHintMs: r.feedHintMs ?? null,
        setRedirect: r.redirect ? 1 : 0,
        redirectTarget: r.redirect?.target ?? null,
        redirectSeen: r.redirect?.seen ?? 0,
        setEffective: r.redirect?.effectiveUrl !== undefined ? 1 : 0,
        effectiveUrl: r.redirect?.effectiveUrl ?? null,
        setValidators: r.validators ? 1 : 0,
        etag: r.validators?.etag ?? null,
        lastModified: r.validators?.lastModified ?? null,
        bodyHash: r.validators?.bodyHash ?? null,
        setFeed: r.feed ? 1 : 0,
        title: r.feed?.title ?? null,
        siteUrl: r.feed?.siteUrl ?? null,
        parser: r.feed?.parser ?? null,
        format: r.feed?.format ?? null,
      });
    },
  };
}
