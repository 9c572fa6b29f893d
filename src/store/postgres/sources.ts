import { toSourceRow } from '../rows.js';
import type { PollRecord, SourceRow } from '../store.js';
import { statement, type Queryable } from './statement.js';

const get = statement('source_get', 'SELECT * FROM sources WHERE id = $1');
const all = statement('source_all', 'SELECT * FROM sources ORDER BY id');
// One statement for the whole list; the CASEs are SQLite's ensure, column for column (sqlite/sources.ts).
const ensure = statement(
  'source_ensure',
  `INSERT INTO sources (id, url) SELECT * FROM unnest($1::text[], $2::text[])
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
// Each optional field comes with a flag saying whether the poll set it (absent fields keep their value).
const record = statement(
  'source_record',
  `UPDATE sources SET
     last_poll = $2,
     last_status = $3,
     state = $4,
     last_error_code = $5,
     last_error_message = $6,
     consecutive_failures = $7,
     total_failures = total_failures + $8,
     not_modified_count = not_modified_count + $9,
     last_success = CASE WHEN $10::boolean THEN $2 ELSE last_success END,
     held_until = CASE WHEN $11::boolean THEN $12::timestamptz ELSE held_until END,
     hint_until = CASE WHEN $13::boolean THEN $14::timestamptz ELSE hint_until END,
     feed_hint_ms = CASE WHEN $15::boolean THEN $16::bigint ELSE feed_hint_ms END,
     redirect_target = CASE WHEN $17::boolean THEN $18::text ELSE redirect_target END,
     redirect_seen = CASE WHEN $17::boolean THEN $19::integer ELSE redirect_seen END,
     effective_url = CASE WHEN $20::boolean THEN $21::text ELSE effective_url END,
     etag = CASE WHEN $22::boolean THEN $23::text ELSE etag END,
     last_modified = CASE WHEN $22::boolean THEN $24::text ELSE last_modified END,
     body_hash = CASE WHEN $22::boolean THEN $25::text ELSE body_hash END,
     title = CASE WHEN $26::boolean THEN $27::text ELSE title END,
     site_url = CASE WHEN $26::boolean THEN $28::text ELSE site_url END,
     parser = CASE WHEN $26::boolean THEN $29::text ELSE parser END,
     format = CASE WHEN $26::boolean THEN $30::text ELSE format END
   WHERE id = $1`,
);
const countFailing = statement('source_count_failing', "SELECT count(*)::int AS n FROM sources WHERE state IN ('failing', 'gone')");
const itemCounts = statement('source_item_counts', 'SELECT source_id AS id, count(*) AS n FROM items GROUP BY source_id');

/** The sources table. */
export const sources = {
  async get(db: Queryable, id: string): Promise<SourceRow | null> {
    const { rows } = await get(db, [id]);
    return rows[0] ? toSourceRow(rows[0]) : null;
  },
  async all(db: Queryable): Promise<SourceRow[]> {
    return (await all(db)).rows.map(toSourceRow);
  },
  /** Creates the rows of configured sources, or updates their URLs (a repeated id: its last URL). */
  async ensure(db: Queryable, list: readonly { id: string; url: string }[]): Promise<void> {
    const byId = new Map(list.map((s) => [s.id, s.url]));
    if (byId.size > 0) await ensure(db, [[...byId.keys()], [...byId.values()]]);
  },
  async itemCounts(db: Queryable): Promise<Map<string, number>> {
    return new Map((await itemCounts<{ id: string; n: number }>(db)).rows.map((r) => [r.id, r.n]));
  },
  async countFailing(db: Queryable): Promise<number> {
    return (await countFailing<{ n: number }>(db)).rows[0]!.n;
  },
  /** Writes the outcome of one poll. */
  async record(db: Queryable, id: string, r: PollRecord): Promise<void> {
    await record(db, [
      id, r.now, r.status, r.state, r.error?.code ?? null, r.error?.message ?? null, r.consecutiveFailures,
      r.error ? 1 : 0, r.notModified ? 1 : 0, r.success === true,
      r.heldUntil !== undefined, r.heldUntil ?? null,
      r.hintUntil !== undefined, r.hintUntil ?? null,
      r.feedHintMs !== undefined, r.feedHintMs ?? null,
      r.redirect !== undefined, r.redirect?.target ?? null, r.redirect?.seen ?? 0,
      r.redirect?.effectiveUrl !== undefined, r.redirect?.effectiveUrl ?? null,
      r.validators !== undefined, r.validators?.etag ?? null, r.validators?.lastModified ?? null, r.validators?.bodyHash ?? null,
      r.feed !== undefined, r.feed?.title ?? null, r.feed?.siteUrl ?? null, r.feed?.parser ?? null, r.feed?.format ?? null,
    ]);
  },
};
