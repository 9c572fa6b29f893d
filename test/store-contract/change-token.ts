/**
 * changeToken(): feeds are rendered once per change of what is published, so the token must change after every
 * write that may change a feed — and only then, or 1,000 sources answering 304 re-render every feed.
 */
import { expect } from 'chai';
import type { Store } from '../../src/store/store.js';
import { A1, A2, FEEDS, SOURCES, at, okPoll, refresh, seed, uidOf } from './fixtures.js';
import type { Harness } from './harness.js';

const LATER = at('2026-11-24T00:15:00Z');

/** Whether `write` moved the token of `store` (by default the one written to). */
async function changes(h: Harness, write: () => Promise<unknown>, watched: Store = h.store): Promise<boolean> {
  const before = watched.changeToken();
  await write();
  return watched.changeToken() !== before;
}

export function describeChangeToken(h: Harness): void {
  describe('changeToken', () => {
    beforeEach(async () => {
      await seed(h.store);
    });

    it('is a string, stable while nothing is written (reads included)', async () => {
      const t = h.store.changeToken();
      expect(t).to.be.a('string');
      await h.store.items.select({ tags: [], output: null, sources: [], limit: 50 });
      await h.store.items.browse({ tag: null, source: null, since: null, before: null, limit: 50 });
      await h.store.sources.all();
      await h.store.retag.state();
      expect(h.store.changeToken()).to.equal(t);
    });

    const moves: { name: string; write: (s: Store) => Promise<unknown> }[] = [
      { name: 'a commit that inserted items', write: (s) => refresh(s, 'tempo', [{ ...A1, title: 'Kremlin: Putin akan kunjungi Minsk' }]) },
      { name: 'a commit that updated an item', write: (s) => refresh(s, 'antara', [{ ...A2, title: `${A2.title} hingga 2027` }], { now: LATER }) },
      { name: 'a retention pass that pruned', write: (s) => s.retention.prune(LATER, null, new Map([['antara', 1]])) },
      {
        name: 'a retag apply that changed an item',
        write: async (s) => {
          const [first] = await s.retag.readRange(0, Number.MAX_SAFE_INTEGER);
          const n = await s.retag.apply([{ id: first!.id, contentHash: first!.contentHash, tags: [], explains: [], outputs: [] }], { fingerprint: 'f', after: first!.id });
          expect(n.changed).to.equal(1);
        },
      },
      { name: 'a retag finish that recorded a change', write: (s) => s.retag.finish('f', LATER) },
    ];
    for (const c of moves) {
      it(`changes after ${c.name}`, async () => {
        expect(await changes(h, () => c.write(h.store))).to.equal(true);
      });
    }

    const stays: { name: string; write: (s: Store) => Promise<unknown> }[] = [
      { name: 'a commit with nothing to insert or update (the poll\'s bookkeeping only)', write: (s) => refresh(s, 'antara', FEEDS.antara, { now: LATER }) },
      { name: 'an empty commit (no inserts, no updates)', write: (s) => s.items.commitRefresh({ sourceId: 'antara', inserts: [], updates: [], poll: okPoll(LATER) }) },
      { name: 'recordPoll of a 304', write: (s) => s.sources.recordPoll('antara', { ...okPoll(LATER), status: 304, notModified: true }) },
      { name: 'recordPoll of a failure', write: (s) => s.sources.recordPoll('kompas', { now: LATER, status: 503, state: 'degraded', error: { code: 'http_503', message: 'HTTP 503' }, consecutiveFailures: 1, heldUntil: at('2026-11-24T00:30:00Z') }) },
    ];
    for (const c of stays) {
      it(`does not change after ${c.name}`, async () => {
        expect(await changes(h, () => c.write(h.store))).to.equal(false);
      });
    }

    describe('a second store on the same data (another process)', () => {
      it('sees the first one\'s writes, and its token moves with them', async function () {
        if (!h.canReopen) this.skip();
        const other = await h.reopen();
        expect((await other.sources.all()).map((s) => s.id)).to.deep.equal(SOURCES.map((s) => s.id));
        const uid = (await h.store.items.select({ tags: [], output: null, sources: ['tempo'], limit: 1 }))[0]!.uid;
        expect((await other.items.find({ uid }))?.title).to.equal('Kremlin bantah rencana mobilisasi baru');
        const inserted = { ...A1, guid: 'antara-4520001', link: 'https://www.antaranews.com/berita/4520001/lukashenko-tiba-di-moskow', title: 'Lukashenko tiba di Moskow' };
        expect(await changes(h, () => refresh(h.store, 'antara', [inserted], { now: LATER }), other)).to.equal(true);
        expect((await other.items.find({ uid: uidOf('antara', inserted) }))?.title).to.equal(inserted.title);
        expect((await other.sources.itemCounts()).get('antara')).to.equal(5);
      });

      it('the first sees the second\'s writes too', async function () {
        if (!h.canReopen) this.skip();
        const other = await h.reopen();
        expect(await changes(h, () => other.retention.prune(LATER, null, new Map([['kompas', 0]])), h.store)).to.equal(true);
        expect(await h.store.items.select({ tags: [], output: null, sources: ['kompas'], limit: 10 })).to.deep.equal([]);
      });
    });
  });
}
