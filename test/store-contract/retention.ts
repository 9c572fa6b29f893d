/** Retention: items first seen before a cutoff, and beyond a per-source count, go and leave tombstones. */
import { expect } from 'chai';
import { A1, A2, A3, A4, FEEDS, K1, K2, SOURCES, T1, at, keyOf, refresh, uidOf } from './fixtures.js';
import type { Harness } from './harness.js';

const DAY = 86_400_000;

export function describeRetention(h: Harness): void {
  describe('retention.prune', () => {
    // antara first seen on the 1st, kompas on the 15th, tempo on the 20th.
    beforeEach(async () => {
      await h.store.sources.ensure(SOURCES);
      await refresh(h.store, 'antara', FEEDS.antara, { now: at('2026-11-01T06:00:00Z') });
      await refresh(h.store, 'kompas', FEEDS.kompas, { now: at('2026-11-15T06:00:00Z') });
      await refresh(h.store, 'tempo', FEEDS.tempo, { now: at('2026-11-20T06:00:00Z') });
    });

    const remaining = async () => (await h.store.items.browse({ tag: null, source: null, since: null, before: null, limit: 50 })).map((i) => i.title);

    it('by age: items first seen before the cutoff go, whatever their publication date', async () => {
      const result = await h.store.retention.prune(at('2026-11-25T06:00:00Z'), 14, new Map());
      expect(result).to.deep.equal({ byAge: 4, byCount: 0 });
      expect(await remaining()).to.deep.equal([T1.title, K2.title, K1.title]);
    });

    it('by age: an item first seen exactly retentionDays ago stays', async () => {
      const now = new Date(at('2026-11-15T06:00:00Z').getTime() + 10 * DAY);
      expect(await h.store.retention.prune(now, 10, new Map())).to.deep.equal({ byAge: 4, byCount: 0 });
      expect(await h.store.items.find({ uid: uidOf('kompas', K1) })).to.not.equal(null);
    });

    it('by count per source: the newest by publication stay', async () => {
      const result = await h.store.retention.prune(at('2026-11-25T06:00:00Z'), null, new Map([['antara', 1], ['kompas', 5]]));
      expect(result).to.deep.equal({ byAge: 0, byCount: 3 });
      expect(await remaining()).to.deep.equal([T1.title, A3.title, K2.title, K1.title]);
    });

    it('by count, with items of one instant: the higher id stays', async () => {
      expect(await h.store.retention.prune(at('2026-11-25T06:00:00Z'), null, new Map([['kompas', 1]]))).to.deep.equal({ byAge: 0, byCount: 1 });
      expect(await h.store.items.find({ uid: uidOf('kompas', K2) })).to.not.equal(null);
      expect(await h.store.items.find({ uid: uidOf('kompas', K1) })).to.equal(null);
    });

    it('by age and by count in one pass, counted apart', async () => {
      const result = await h.store.retention.prune(at('2026-11-25T06:00:00Z'), 14, new Map([['kompas', 1], ['tempo', 0]]));
      expect(result).to.deep.equal({ byAge: 4, byCount: 2 });
      expect(await remaining()).to.deep.equal([K2.title]);
    });

    it('both leave tombstones: lookup reports the keys, and a feed listing them again stores nothing', async () => {
      await h.store.retention.prune(at('2026-11-25T06:00:00Z'), 14, new Map([['kompas', 1]]));
      const antara = await h.store.items.lookup('antara', FEEDS.antara.map(keyOf));
      expect(antara.byKey.size).to.equal(0);
      expect([...antara.tombstoned].sort()).to.deep.equal([A1, A2, A3, A4].map(keyOf).sort());
      expect([...(await h.store.items.lookup('kompas', FEEDS.kompas.map(keyOf))).tombstoned]).to.deep.equal([keyOf(K1)]);
      expect(await refresh(h.store, 'antara', FEEDS.antara, { now: at('2026-11-25T06:15:00Z') })).to.deep.include({ inserted: 0, updated: 0 });
      expect(await refresh(h.store, 'kompas', FEEDS.kompas, { now: at('2026-11-25T06:15:00Z') })).to.deep.include({ inserted: 0, updated: 0 });
      expect((await h.store.sources.itemCounts()).get('antara') ?? 0).to.equal(0);
    });

    it('nothing to prune, or retention off: nothing goes', async () => {
      expect(await h.store.retention.prune(at('2026-11-25T06:00:00Z'), null, new Map())).to.deep.equal({ byAge: 0, byCount: 0 });
      expect(await h.store.retention.prune(at('2026-11-25T06:00:00Z'), 365, new Map([['antara', 10], ['detik', 1]]))).to.deep.equal({ byAge: 0, byCount: 0 });
      expect(await remaining()).to.have.length(7);
    });

    it('pruned items leave every listing: select, countsByTag, itemCounts', async () => {
      await h.store.retention.prune(at('2026-11-25T06:00:00Z'), 14, new Map());
      expect(await h.store.items.select({ tags: ['Hubungan Rusia dengan Belarusia'], output: null, sources: [], limit: 10 })).to.deep.equal([]);
      expect((await h.store.items.countsByTag()).get('Hubungan Rusia dengan Belarusia') ?? 0).to.equal(0);
      expect((await h.store.sources.itemCounts()).get('antara') ?? 0).to.equal(0);
    });
  });
}
