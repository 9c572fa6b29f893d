/**
 * Stores for tests: the real SQLite store, with its connection beside it for tests that inspect rows, and
 * items written the way a refresh writes them (lookup → plan → commitRefresh).
 */
import type { IncomingItem } from '../../src/base/model.js';
import { assignKeys } from '../../src/pipeline/dedupe.js';
import { lookupKeys, planRefresh, type Classify } from '../../src/pipeline/plan.js';
import { defaultBusyPolicy, type BusyPolicy } from '../../src/store/sqlite/busy.js';
import { openDatabase, type Db } from '../../src/store/sqlite/open.js';
import { makeSqliteStore } from '../../src/store/sqlite/store.js';
import type { CommitResult, Store } from '../../src/store/store.js';

/** A SQLite store at `path` (':memory:' for none), with its connection for inspection. */
export function sqliteStore(path: string, opts: { busy?: BusyPolicy; busyTimeoutMs?: number } = {}): { store: Store; db: Db } {
  const db = openDatabase(path, opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs });
  return { store: makeSqliteStore(db, path, opts.busy ?? defaultBusyPolicy), db };
}

/** Writes `items` as one refresh of `sourceId` would (the source row is created if needed). */
export async function storeItems(store: Store, sourceId: string, items: readonly IncomingItem[], classify: Classify, now = new Date()): Promise<CommitResult> {
  if (!(await store.sources.get(sourceId))) await store.sources.ensure([{ id: sourceId, url: `http://127.0.0.1:9/${sourceId}.xml` }]);
  const keyed = assignKeys(items);
  const plan = planRefresh(sourceId, keyed, await store.items.lookup(sourceId, lookupKeys(keyed)), now, classify);
  return store.items.commitRefresh({
    sourceId,
    inserts: plan.inserts,
    updates: plan.updates,
    poll: { now, status: 200, state: 'ok', error: null, consecutiveFailures: 0, success: true },
  });
}

/** No tags, no outputs. */
export const UNTAGGED: Classify = () => ({ tags: [], outputs: [] });
