/**
 * The reliability checks on PostgreSQL (`--store postgres`): a schema of the server at 127.0.0.1:5432 per check,
 * dropped after, and a copy of what a check inspects (items, their tags, meta) taken from it into an in-memory
 * SQLite database, so invariants.ts's checkStore reads the PostgreSQL store exactly as it reads a SQLite file.
 * PostgreSQL has no integrity_check: the copy's always passes; what is checked is the data.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { adminQuery, postgresUnavailable, TEST_SERVER, testSchema } from '../helpers/postgres.js';

export { postgresUnavailable, testSchema };

/** Items, tags and meta of the warta schema `schema`, as an in-memory SQLite database (close it after). */
export async function snapshotOf(schema: string): Promise<Database.Database> {
  const [items, tags, meta] = await Promise.all([
    adminQuery(`SELECT id, source_id, guid, link, cluster_id, appearance_of, published FROM ${schema}.items`),
    adminQuery(`SELECT item_id, tag FROM ${schema}.item_tags`),
    adminQuery(`SELECT key, value FROM ${schema}.meta`),
  ]);
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, source_id TEXT, guid TEXT, link TEXT, cluster_id INTEGER, appearance_of INTEGER, published TEXT);
           CREATE TABLE item_tags (item_id INTEGER, tag TEXT);
           CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);`);
  db.transaction(() => {
    const i = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const r of items.rows as { id: number; source_id: string; guid: string | null; link: string | null; cluster_id: number | null; appearance_of: number | null; published: Date }[]) {
      const n = (v: number | null) => (v === null ? null : Number(v));
      i.run(Number(r.id), r.source_id, r.guid, r.link, n(r.cluster_id), n(r.appearance_of), r.published.toISOString());
    }
    const t = db.prepare('INSERT INTO item_tags VALUES (?, ?)');
    for (const r of tags.rows as { item_id: number; tag: string }[]) t.run(Number(r.item_id), r.tag);
    const m = db.prepare('INSERT INTO meta VALUES (?, ?)');
    for (const r of meta.rows as { key: string; value: string }[]) m.run(r.key, r.value);
  })();
  return db;
}

/** Terminates every database connection of the daemon with process id `pid`; resolves with how many. */
export async function terminateBackends(pid: number): Promise<number> {
  const r = await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`warta pid ${pid}`]);
  return r.rowCount ?? 0;
}

/** A connection of its own to the test server as its superuser (a long transaction a check holds); end() it. */
export async function adminSession(): Promise<pg.Client> {
  // Bounded like adminQuery's: a statement that never answers fails the check that sent it.
  const client = new pg.Client({ connectionString: TEST_SERVER, connectionTimeoutMillis: 20_000, query_timeout: 120_000 });
  client.on('error', () => {}); // a connection the server ends fails the next query; unheard, it would crash the run
  await client.connect();
  return client;
}
