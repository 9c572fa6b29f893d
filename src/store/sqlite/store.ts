/**
 * The Store (src/store/store.ts) over one better-sqlite3 connection. better-sqlite3 is synchronous: each
 * method runs its statements at once and only its result is handed back through a promise, so nothing is
 * awaited between BEGIN and COMMIT. Writes wait for another process's lock between timers (busy.ts); every
 * SQLite error leaves here as WartaError `storage` (or `busy`, for a read that met a lock).
 */
import type { PollRecord, RefreshCommit, RetagChange, RetagState, Store, WriteOptions } from '../store.js';
import { defaultBusyPolicy, retryWhileBusy, storageError, type BusyPolicy } from './busy.js';
import type { Checkpointer } from './checkpointer.js';
import { makeItemStatements } from './items.js';
import type { Db } from './open.js';
import { makeSqliteNodes } from './nodes.js';
import { makeRetention } from './retention.js';
import { makeRetagStatements } from './retag-rows.js';
import { makeSourceStatements } from './sources.js';
import { makeStoryStatements } from './stories.js';
import { makePageStatements } from './pages.js';

const FINGERPRINT = 'rules_fingerprint';
const PROGRESS = 'retag_progress';
const RULES_CHANGED_AT = 'rules_changed_at';

/**
 * A Store over `db` (opened by open.ts); `location` is the file path shown to admins. With a `checkpointer`
 * (the daemon's), every committed write tells it, and close() stops it before the connection closes.
 */
export function makeSqliteStore(db: Db, location: string, busy: BusyPolicy = defaultBusyPolicy, checkpointer: Checkpointer | null = null): Store {
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const deleteMeta = db.prepare('DELETE FROM meta WHERE key = ?');
  const setMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  // Prepared once: db.pragma() would compile a statement on every request that checks the render cache.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const ping = db.prepare('SELECT 1').pluck();
  const sources = makeSourceStatements(db);
  const pages = makePageStatements(db);
  const items = makeItemStatements(db, pages);
  const retag = makeRetagStatements(db);
  const retention = makeRetention(db);
  const stories = makeStoryStatements(db, items);
  const meta = (key: string) => (getMeta.get(key) as string | undefined) ?? null;
  let localWrites = 0;

  // BEGIN IMMEDIATE takes the write lock before `fn` runs: a lock held elsewhere fails fast at BEGIN (and is
  // retried) instead of after `fn`'s reads, where SQLite cannot wait for it (SQLITE_BUSY without the handler).
  const transaction = <T>(fn: () => T) => () => db.transaction(fn).immediate();
  /**
   * One transaction that may change what is published (the render caches must look again). While another
   * process holds the write lock it waits between timers, so it may run later than called, or fail with a
   * `storage` error after the policy's wait; the signal ends the wait early (shutdown).
   */
  async function write<T>(fn: () => T, opts?: WriteOptions): Promise<T> {
    const result = await writeState(fn, opts);
    localWrites++;
    return result;
  }
  /**
   * One transaction that changes nothing published (a source's poll bookkeeping): the render caches stay
   * valid. With 1,000 sources answering 304, counting these re-rendered every feed on almost every request.
   */
  async function writeState<T>(fn: () => T, opts?: WriteOptions): Promise<T> {
    // Poll records queued earlier in this turn go first: a later write (a reload's new URL for a source) must not
    // be overwritten by a record made before it.
    void writePolls();
    let result: T;
    try {
      result = await retryWhileBusy(transaction(fn), busy, opts?.signal);
    } catch (err) {
      throw storageError(err);
    }
    // Never throws: a checkpointer that cannot run falls back to SQLite's own checkpoints by itself.
    checkpointer?.wrote();
    return result;
  }
  /**
   * The poll records (recordPoll) of one event-loop turn, written in one transaction at its end. A 304 writes
   * only bookkeeping on the source's row (last poll and status, state ok, errors cleared, failures 0, the
   * not-modified count, last success, the next hinted poll; a lasting content_selector problem kept): with
   * 1,000 sources answering 304, one transaction each was ~7 % of `warta fetch`'s CPU (BENCHMARKS.md "Second
   * pass (branch repoll15b)"). Each caller still resolves only once its record is committed, so a CLI line or a
   * log line is never ahead of the database; a SIGKILL before the turn ends loses records that the next poll of
   * those sources writes again (never an item: items are written by commitRefresh, not batched). A batch that
   * fails (a full disk, a lock held past the busy policy) fails each of its callers, as their own write would
   * have. The wait for a lock ends early only on a signal every caller in the batch shares (the daemon's stop).
   */
  type QueuedPoll = { id: string; poll: PollRecord; signal: AbortSignal | undefined; done: () => void; failed: (err: unknown) => void };
  let polls: QueuedPoll[] | null = null;
  const recordEach = (batch: readonly QueuedPoll[]) => () => batch.forEach((p) => sources.record(p.id, p.poll));
  function recordPoll(id: string, poll: PollRecord, opts?: WriteOptions): Promise<void> {
    return new Promise((done, failed) => {
      if (polls === null) {
        polls = [];
        setImmediate(writePolls);
      }
      polls.push({ id, poll, signal: opts?.signal, done, failed });
    });
  }
  // Batches being written (close() waits for them: one may be waiting for another process's lock).
  const writing = new Set<Promise<void>>();
  /** Writes the queued records now; settles once each caller is resolved or failed. */
  function writePolls(): Promise<void> {
    const batch = polls;
    polls = null;
    if (!batch?.length) return Promise.resolve();
    const signal = batch.every((p) => p.signal === batch[0]!.signal) ? batch[0]!.signal : undefined;
    const written = writeState(recordEach(batch), { signal }).then(
      () => batch.forEach((p) => p.done()),
      (err: unknown) => batch.forEach((p) => p.failed(err)),
    );
    writing.add(written);
    void written.finally(() => writing.delete(written));
    return written;
  }
  /** A read: synchronous inside, its failure the store's own error. */
  async function read<T>(fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (err) {
      throw storageError(err);
    }
  }

  return {
    kind: 'sqlite',
    location,
    sources: {
      get: (id) => read(() => sources.get(id)),
      all: () => read(() => sources.all()),
      ensure: (list, opts) => writeState(() => sources.ensure(list), opts),
      recordPoll,
      itemCounts: () => read(() => sources.itemCounts()),
      countFailing: () => read(() => sources.countFailing()),
      markDegraded: (id, error, opts) => writeState(() => pages.degradeSource(id, error), opts),
      clearDegraded: (id, error, opts) => writeState(() => pages.recoverSource(id, error), opts),
    },
    items: {
      lookup: (sourceId, keys) => read(() => items.lookup(sourceId, keys)),
      known: (sourceId, digests) => read(() => items.known(sourceId, digests)),
      async commitRefresh(c: RefreshCommit, opts?: WriteOptions) {
        const fn = () => {
          const r = items.commit(c.sourceId, c.inserts, c.updates, c.poll.now);
          if (c.digests?.length) items.setDigests(c.sourceId, c.digests);
          // In the refresh that exceeds it: a source never shows more than its max_items, not even until the
          // hourly retention pass.
          if (r.inserted > 0 && c.maxItems != null) r.pruned = retention.pruneSource(c.poll.now, c.sourceId, c.maxItems);
          sources.record(c.sourceId, c.poll);
          return r;
        };
        // Bookkeeping only (every item unchanged): the render caches stay valid.
        return c.inserts.length + c.updates.length > 0 ? write(fn, opts) : writeState(fn, opts);
      },
      select: (f) => read(() => items.select(f)),
      browse: (f) => read(() => items.browse(f)),
      find: (ref) => read(() => items.find(ref)),
      countsByTag: () => read(() => items.countsByTag()),
    },
    retag: {
      state: () =>
        read((): RetagState => {
          const progress = meta(PROGRESS);
          const changedAt = meta(RULES_CHANGED_AT);
          return {
            fingerprint: meta(FINGERPRINT),
            progress: progress === null ? null : (JSON.parse(progress) as RetagState['progress']),
            changedAt: changedAt === null ? null : new Date(changedAt),
          };
        }),
      // The old fingerprint goes before the first item changes: after a crash mid-pass and a revert to the old
      // rules, the store no longer claims to match them, so the next start re-tags (back) what the pass touched.
      begin: (fingerprint, opts) => write(() => void setMeta.run(FINGERPRINT, `pending:${fingerprint}`), opts),
      rangeEnd: (afterId, count) => read(() => retag.rangeEnd(afterId, count)),
      countAfter: (afterId, cap) => read(() => retag.countAfter(afterId, cap)),
      readRange: (afterId, lastId) => read(() => retag.readRange(afterId, lastId)),
      apply: (changes: readonly RetagChange[], progress, opts) =>
        write(() => {
          const written = items.applyRetag(changes);
          setMeta.run(PROGRESS, JSON.stringify(progress));
          return written;
        }, opts),
      finish: (fingerprint, changedAt, opts) =>
        write(() => {
          setMeta.run(FINGERPRINT, fingerprint);
          deleteMeta.run(PROGRESS);
          // JSON Feed outputs show explanations too, so a change of those alone is a change of what is published.
          if (changedAt) setMeta.run(RULES_CHANGED_AT, changedAt.toISOString());
        }, opts),
    },
    retention: {
      prune: (now, retentionDays, maxItems, opts) => write(() => retention.prune(now, retentionDays, maxItems), opts),
    },
    // Coordination state, not published data: the render caches stay valid.
    nodes: makeSqliteNodes(db, (fn) => writeState(fn), read),
    poolStats: () => null,
    // The pages go back to malloc, where the next burst reuses them instead of growing the heap further
    // (300-source daemon, settled: malloc's main heap 44 → 30 MiB).
    releaseMemory: () => void db.pragma('shrink_memory'),
    stories: {
      byCanonical: (sourceId, urls) => read(() => stories.byCanonical(sourceId, urls)),
      firstStored: (ids) => read(() => stories.firstStored(ids)),
      lateIds: 0,
      newestId: () => read(() => stories.newestId()),
      members: (since, afterId, uptoId, limit) => read(() => stories.members(since, afterId, uptoId, limit)),
      window: (since, uptoId, after, limit) => read(() => stories.window(since, uptoId, after, limit)),
      clusters: (ids) => read(() => stories.clusters(ids)),
      sizes: (ids) => read(() => stories.sizes(ids)),
      list: (f) => read(() => stories.list(f)),
      appearances: (ids) => read(() => stories.appearances(ids)),
      readRange: (since, afterId, limit) => read(() => stories.readRange(since, afterId, limit)),
      apply: (changes, progress, opts) =>
        write(() => {
          const n = stories.apply(changes);
          if (progress) setMeta.run(progress.key, progress.value);
          return n;
        }, opts),
      getMeta: (key) => read(() => meta(key)),
      setMeta: (key, value, opts) => writeState(() => void (value === null ? deleteMeta.run(key) : setMeta.run(key, value)), opts),
    },
    pages: {
      // Leases change nothing published.
      claim: (now, limit, leaseUntil, opts) => writeState(() => pages.claim(now, limit, leaseUntil), opts),
      nextDue: () => read(() => pages.nextDue()),
      complete: (d, opts) =>
        write(() => {
          if (!pages.complete(d)) return false;
          items.relabel(d.itemId, d.tags, d.outputs);
          return true;
        }, opts),
      // A failure changes only what the API shows, which is never cached.
      fail: (f, opts) => writeState(() => pages.fail(f), opts),
      backfill: (sourceId, since, mode, now, opts) => writeState(() => pages.backfill(sourceId, since, mode, now), opts),
      status: (itemId) => read(() => pages.status(itemId)),
    },
    changeToken() {
      try {
        return `${localWrites}.${dataVersion.get() as number}`;
      } catch (err) {
        throw storageError(err);
      }
    },
    async ping() {
      try {
        return ping.get() === 1;
      } catch {
        return false;
      }
    },
    async close() {
      // Records queued this turn, and batches still waiting for a lock, are written first (their callers are
      // waiting for them), under the same busy policy as any write.
      await writePolls();
      await Promise.all(writing);
      await checkpointer?.close();
      db.close();
    },
  };
}
