import { expect } from 'chai';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import type { PollRecord, Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

// A 304 writes only bookkeeping on its source's row; the SQLite store writes the records of one event-loop turn
// in one transaction (store/sqlite/store.ts), each caller resolving once its own record is committed.
describe('SQLite: the poll records of one turn are one transaction', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  let store: Store;
  const ids = Array.from({ length: 20 }, (_, i) => `s${i}`);
  const notModified = (i: number): PollRecord => ({
    now: new Date(Date.UTC(2026, 11, 3, 1, 0, i)), status: 304, state: 'ok', error: null, consecutiveFailures: 0,
    notModified: true, success: true, heldUntil: null, hintUntil: new Date(Date.UTC(2026, 11, 3, 2, 0, i)),
  });
  beforeEach(async () => {
    tmp = tempDir();
    path = join(tmp.dir, 'w.db');
    store = await openStore({ path });
    await store.sources.ensure(ids.map((id) => ({ id, url: `http://127.0.0.1:9/${id}.xml` })));
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  /** Frames in the write-ahead log (each commit appends the pages it changed), after emptying it. */
  const walFrames = () => {
    const db = new Database(path, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const size = statSync(`${path}-wal`).size;
    return size === 0 ? 0 : (size - 32) / (pageSize + 24);
  };
  const emptyWal = () => {
    const other = new Database(path);
    other.pragma('wal_checkpoint(TRUNCATE)');
    other.close();
  };

  it('twenty 304s recorded together: each row written, in one commit (not twenty)', async () => {
    emptyWal();
    expect(walFrames()).to.equal(0);
    await Promise.all(ids.map((id, i) => store.sources.recordPoll(id, notModified(i))));
    for (const [i, id] of ids.entries()) {
      expect(await store.sources.get(id)).to.include({ lastStatus: 304, notModifiedCount: 1, state: 'ok' })
        .and.to.have.deep.property('hintUntil', notModified(i).hintUntil);
    }
    // The sources table of 20 rows is one or two pages: one commit appends them once; twenty commits, twenty times.
    expect(walFrames()).to.be.at.most(3);
  });

  it('records of one source in one turn are applied in call order', async () => {
    await Promise.all([store.sources.recordPoll('s0', notModified(1)), store.sources.recordPoll('s0', { ...notModified(2), status: 200 })]);
    expect(await store.sources.get('s0')).to.include({ lastStatus: 200, notModifiedCount: 2 });
  });

  it('a write made after a record in the same turn is not overwritten by it (a reload that changes a URL)', async () => {
    // The record sets hint_until; the new URL (a new conversation with a server) clears it. In call order, the
    // URL change is the last word.
    const recorded = store.sources.recordPoll('s1', notModified(1));
    const changed = store.sources.ensure([{ id: 's1', url: 'http://127.0.0.1:9/moved.xml' }]);
    await Promise.all([recorded, changed]);
    const row = await store.sources.get('s1');
    expect(row).to.include({ lastStatus: 304 });
    expect(row?.hintUntil ?? null, 'the hint learned from the old URL').to.equal(null);
  });

  it('a record queued when the store closes is written before it closes', async () => {
    const recorded = store.sources.recordPoll('s3', notModified(3));
    await store.close();
    await recorded;
    store = await openStore({ path });
    expect(await store.sources.get('s3')).to.include({ lastStatus: 304, notModifiedCount: 1 });
  });
});
