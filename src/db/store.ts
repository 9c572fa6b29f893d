import { makeItemStore } from './items.js';
import type { Db } from './open.js';
import { makeRetention } from './retention.js';
import { makeSourceStore } from './sources.js';

/** Everything the rest of warta may do with the database, as prepared statements over one connection. */
export function makeStore(db: Db) {
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const deleteMeta = db.prepare('DELETE FROM meta WHERE key = ?');
  const setMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  // Prepared once: db.pragma() would compile a statement on every request that checks the render cache.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const ping = db.prepare('SELECT 1').pluck();
  let localWrites = 0;
  return {
    db,
    sources: makeSourceStore(db),
    items: makeItemStore(db),
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
    /** Runs `fn` in one transaction (rolled back if it throws) and marks published data as changed. */
    write<T>(fn: () => T): T {
      const result = db.transaction(fn)();
      localWrites++;
      return result;
    },
    /**
     * Runs `fn` in one transaction that changes nothing published (a source's poll bookkeeping): the render
     * caches stay valid. With 1,000 sources answering 304, bumping the version here re-rendered every feed
     * on almost every request.
     */
    writeState<T>(fn: () => T): T {
      return db.transaction(fn)();
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
