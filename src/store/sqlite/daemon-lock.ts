/**
 * One daemon per SQLite file: `warta start` holds an exclusive lock on `<db>.lock` beside the database for its
 * whole life, so a second daemon on the same file (two containers on one volume) refuses to start instead of
 * polling every source a second time.
 *
 * The lock is SQLite's own: a connection to the (empty) lock file that begins an EXCLUSIVE transaction and never
 * ends it. SQLite's unix VFS takes it as an fcntl() byte-range lock, which the kernel drops the moment the
 * process dies, SIGKILL included: no pid to check (pids repeat across containers and after reboots), no
 * heartbeat to wait out. It sits on a file of its own, so the database's writers (`warta fetch`, `warta
 * backup`) never wait for it. Measured: taking it ~0.1 ms, a refused second take ~4 ms, a take right after the
 * holder was SIGKILLed succeeds at once. Like SQLite's own locking, it needs a filesystem with working POSIX
 * locks (local disks and Docker volumes; not every network filesystem).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { WartaError } from '../../base/errors.js';

/** A held daemon lock; `release` ends it (the process's exit ends it too). */
export interface DaemonLock {
  path: string;
  release(): void;
}

/** The lock file that guards the database at `dbPath`. */
export function daemonLockPath(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** Takes the daemon lock of the database at `dbPath`, or throws `storage` naming the database when another holds it. */
export function takeDaemonLock(dbPath: string): DaemonLock {
  const path = daemonLockPath(dbPath);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // No waiting: a held lock means a live daemon, and it will not let go.
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new WartaError(
        'storage',
        `another warta daemon is running on the database ${dbPath} (it holds ${path}); stop it first, or give this one its own storage.path — \`warta fetch\` and the other commands work beside it`,
        { cause: err },
      );
    }
    throw new WartaError('storage', `cannot lock ${path} for the database ${dbPath}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return {
    path,
    release() {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
