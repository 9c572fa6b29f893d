import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate.js';

/** The one connection type warta uses. */
export type Db = Database.Database;

/**
 * Opens (creating if needed) the database file and brings its schema up to date.
 * WAL lets output requests read while a refresh writes; synchronous=NORMAL is durable across process crashes
 * in WAL mode (only an OS crash can lose the last transactions, never corrupt the file).
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  // A busy wait blocks the event loop (better-sqlite3 is synchronous): keep it short; warta has one writer.
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The default page cache (2 MB) is smaller than the indexes of a year of news; inserts then re-read index
    // pages from the OS on every refresh. 64 MB of cache and memory-mapped reads keep them hot.
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    migrate(db);
  }
  db.pragma('foreign_keys = ON');
  return db;
}
