/**
 * Where commands, workers and the daemon get a store: the one place that picks an implementation from the
 * config's `storage` section. A read-only open never creates or migrates anything.
 */
import { existsSync } from 'node:fs';
import { WartaError } from '../base/errors.js';
import { backupDatabase } from './sqlite/backup.js';
import { startCheckpointer } from './sqlite/checkpointer.js';
import { DAEMON_BUSY_TIMEOUT_MS } from './sqlite/busy.js';
import { takeDaemonLock, type DaemonLock } from './sqlite/daemon-lock.js';
import { openDatabase } from './sqlite/open.js';
import { makeSqliteStore } from './sqlite/store.js';
import { DEFAULT_POOL_SIZE, DEFAULT_STATEMENT_TIMEOUT_MS, displayUrl, isPostgres, type StorageSpec } from './spec.js';
import type { Store } from './store.js';

export { DEFAULT_POOL_SIZE, DEFAULT_STATEMENT_TIMEOUT_MS, isPostgres, sharedAcrossThreads, type StorageSpec } from './spec.js';

/** How a store is opened. */
export interface OpenOptions {
  /** Never write: a missing database is an error, not a new one (`warta sources`, `tags test`, workers). */
  readonly?: boolean;
  /**
   * The daemon waits for other processes' locks between timers, never on the event loop; a one-shot command
   * may wait on its own thread. The daemon also keeps a smaller SQLite cache and no mmap (sqlite/open.ts).
   */
  role?: 'daemon' | 'command';
  /**
   * SQLite's WAL checkpoints on a thread of their own rather than inside the commits (sqlite/checkpointer.ts): the
   * daemon's (`warta start`), whose event loop serves HTTP. A one-shot command has no one waiting on its loop.
   */
  checkpointThread?: boolean;
  /** Told once when the daemon's WAL checkpoints go back into its commits (their thread could not run), and why. */
  onCheckpointFallback?: (reason: string) => void;
}

/** Where the store keeps its data, as it may be shown (no password). */
export function storageLocation(spec: StorageSpec): string {
  return isPostgres(spec) ? displayUrl(spec.url) : spec.path;
}

/** Opens (creating and migrating it unless read-only) the store `spec` names. */
export async function openStore(spec: StorageSpec, opts: OpenOptions = {}): Promise<Store> {
  if (isPostgres(spec)) {
    // Loaded only for PostgreSQL: pg and its protocol cost a SQLite daemon ~6 MB of resident memory for nothing.
    const { openPostgresStore } = await import('./postgres/open.js');
    return openPostgresStore({
      url: spec.url,
      poolSize: spec.poolSize ?? DEFAULT_POOL_SIZE,
      statementTimeoutMs: spec.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      readonly: opts.readonly ?? false,
    });
  }
  if (opts.readonly && spec.path !== ':memory:' && !existsSync(spec.path)) {
    throw new WartaError('storage', `no database at ${spec.path}: start warta (or run \`warta fetch\`) once to create it`);
  }
  try {
    const daemon = opts.role === 'daemon';
    const db = openDatabase(spec.path, { readonly: opts.readonly ?? false, busyTimeoutMs: daemon ? DAEMON_BUSY_TIMEOUT_MS : undefined, resident: daemon ? 'lean' : 'fast' });
    // The daemon's commits leave WAL checkpoints to a thread of their own (sqlite/checkpointer.ts): a checkpoint in
    // a commit held the event loop for up to ~120 ms.
    const checkpointer = opts.checkpointThread && !opts.readonly && spec.path !== ':memory:' ? startCheckpointer(db, spec.path, { onFallback: opts.onCheckpointFallback }) : null;
    return makeSqliteStore(db, spec.path, undefined, checkpointer);
  } catch (err) {
    if (err instanceof WartaError) throw err;
    throw new WartaError('storage', `cannot open the database ${spec.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}


/** An online, consistent copy of the store to `dest` (`warta backup`). */
export function backupStore(spec: StorageSpec, dest: string, opts: { force?: boolean } = {}) {
  if (isPostgres(spec)) {
    throw new WartaError('storage', `backup: this copies SQLite files only; back up the PostgreSQL database at ${displayUrl(spec.url)} with pg_dump (README: PostgreSQL and several daemons)`);
  }
  return backupDatabase(spec.path, dest, opts);
}

/**
 * The lock a daemon holds for its life so that no second daemon polls the same SQLite file (sqlite/daemon-lock.ts);
 * null where there is nothing to guard (an in-memory database, PostgreSQL, whose daemons will share through leases).
 */
export function lockStoreForDaemon(spec: StorageSpec): DaemonLock | null {
  if (isPostgres(spec) || spec.path === ':memory:') return null;
  return takeDaemonLock(spec.path);
}
