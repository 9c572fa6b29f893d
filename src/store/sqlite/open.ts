import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate.js';

/** The one connection type warta uses. */
export type Db = Database.Database;

// Opening and migrating happen before anything is served, so they may wait this long for another process.
const OPEN_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the database file and brings its schema up to date.
 * WAL lets output requests read while a refresh writes; synchronous=NORMAL is durable across process crashes
 * in WAL mode (only an OS crash can lose the last transactions, never corrupt the file).
 * `busyTimeoutMs` is how long a statement then waits for another process's lock, blocking the event loop
 * (better-sqlite3 is synchronous): one-shot commands may wait 5 s; the daemon waits briefly and retries
 * its writes asynchronously (busy.ts).
 */
export function openDatabase(path: string, options: { readonly?: boolean; busyTimeoutMs?: number; resident?: 'lean' | 'fast' } = {}): Db {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The default page cache (2 MB) is smaller than the indexes of a year of news; inserts then re-read index
    // pages from the OS on every refresh. 64 MB of cache and memory-mapped reads keep them hot for one-shot
    // commands. The long-running daemon ('lean') keeps 16 MB and no mmap: every mapped page it touched stayed in
    // its RSS (10,000 sources: the whole 256 MB window), and the OS page cache still holds the file.
    const lean = options.resident === 'lean';
    db.pragma(lean ? 'cache_size = -16384' : 'cache_size = -65536');
    db.pragma(lean ? 'mmap_size = 0' : 'mmap_size = 268435456');
    migrate(db);
  }
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? OPEN_BUSY_TIMEOUT_MS))}`);
  return db;
}
