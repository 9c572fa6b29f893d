import { defaultBusyPolicy, retryWhileBusy, type BusyPolicy } from './busy.js';
import { makeItemStore } from './items.js';
import type { Db } from './open.js';
import { makeRetention } from './retention.js';
import { makeRetagReader } from './retag-rows.js';
import { makeSourceStore } from './sources.js';

/** Everything the rest of warta may do with the database, as prepared statements over one connection. */
export function makeStore(db: Db, busy: BusyPolicy = defaultBusyPolicy) {
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const deleteMeta = db.prepare('DELETE FROM meta WHERE key = ?');
  const setMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  // Prepared once: db.pragma() would compile a statement on every request that checks the render cache.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const ping = db.prepare('SELECT 1').pluck();
  let localWrites = 0;
  // BEGIN IMMEDIATE takes the write lock before `fn` runs: a lock held elsewhere fails fast at BEGIN (and is
  // retried) instead of after `fn`'s reads, where SQLite cannot wait for it (SQLITE_BUSY without the handler).
  const transaction = <T>(fn: () => T) => () => db.transaction(fn).immediate();
  const items = makeItemStore(db);
  return {
    db,
    sources: makeSourceStore(db),
    items,
    retag: { ...makeRetagReader(db), apply: items.applyRetag },
    retention: makeRetention(db),
    meta: {
      get: (key: string) => (getMeta.get(key) as string | undefined) ?? null,
      set: (key: string, value: string) => void setMeta.run(key, value),
      delete: (key: string) => void deleteMeta.run(key),
    },
    /** Whether the database answers (readiness). */
    ping(): boolean {
      try {
        return ping.get() === 1;
      } catch {
        return false;
      }
    },
    /**
     * Runs `fn` in one transaction (rolled back if it throws) and marks published data as changed. While another
     * process holds the write lock it waits between timers (busy.ts), so `fn` may run later than called, or
     * fail with a `storage` error after the policy's wait; `signal` ends the wait early (shutdown).
     */
    async write<T>(fn: () => T, signal?: AbortSignal): Promise<T> {
      const result = await retryWhileBusy(transaction(fn), busy, signal);
      localWrites++;
      return result;
    },
    /**
     * Runs `fn` in one transaction that changes nothing published (a source's poll bookkeeping): the render
     * caches stay valid. With 1,000 sources answering 304, bumping the version here re-rendered every feed
     * on almost every request. Waits for locks as write() does.
     */
    writeState<T>(fn: () => T, signal?: AbortSignal): Promise<T> {
      return retryWhileBusy(transaction(fn), busy, signal);
    },
    /**
     * A number that changes whenever published data may have changed: our own commits, or another
     * connection's (a `warta fetch` run beside the daemon) seen through PRAGMA data_version.
     */
    version(): string {
      return `${localWrites}.${dataVersion.get() as number}`;
    },
  };
}

/** The store's interface, for passing as a dependency. */
export type Store = ReturnType<typeof makeStore>;
