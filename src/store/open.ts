/**
 * Where commands, workers and the daemon get a store: the one place that picks an implementation from the
 * config's `storage` section. A read-only open never creates or migrates anything.
 */
import { existsSync } from 'node:fs';
import { WartaError } from '../base/errors.js';
import { backupDatabase } from './sqlite/backup.js';
import { DAEMON_BUSY_TIMEOUT_MS } from './sqlite/busy.js';
import { openDatabase } from './sqlite/open.js';
import { makeSqliteStore } from './sqlite/store.js';
import type { Store } from './store.js';

/** The config's `storage` section, as far as opening a store needs it. */
export interface StorageSpec {
  path: string;
}

/** How a store is opened. */
export interface OpenOptions {
  /** Never write: a missing database is an error, not a new one (`warta sources`, `tags test`, workers). */
  readonly?: boolean;
  /**
   * The daemon waits for other processes' locks between timers, never on the event loop; a one-shot command
   * may wait on its own thread.
   */
  role?: 'daemon' | 'command';
}

/** Opens (creating and migrating it unless read-only) the store `spec` names. */
export async function openStore(spec: StorageSpec, opts: OpenOptions = {}): Promise<Store> {
  if (opts.readonly && spec.path !== ':memory:' && !existsSync(spec.path)) {
    throw new WartaError('storage', `no database at ${spec.path}: start warta (or run \`warta fetch\`) once to create it`);
  }
  try {
    const db = openDatabase(spec.path, { readonly: opts.readonly ?? false, busyTimeoutMs: opts.role === 'daemon' ? DAEMON_BUSY_TIMEOUT_MS : undefined });
    return makeSqliteStore(db, spec.path);
  } catch (err) {
    if (err instanceof WartaError) throw err;
    throw new WartaError('storage', `cannot open the database ${spec.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Whether other threads can open the same store (worker threads re-tag from their own connections). */
export function sharedAcrossThreads(spec: StorageSpec): boolean {
  return spec.path !== ':memory:';
}

/** An online, consistent copy of the store to `dest` (`warta backup`). */
export function backupStore(spec: StorageSpec, dest: string, opts: { force?: boolean } = {}) {
  return backupDatabase(spec.path, dest, opts);
}
