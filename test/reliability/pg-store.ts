/**
 * The reliability checks on PostgreSQL (`--store postgres`): a schema of the server at 127.0.0.1:5432 per check,
 * dropped after, and a copy of what a check inspects (items, their tags, meta) taken from it into an in-memory
 * SQLite database, so invariants.ts's checkStore reads the PostgreSQL store exactly as it reads a SQLite file.
 * PostgreSQL has no integrity_check: the copy's always passes; what is checked is the data.
 */
import Database from 'better-sqlite3';
import { adminQuery, postgresUnavailable, testSchema } from '../helpers/postgres.js';

export { postgresUnavailable, testSchema };

/** Items, tags and meta of the warta schema `schema`, as an in-memory SQLite database (close it after). */
export async function snapshotOf(schema: string): Promise<Database.Database> {
  const [items, tags, meta] = await Promise.all([
    adminQuery(`SELECT id, source_id, guid, link FROM ${schema}.items`),
    adminQuery(`SELECT item_id, tag FROM ${schema}.item_tags`),
    adminQuery(`SELECT key, value FROM ${schema}.meta`),
  ]);
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, source_id TEXT, guid TEXT, link TEXT);
           CREATE TABLE item_tags (item_id INTEGER, tag TEXT);
           CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);`);
  db.transaction(() => {
    const i = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?)');
    for (const r of items.rows as { id: number; source_id: string; guid: string | null; link: string | null }[]) i.run(Number(r.id), r.source_id, r.guid, r.link);
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
