/**
 * Waiting for another process's lock without blocking the event loop. better-sqlite3 is synchronous, so
 * SQLite's own busy_timeout sleeps on the event loop: every output request stalls while a write waits. The
 * daemon's connection keeps that wait short (DAEMON_BUSY_TIMEOUT_MS) and its writes retry here, between timers.
 */
import Database from 'better-sqlite3';
import { WartaError } from '../../base/errors.js';

/** The daemon's synchronous busy wait per attempt: long enough to ride out another writer's commit. */
export const DAEMON_BUSY_TIMEOUT_MS = 20;
/** How long a write waits in all for a lock held by another process before it fails. */
export const MAX_BUSY_WAIT_MS = 30_000;
const FIRST_DELAY_MS = 25;
const MAX_DELAY_MS = 500;

/** How a write waits for a lock (passed in so tests can shorten it). */
export interface BusyPolicy {
  /** Total time to keep retrying. */
  maxWaitMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const defaultBusyPolicy: BusyPolicy = {
  maxWaitMs: MAX_BUSY_WAIT_MS,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => performance.now(),
};

/** Whether `err` is SQLite saying another connection holds a lock (SQLITE_BUSY and its extended codes). */
export function isBusy(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY');
}

/**
 * Runs `attempt` (one synchronous transaction) until it does not fail with SQLITE_BUSY, sleeping between tries
 * (25 ms doubling to 500 ms) for at most `policy.maxWaitMs`. Anything else it throws is rethrown at once.
 */
export async function retryWhileBusy<T>(attempt: () => T, policy: BusyPolicy, signal?: AbortSignal): Promise<T> {
  const started = policy.now();
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return attempt();
    } catch (err) {
      if (!isBusy(err)) throw err;
      const waited = policy.now() - started;
      if (waited >= policy.maxWaitMs) {
        throw new WartaError('storage', `the database stayed locked by another process for ${(waited / 1000).toFixed(1)} s (${(err as { code: string }).code}); this write was given up (does another process hold a write transaction open?)`, { cause: err });
      }
      if (signal?.aborted) throw new WartaError('aborted', 'shutting down while waiting for a database lock', { cause: err });
      await policy.sleep(Math.min(delay, policy.maxWaitMs - waited));
      // The connection may have been closed meanwhile (shutdown).
      if (signal?.aborted) throw new WartaError('aborted', 'shutting down while waiting for a database lock', { cause: err });
    }
  }
}

/**
 * A store failure as the catalogued `storage` error, with a message that says what to do. SQLITE_FULL is the
 * disk (or the filesystem quota) holding the database; ingest resumes by itself once space is freed.
 */
export function storageError(err: unknown): WartaError {
  if (err instanceof WartaError) return err;
  if (err instanceof Database.SqliteError) {
    if (err.code === 'SQLITE_FULL') return new WartaError('storage', `the disk holding the database is full (${err.code}: ${err.message}); free space and ingest resumes on its own`, { cause: err });
    if (isBusy(err)) return new WartaError('busy', `the database is locked by another process (${err.code}: ${err.message})`, { cause: err });
    return new WartaError('storage', `database error (${err.code}: ${err.message})`, { cause: err });
  }
  return new WartaError('storage', `database error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
