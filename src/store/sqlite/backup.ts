/**
 * Online backup of the live database with SQLite's backup API (https://sqlite.org/backup.html), through
 * better-sqlite3's db.backup(). The daemon keeps writing meanwhile; the copy is a consistent snapshot.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { WartaError } from '../../base/errors.js';

// Pages copied per step: 1 MiB at the default 4 KiB page size, so a backup run inside the daemon yields to the
// event loop often. Readers do not block writers in WAL mode, so a step never stalls a refresh.
const PAGES_PER_STEP = 256;
// A write by another connection between two steps restarts the copy (backup.html, "sqlite3_backup_step").
// After this many restarts the rest is copied in one step, in one read transaction, so a busy daemon cannot
// starve the backup; that step holds the event loop of the process running it for the copy's duration.
const MAX_RESTARTS = 3;
const ALL_PAGES = 0x7fffffff;
// A temp file whose owner cannot be checked (another host or container sharing the directory, a reused pid, a
// name from before the pid was recorded) is left alone until it has not changed for this long; a live backup
// writes to it on every step.
const STALE_AFTER_MS = 3_600_000;

/** What removing a dead backup's leftovers needs from the system (passed in for tests). */
export interface StaleCheck {
  /** Whether a process with this pid exists on this machine. */
  isAlive: (pid: number) => boolean;
  now: () => number;
}

const systemCheck: StaleCheck = { isAlive: processExists, now: Date.now };

/** Copies the live database to `dest` while warta runs (better-sqlite3's db.backup(), i.e. SQLite's online backup API); refuses an existing dest unless force; writes to a temp file in the same directory then renames, so a crash never leaves a half file at dest, and removes the temp files earlier backups to dest left when killed. Resolves with pages/bytes copied and the number of stale temp files removed. */
export async function backupDatabase(dbPath: string, dest: string, opts: { force?: boolean; stale?: StaleCheck } = {}): Promise<{ pages: number; bytes: number; staleRemoved: number }> {
  const target = resolve(dest);
  const dir = dirname(target);
  if (!existsSync(dir)) throw new WartaError('storage', `backup: directory ${dir} does not exist; create it first`);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new WartaError('storage', `backup: ${target} is a directory; give a file name, e.g. ${join(target, 'warta.db')}`);
    if (!opts.force) throw new WartaError('storage', `backup: ${target} already exists; choose another file or pass --force to overwrite it`);
  }
  if (!existsSync(dbPath)) throw new WartaError('storage', `backup: no database at ${dbPath} (check storage.path or WARTA_DB)`);
  if (isLiveFile(dbPath, target)) throw new WartaError('storage', `backup: ${target} is the live database or one of its -wal/-shm/-journal files; choose another file`);

  // A backup killed (SIGKILL, power loss) before its finally block leaves its temp file: remove those first.
  const staleRemoved = removeStaleTemps(dir, basename(target), opts.stale ?? systemCheck);
  // Hidden, beside dest (one filesystem, so the final rename is atomic), random so two backups never collide,
  // with our pid so a later backup can tell a dead backup's leftovers from a running one's.
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let source: Database.Database | undefined;
  try {
    try {
      source = new Database(dbPath, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new WartaError('storage', `backup: cannot open ${dbPath}: ${(err as Error).message}`, { cause: err });
    }
    source.pragma('busy_timeout = 5000');
    const pages = await copyPages(source, temp);
    source.close();
    source = undefined;
    verify(temp);
    const bytes = statSync(temp).size;
    publish(temp, target, opts.force ?? false);
    syncDirectory(dir);
    return { pages, bytes, staleRemoved };
  } catch (err) {
    if (err instanceof WartaError) throw err;
    throw new WartaError('storage', `backup: copying ${dbPath} to ${target} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    source?.close();
    for (const f of [temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`]) rmSync(f, { force: true });
  }
}

/**
 * Removes temp files of backups to `name` in `dir` that no running process owns: the owning pid (in the name)
 * is gone, or the file has not changed for STALE_AFTER_MS. Returns how many temp databases were removed.
 */
function removeStaleTemps(dir: string, name: string, check: StaleCheck): number {
  // `.<name>.<pid>.<12 hex>.tmp` and SQLite's -journal/-wal/-shm beside it; older warta wrote no pid.
  const ours = new RegExp(`^\\.${escapeRegExp(name)}\\.(?:(\\d+)\\.)?[0-9a-f]{12}\\.tmp(-journal|-wal|-shm)?$`);
  let removed = 0;
  for (const file of readdirSync(dir)) {
    const m = ours.exec(file);
    if (!m) continue;
    const path = join(dir, file);
    let idleMs: number;
    try {
      idleMs = check.now() - statSync(path).mtimeMs;
    } catch {
      continue; // removed meanwhile (its own backup finished)
    }
    const pid = m[1] === undefined ? null : Number(m[1]);
    const dead = pid !== null && pid !== process.pid && !check.isAlive(pid);
    if (!dead && idleMs < STALE_AFTER_MS) continue;
    rmSync(path, { force: true });
    if (m[2] === undefined) removed++;
  }
  return removed;
}

/** Whether a process with this pid exists (signal 0 checks without signalling; EPERM: it exists, not ours). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs the backup to `temp`, returning the number of pages in the copy. */
async function copyPages(source: Database.Database, temp: string): Promise<number> {
  let restarts = 0;
  let lastRemaining = Infinity;
  const done = await source.backup(temp, {
    progress({ remainingPages }) {
      if (remainingPages >= lastRemaining) restarts += 1;
      lastRemaining = remainingPages;
      // better-sqlite3 caps a step at 2^31-1 pages: in effect SQLite's -1, "everything left".
      return restarts >= MAX_RESTARTS ? ALL_PAGES : PAGES_PER_STEP;
    },
  });
  return done.totalPages;
}

/** Fails the backup unless the copy opens and SQLite finds it sound. */
function verify(file: string): void {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = copy.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new WartaError('storage', `backup: the copy failed SQLite's quick_check (${String(result)}); the live database may need attention`);
  } finally {
    copy.close();
  }
}

/**
 * Moves the finished copy into place. Without force a hard link is the atomic "create only if absent", so a
 * file that appeared at dest during the copy is never overwritten; with force, rename replaces atomically.
 */
function publish(temp: string, target: string, force: boolean): void {
  if (force) return renameSync(temp, target);
  try {
    linkSync(temp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new WartaError('storage', `backup: ${target} already exists; choose another file or pass --force to overwrite it`, { cause: err });
    // Some filesystems (FAT, some network mounts) have no hard links: fall back to check-then-rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
    if (existsSync(target)) throw new WartaError('storage', `backup: ${target} already exists; choose another file or pass --force to overwrite it`);
    renameSync(temp, target);
  }
}

/** Makes the rename itself durable (POSIX: a rename is persisted by syncing the directory). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported on every platform (Windows); the data itself was synced by SQLite.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether `target` is the database or a file SQLite keeps beside it: overwriting either corrupts it. */
function isLiveFile(dbPath: string, target: string): boolean {
  const live = realpathSync(dbPath);
  const real = existsSync(target) ? realpathSync(target) : join(realpathSync(dirname(target)), basename(target));
  return ['', '-wal', '-shm', '-journal'].some((suffix) => real === live + suffix);
}
