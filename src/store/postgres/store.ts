/**
 * The Store (src/store/store.ts) over a `pg` pool. Every write is one transaction on one pooled connection
 * (BEGIN … COMMIT, nothing else on that connection meanwhile); a transaction that lost a race with another
 * writer (deadlock, serialization failure, a key stored meanwhile) runs again from the start, with fresh reads.
 * Reads are single statements on the pool. Every failure leaves here as WartaError `storage` or `busy`.
 */
import { WartaError } from '../../base/errors.js';
import type { PollRecord, RefreshCommit, RetagChange, RetagState, Store, WriteOptions } from '../store.js';
import { POLL_MS, type ChangeBoardEntry } from './change-token.js';
import { isConnectionLost, isRetryable, storageError } from './errors.js';
import { items } from './items.js';
import { makePostgresNodes } from './nodes.js';
import { retagRows } from './retag-rows.js';
import { retention } from './retention.js';
import { sources } from './sources.js';
import { stories } from './stories.js';
import { pages } from './pages.js';
import { statement, type Queryable } from './statement.js';
import type pg from 'pg';

const FINGERPRINT = 'rules_fingerprint';
const PROGRESS = 'retag_progress';
const RULES_CHANGED_AT = 'rules_changed_at';
// A transaction that lost a race is run again this many times in all before its error is reported.
const ATTEMPTS = 3;
// Reads after connections were cut (a restart, terminated backends): the pool may hand out more than one dead
// connection before it has dropped them all, so a read is asked up to three times (reads change nothing).
const READ_ATTEMPTS = 3;

const getMeta = statement('meta_get', 'SELECT key, value FROM meta WHERE key = ANY($1::text[])');
const setMeta = statement('meta_set', 'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
const deleteMeta = statement('meta_delete', 'DELETE FROM meta WHERE key = $1');
// The last statement of every write that may change what is published: the row lock it takes is held only
// from here to COMMIT, and serializes the bumps, so a value returned here means every lower one is committed.
const bumpChanges = statement('changes_bump', 'UPDATE change_counter SET n = n + 1 RETURNING n');
/** The database's change counter now. */
export const readChanges = statement('changes_read', 'SELECT n FROM change_counter');
const ping = statement('ping', 'SELECT 1 AS one');

/** What makePostgresStore needs besides the pool. */
export interface PostgresStoreOptions {
  /** Where the data is, as it may be shown (no password). */
  location: string;
  /** This store's place on its process's change board (change-token.ts). */
  changes: ChangeBoardEntry;
}

/** A Store over `pool` (opened and migrated by open.ts). */
export function makePostgresStore(pool: pg.Pool, opts: PostgresStoreOptions): Store {
  const { location, changes } = opts;
  let closed = false;
  let poller: NodeJS.Timeout | null = null;
  let polling = false;

  const closedError = () => new WartaError('storage', `the store on ${location} is closed`);

  /**
   * One transaction; `published`: it may change what is published, so it bumps the change counter. Runs again
   * (at most ATTEMPTS times in all) when it lost a race, or lost its connection before COMMIT was sent (nothing
   * of it stayed: another daemon cutting connections, a failover); the signal stops it before it starts (shutdown).
   */
  async function transaction<T>(fn: (tx: Queryable) => Promise<T>, published: boolean, opts?: WriteOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (closed) throw closedError();
      if (opts?.signal?.aborted) throw new WartaError('aborted', 'shutting down before a database write');
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw storageError(err, location);
      }
      let broken = false;
      let committing = false;
      // A checked-out client has no listener of the pool's: a connection the server ends between two statements
      // (a terminated backend, a restart) would emit an unheard 'error' and crash the daemon. The statement under
      // way, or the next one, fails on its own and the transaction is run again or reported.
      const lost = () => void (broken = true);
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        const value = published ? (await bumpChanges<{ n: number }>(client)).rows[0]!.n : null;
        committing = true;
        await client.query('COMMIT');
        if (value !== null) changes.committed(value);
        return result;
      } catch (err) {
        // A connection that cannot even roll back is dropped from the pool rather than reused.
        await client.query('ROLLBACK').catch(() => (broken = true));
        // A COMMIT whose answer was lost may have committed: only a write that never got that far runs again.
        if (attempt < ATTEMPTS && (isRetryable(err) || (!committing && isConnectionLost(err)))) continue;
        throw storageError(err, location);
      } finally {
        client.removeListener('error', lost);
        client.release(broken);
      }
    }
  }
  const write = <T>(fn: (tx: Queryable) => Promise<T>, opts?: WriteOptions) => transaction(fn, true, opts);
  /** A transaction that changes nothing published (a source's poll bookkeeping): render caches stay valid. */
  const writeState = <T>(fn: (tx: Queryable) => Promise<T>, opts?: WriteOptions) => transaction(fn, false, opts);
  /** A read; asked again (READ_ATTEMPTS in all) when its connection was lost under it (reads change nothing). */
  async function read<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (closed) throw closedError();
      try {
        return await fn(pool);
      } catch (err) {
        if (attempt < READ_ATTEMPTS && isConnectionLost(err)) continue;
        throw storageError(err, location);
      }
    }
  }
  async function meta(db: Queryable): Promise<Map<string, string>> {
    const { rows } = await getMeta<{ key: string; value: string }>(db, [[FINGERPRINT, PROGRESS, RULES_CHANGED_AT]]);
    return new Map(rows.map((r) => [r.key, r.value]));
  }
  /** Reads the change counter for other processes' writes (change-token.ts); a failed read is tried again next time. */
  function poll(): void {
    if (polling || closed) return;
    polling = true;
    const done = changes.startPoll();
    readChanges<{ n: number }>(pool).then(
      (r) => done(r.rows[0]!.n),
      () => {},
    ).finally(() => (polling = false));
  }

  return {
    kind: 'postgres',
    location,
    sources: {
      get: (id) => read((db) => sources.get(db, id)),
      all: () => read((db) => sources.all(db)),
      ensure: (list, opts) => writeState((tx) => sources.ensure(tx, list), opts),
      recordPoll: (id: string, poll: PollRecord, opts?: WriteOptions) => writeState((tx) => sources.record(tx, id, poll), opts),
      itemCounts: () => read((db) => sources.itemCounts(db)),
      countFailing: () => read((db) => sources.countFailing(db)),
      markDegraded: (id, error, opts) => writeState((tx) => pages.degradeSource(tx, id, error), opts),
      clearDegraded: (id, error, opts) => writeState((tx) => pages.recoverSource(tx, id, error), opts),
    },
    items: {
      lookup: (sourceId, keys) => read((db) => items.lookup(db, sourceId, keys)),
      known: (sourceId, digests) => read((db) => items.known(db, sourceId, digests)),
      commitRefresh(c: RefreshCommit, opts?: WriteOptions) {
        const fn = async (tx: Queryable) => {
          const r = await items.commit(tx, c.sourceId, c.inserts, c.updates, c.poll.now);
          if (c.digests?.length) await items.setDigests(tx, c.sourceId, c.digests);
          // In the refresh that exceeds it: a source never shows more than its max_items.
          if (r.inserted > 0 && c.maxItems != null) r.pruned = await retention.pruneSource(tx, c.poll.now, c.sourceId, c.maxItems);
          await sources.record(tx, c.sourceId, c.poll);
          return r;
        };
        // Bookkeeping only (every item unchanged): the render caches stay valid.
        return c.inserts.length + c.updates.length > 0 ? write(fn, opts) : writeState(fn, opts);
      },
      select: (f) => read((db) => items.select(db, f)),
      browse: (f) => read((db) => items.browse(db, f)),
      find: (ref) => read((db) => items.find(db, ref)),
      countsByTag: () => read((db) => items.countsByTag(db)),
    },
    retag: {
      state: () =>
        read(async (db): Promise<RetagState> => {
          const m = await meta(db);
          const progress = m.get(PROGRESS);
          const changedAt = m.get(RULES_CHANGED_AT);
          return {
            fingerprint: m.get(FINGERPRINT) ?? null,
            progress: progress === undefined ? null : (JSON.parse(progress) as RetagState['progress']),
            changedAt: changedAt === undefined ? null : new Date(changedAt),
          };
        }),
      // The old fingerprint goes before the first item changes (see the SQLite store).
      begin: (fingerprint, opts) => write(async (tx) => void (await setMeta(tx, [FINGERPRINT, `pending:${fingerprint}`])), opts),
      rangeEnd: (afterId, count) => read((db) => retagRows.rangeEnd(db, afterId, count)),
      countAfter: (afterId, cap) => read((db) => retagRows.countAfter(db, afterId, cap)),
      readRange: (afterId, lastId) => read((db) => retagRows.readRange(db, afterId, lastId)),
      apply: (changes: readonly RetagChange[], progress, opts) =>
        write(async (tx) => {
          const written = await items.applyRetag(tx, changes);
          await setMeta(tx, [PROGRESS, JSON.stringify(progress)]);
          return written;
        }, opts),
      finish: (fingerprint, changedAt, opts) =>
        write(async (tx) => {
          await setMeta(tx, [FINGERPRINT, fingerprint]);
          await deleteMeta(tx, [PROGRESS]);
          // JSON Feed outputs show explanations too, so a change of those alone is a change of what is published.
          if (changedAt) await setMeta(tx, [RULES_CHANGED_AT, changedAt.toISOString()]);
        }, opts),
    },
    retention: {
      prune: (now, retentionDays, maxItems, opts) => write((tx) => retention.prune(tx, now, retentionDays, maxItems), opts),
    },
    nodes: makePostgresNodes(pool, location, () => {
      if (closed) throw closedError();
    }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    stories: {
      byCanonical: (sourceId, urls) => read((db) => stories.byCanonical(db, sourceId, urls)),
      firstStored: (ids) => read((db) => stories.firstStored(db, ids)),
      // Concurrent refreshes across the pool and other daemons: far more than ever commit out of order at once.
      lateIds: 256,
      newestId: () => read((db) => stories.newestId(db)),
      members: (since, afterId, uptoId, limit) => read((db) => stories.members(db, since, afterId, uptoId, limit)),
      window: (since, uptoId, after, limit) => read((db) => stories.window(db, since, uptoId, after, limit)),
      clusters: (ids) => read((db) => stories.clusters(db, ids)),
      sizes: (ids) => read((db) => stories.sizes(db, ids)),
      list: (f) => read((db) => stories.list(db, f)),
      appearances: (ids) => read((db) => stories.appearances(db, ids)),
      readRange: (since, afterId, limit) => read((db) => stories.readRange(db, since, afterId, limit)),
      apply: (changes, progress, opts) =>
        write(async (tx) => {
          const n = await stories.apply(tx, changes);
          if (progress) await setMeta(tx, [progress.key, progress.value]);
          return n;
        }, opts),
      getMeta: (key) => read(async (db) => (await getMeta<{ key: string; value: string }>(db, [[key]])).rows[0]?.value ?? null),
      setMeta: (key, value, opts) => writeState(async (tx) => void (value === null ? await deleteMeta(tx, [key]) : await setMeta(tx, [key, value])), opts),
    },
    pages: {
      // Leases change nothing published.
      claim: (now, limit, leaseUntil, opts) => writeState((tx) => pages.claim(tx, now, limit, leaseUntil), opts),
      nextDue: () => read((db) => pages.nextDue(db)),
      complete: (d, opts) => write((tx) => pages.complete(tx, d), opts),
      // A failure changes only what the API shows, which is never cached.
      fail: (f, opts) => writeState((tx) => pages.fail(tx, f), opts),
      backfill: (sourceId, since, mode, now, opts) => writeState((tx) => pages.backfill(tx, sourceId, since, mode, now), opts),
      status: (itemId) => read((db) => pages.status(db, itemId)),
    },
    changeToken() {
      if (closed) throw closedError();
      // Started by the first caller (the daemon's render caches), so commands and workers never poll.
      if (!poller) {
        poller = setInterval(poll, POLL_MS);
        poller.unref();
      }
      return changes.token();
    },
    async ping() {
      if (closed) return false;
      try {
        return (await ping<{ one: number }>(pool)).rows[0]?.one === 1;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (poller) clearInterval(poller);
      changes.leave();
      await pool.end();
    },
  };
}
