/**
 * Filling a PostgreSQL store from another store's rows, for `warta migrate-store` (../copy.ts): one connection,
 * one transaction (a failed copy leaves the target as it was), each batch one INSERT … SELECT FROM unnest(…)
 * with one array per column. Ids are copied as they are (items' identity is BY DEFAULT), so item numbers,
 * `tags explain ITEM` and every link that carries one stay the same; the sequence is moved past them at commit.
 */
import { WartaError } from '../../base/errors.js';
import type { CopiedTable, CopyRow, StoreImport } from '../copy.js';
import { storageError } from './errors.js';
import { migrate } from './migrate.js';
import { displayUrl } from '../spec.js';
import { makePool } from './pool.js';

// Each table's columns with their types here; a source row with any other column is refused (it would be lost).
const COLUMNS: Record<CopiedTable, [string, string][]> = {
  sources: [
    ['id', 'text'], ['url', 'text'], ['title', 'text'], ['site_url', 'text'], ['etag', 'text'], ['last_modified', 'text'],
    ['body_hash', 'text'], ['parser', 'text'], ['format', 'text'], ['state', 'text'], ['last_status', 'integer'],
    ['last_error_code', 'text'], ['last_error_message', 'text'], ['consecutive_failures', 'integer'],
    ['total_failures', 'integer'], ['not_modified_count', 'integer'], ['last_poll', 'timestamptz'],
    ['last_success', 'timestamptz'], ['held_until', 'timestamptz'], ['hint_until', 'timestamptz'],
    ['feed_hint_ms', 'bigint'], ['effective_url', 'text'], ['redirect_target', 'text'], ['redirect_seen', 'integer'],
  ],
  items: [
    ['id', 'bigint'], ['uid', 'text'], ['source_id', 'text'], ['dedupe_key', 'text'], ['guid', 'text'], ['link', 'text'],
    ['title', 'text'], ['summary', 'text'], ['content', 'text'], ['author', 'text'], ['categories', 'text'],
    ['published', 'timestamptz'], ['updated', 'timestamptz'], ['first_seen', 'timestamptz'], ['content_hash', 'text'],
    // Stories (migrations/postgres/0002_stories.sql).
    ['canonical_url', 'text'], ['cluster_id', 'bigint'], ['story_sketch', 'text'], ['appearance_of', 'bigint'],
    // Raw-text digests (migrations/postgres/0005_raw_digest.sql).
    ['raw_digest', 'text'],
  ],
  // explain is text, copied byte for byte: re-tagging compares it as stored (migrations/postgres/0001_init.sql).
  item_tags: [['tag', 'text'], ['item_id', 'bigint'], ['explain', 'text']],
  item_outputs: [['output_id', 'text'], ['item_id', 'bigint']],
  // Article pages (0003_pages.sql); SQLite's 0/1 feed_dated reads as a boolean.
  pages: [
    ['item_id', 'bigint'], ['source_id', 'text'], ['url', 'text'], ['state', 'text'], ['attempts', 'integer'], ['due', 'timestamptz'],
    ['feed_dated', 'boolean'], ['mode', 'text'], ['error_code', 'text'], ['error_message', 'text'], ['article', 'text'],
    ['keywords', 'text'], ['fetched_at', 'timestamptz'],
  ],
  tombstones: [['source_id', 'text'], ['dedupe_key', 'text'], ['pruned_at', 'timestamptz']],
  meta: [['key', 'text'], ['value', 'text']],
};

const insertText = (table: CopiedTable) => {
  const cols = COLUMNS[table];
  return `INSERT INTO ${table} (${cols.map(([c]) => c).join(', ')}) SELECT * FROM unnest(${cols.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})`;
};

// A copy is one long transaction of large statements: far more than a daemon's statement timeout.
const COPY_STATEMENT_TIMEOUT_MS = 10 * 60_000;

/** Opens the database at `url` (migrating it as a daemon would) and begins the transaction the copy runs in. */
export async function importPostgresStore(url: string): Promise<StoreImport> {
  const location = displayUrl(url);
  const pool = makePool({ url, poolSize: 1, statementTimeoutMs: COPY_STATEMENT_TIMEOUT_MS, readonly: false });
  let client;
  try {
    await migrate(pool);
    client = await pool.connect();
    await client.query('BEGIN');
  } catch (err) {
    client?.release();
    await pool.end().catch(() => {});
    throw storageError(err, location);
  }
  const c = client;
  let done = false;
  const end = async (sql: string) => {
    if (done) return;
    done = true;
    try {
      await c.query(sql);
    } finally {
      c.release();
      await pool.end().catch(() => {});
    }
  };
  const run = async <T>(what: () => Promise<T>): Promise<T> => {
    try {
      return await what();
    } catch (err) {
      throw err instanceof WartaError ? err : storageError(err, location);
    }
  };
  return {
    location,
    count: (table) => run(async () => ((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0] as { n: number }).n),
    clear: () => run(async () => void (await c.query(`TRUNCATE ${Object.keys(COLUMNS).join(', ')} RESTART IDENTITY`))),
    insert: (table, rows) =>
      run(async () => {
        const cols = COLUMNS[table];
        const known = new Set(cols.map(([c]) => c));
        const unknown = Object.keys(rows[0] ?? {}).filter((k) => !known.has(k));
        if (unknown.length > 0) throw new WartaError('storage', `${table}: the source has columns this warta cannot copy to PostgreSQL (${unknown.join(', ')})`);
        const values = cols.map(([name, type]) =>
          rows.map((r) => {
            const v = r[name] ?? null;
            // bigint columns travel as text: pg would otherwise send JS numbers through float formatting.
            return v === null ? null : type === 'bigint' ? String(v) : v;
          }),
        );
        await c.query(insertText(table), values);
      }),
    commit: () =>
      run(async () => {
        await c.query(`SELECT setval(pg_get_serial_sequence('items', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM items), false)`);
        // Daemons already running on this database re-read what they publish (change-token.ts).
        await c.query('UPDATE change_counter SET n = n + 1');
        await end('COMMIT');
      }),
    rollback: () => end('ROLLBACK').catch(() => {}),
  };
}
