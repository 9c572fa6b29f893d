/**
 * Reading a whole SQLite store out, table by table in batches, for `warta migrate-store` (../copy.ts). Everything
 * is read inside one read transaction: in WAL mode that is a snapshot, so a daemon writing meanwhile cannot make
 * the counts and the rows disagree. Rows are the tables' own columns, instants as stored (ISO 8601 UTC text).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { WartaError } from '../../base/errors.js';
import type { CopiedTable, CopyRow, StoreExport } from '../copy.js';
import { loadMigrations } from './migrate.js';

// The order rows are read in: the primary key, so a batch boundary never splits anything and ids stay ascending.
const ORDER: Record<CopiedTable, string> = {
  sources: 'id',
  items: 'id',
  item_tags: 'item_id, tag',
  item_outputs: 'item_id, output_id',
  pages: 'item_id',
  tombstones: 'source_id, dedupe_key',
  meta: 'key',
};

/** Opens the SQLite database at `path` read-only and reads it as one snapshot. */
export function exportSqliteStore(path: string): StoreExport {
  if (!existsSync(path)) throw new WartaError('storage', `no database at ${path}`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const newest = loadMigrations().at(-1)?.version ?? 0;
    if (version !== newest) {
      throw new WartaError('storage', `the database ${path} has schema version ${version}, this warta ${newest}: ${version < newest ? 'start this warta (or run `warta fetch`) on it once to upgrade it' : 'upgrade warta'}`);
    }
    db.pragma('busy_timeout = 5000');
    // Deferred: the snapshot starts at the first read, and holds until close.
    db.exec('BEGIN');
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    location: path,
    count: (table) => (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number),
    *rows(table, batchSize) {
      let batch: CopyRow[] = [];
      // iterate() steps the statement: one batch in memory at a time, never the table.
      for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY ${ORDER[table]}`).iterate() as IterableIterator<CopyRow>) {
        batch.push(row);
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    close() {
      if (!db.open) return;
      db.exec('COMMIT');
      db.close();
    },
  };
}
