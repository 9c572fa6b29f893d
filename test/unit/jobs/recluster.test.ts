/**
 * Re-clustering stored items (src/jobs/recluster.ts) on a real SQLite store: items written without stories (as
 * before issue 13) get their sketch, canonical URL and story; a threshold change re-clusters; a pass cut short
 * resumes where it stopped and ends as an uninterrupted one would.
 */
import { expect } from 'chai';
import { reclusterIfNeeded } from '../../../src/jobs/recluster.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { article, at, refresh } from '../../store-contract/fixtures.js';

const NOW = at('2026-11-21T00:00:00Z');
const SETTINGS = { windowMs: 72 * 3_600_000, threshold: 0.5, ignoreParams: [] };
const SOURCES = ['antara', 'kompas', 'detik', 'tempo'].map((id) => ({ id, url: `https://${id}.example/rss` }));

const FEEDS = {
  antara: [article({ link: 'https://www.antaranews.com/berita/1/minsk?utm_source=rss', title: 'Putin dan Lukashenko bahas Negara Kesatuan di Minsk', summary: 'Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Minsk pada Kamis (20/11) untuk membahas integrasi Negara Kesatuan dan kerja sama energi senilai 2,5 miliar dolar AS.', published: at('2026-11-20T03:00:00Z') })],
  kompas: [article({ link: 'https://internasional.kompas.com/read/1/minsk', title: 'Putin temui Lukashenko di Minsk, bahas integrasi Negara Kesatuan', summary: 'Vladimir Putin dan Alexander Lukashenko bertemu di Minsk, Belarus, Kamis (20/11), membahas integrasi Negara Kesatuan Rusia-Belarus serta kerja sama energi 2,5 miliar dolar AS. Sumber: Reuters', published: at('2026-11-20T05:00:00Z') })],
  detik: [article({ link: 'https://news.detik.com/d-1/minsk', title: 'Bertemu di Minsk, Putin dan Lukashenko bicarakan Negara Kesatuan', summary: 'Presiden Vladimir Putin mengunjungi Minsk pada Kamis (20/11) dan bertemu Alexander Lukashenko. Keduanya membahas Negara Kesatuan serta proyek energi 2,5 miliar dolar AS.', published: at('2026-11-20T04:00:00Z') })],
  tempo: [article({ link: 'https://www.tempo.co/sochi-1', title: 'Putin dan Lukashenko bertemu di Sochi bahas Negara Kesatuan', summary: 'Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Sochi pada Selasa (18/11) untuk membahas Negara Kesatuan dan pinjaman 1,5 miliar dolar AS.', published: at('2026-11-20T06:00:00Z') })],
};

async function seeded(): Promise<Store> {
  const store = await openStore({ path: ':memory:' });
  await store.sources.ensure(SOURCES);
  // Written as a release before stories did: no canonical URL, no sketch, each item its own story.
  for (const [id, items] of Object.entries(FEEDS)) await refresh(store, id, items, { now: NOW });
  return store;
}

async function clusters(store: Store): Promise<Map<string, number>> {
  const items = await store.items.browse({ tag: null, source: null, since: null, before: null, limit: 10 });
  return new Map(items.map((i) => [i.sourceId, i.clusterId!]));
}

describe('jobs/recluster: stories for stored items, again after a threshold change, resumable', () => {
  let store: Store;
  beforeEach(async () => {
    store = await seeded();
  });
  afterEach(async () => {
    await store.close();
  });

  it('gives older items their sketch, canonical URL and story; the same-topic trap stays apart', async () => {
    const before = await clusters(store);
    expect(new Set(before.values()).size).to.equal(4);
    expect(await reclusterIfNeeded(store, SETTINGS, () => NOW)).to.equal(4);
    const after = await clusters(store);
    expect(after.get('kompas')).to.equal(after.get('antara'));
    expect(after.get('detik')).to.equal(after.get('antara'));
    expect(after.get('tempo')).to.not.equal(after.get('antara'));
    const antara = (await store.items.browse({ tag: null, source: 'antara', since: null, before: null, limit: 1 }))[0]!;
    expect(antara.canonicalUrl).to.equal('https://www.antaranews.com/berita/1/minsk');
    expect((await store.stories.members(at('2026-11-19T00:00:00Z'), 0, Number.MAX_SAFE_INTEGER, 10)).every((m) => m.sketch !== null)).to.equal(true);
    // Nothing left to do with the same settings.
    expect(await reclusterIfNeeded(store, SETTINGS, () => NOW)).to.equal(null);
  });

  it('re-clusters when the threshold changes: at 0.99 every rewrite is its own story', async () => {
    await reclusterIfNeeded(store, SETTINGS, () => NOW);
    expect(await reclusterIfNeeded(store, { ...SETTINGS, threshold: 0.99 }, () => NOW)).to.equal(4);
    expect(new Set((await clusters(store)).values()).size).to.equal(4);
  });

  it('a pass cut short resumes where it stopped and ends as an uninterrupted pass would', async () => {
    const uninterrupted = await seeded();
    await reclusterIfNeeded(uninterrupted, SETTINGS, () => NOW, undefined, 1);
    const want = [...(await clusters(uninterrupted)).entries()].sort();
    await uninterrupted.close();

    const stop = new AbortController();
    let ranges = 0;
    // The real store, stopped (as SIGTERM would) once two ranges were written.
    const stopping: Store = { ...store, stories: { ...store.stories, apply: async (...args) => {
      const n = await store.stories.apply(...args);
      if (++ranges === 2) stop.abort();
      return n;
    } } };
    expect(await reclusterIfNeeded(stopping, SETTINGS, () => NOW, stop.signal, 1)).to.equal(2);
    expect(await store.stories.getMeta('stories_recluster_progress')).to.be.a('string');
    expect(await reclusterIfNeeded(store, SETTINGS, () => NOW, undefined, 1)).to.equal(2);
    expect([...(await clusters(store)).entries()].sort()).to.deep.equal(want);
    expect(await store.stories.getMeta('stories_recluster_progress')).to.equal(null);
  });
});
