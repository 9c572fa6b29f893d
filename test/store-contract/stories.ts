/**
 * Stories (issue 13): the store writes the story the pipeline decided for each new item (a cluster of its own, a
 * stored cluster, the cluster of an earlier insert of the same commit, or an appearance of another source's
 * article), re-checking each target against what it holds; and reads clusters back for the index, outputs and
 * the API. Sketches are opaque text here: the store never reads them.
 */
import { expect } from 'chai';
import type { IncomingItem } from '../../src/base/model.js';
import type { ItemStory, RefreshCommit, Store } from '../../src/store/store.js';
import { A1, A2, A3, K1, NOW, PUTIN, SOURCES, article, at, okPoll, plan, uidOf } from './fixtures.js';
import type { Harness } from './harness.js';

// One wire story as three outlets rewrote it, and a different story of the same day.
const WIRE_ANTARA = article({
  guid: 'antara-4520001', link: 'https://www.antaranews.com/berita/4520001/putin-terima-lukashenko-di-kremlin',
  title: 'Putin terima Lukashenko di Kremlin', published: at('2026-11-23T03:00:00Z'),
});
const WIRE_KOMPAS = article({
  guid: '81001', link: 'https://internasional.kompas.com/read/2026/11/23/putin-lukashenko-bertemu-di-moskwa',
  title: 'Putin dan Lukashenko bertemu di Moskwa', published: at('2026-11-23T05:00:00Z'),
});
const WIRE_TEMPO = article({
  link: 'https://www.tempo.co/internasional/lukashenko-temui-putin-1239001',
  title: 'Lukashenko temui Putin di Kremlin', published: at('2026-11-23T04:00:00Z'),
});
// Tempo relaying Antara's article under Antara's own link: the same article, not a rewrite.
const RELAY_TEMPO = article({ link: WIRE_ANTARA.link, title: 'ANTARA: Putin terima Lukashenko di Kremlin', published: at('2026-11-23T03:30:00Z') });

type StoryArgs = Partial<ItemStory> & { canonicalUrl?: string | null };
const story = (o: StoryArgs): StoryArgs => o;

/** One refresh of `sourceId` whose new items carry `stories` (in order), as the pipeline writes it. */
async function commitStories(store: Store, sourceId: string, items: readonly IncomingItem[], stories: readonly StoryArgs[], now = NOW) {
  const p = await plan(store, sourceId, items, { now });
  const c: RefreshCommit = {
    sourceId,
    inserts: p.inserts.map((it, k) => {
      const s = stories[k];
      if (!s) return it;
      const { canonicalUrl = null, ...rest } = s;
      return { ...it, canonicalUrl, story: { sketch: null, cluster: null, appearanceOf: null, ...rest } };
    }),
    updates: p.updates,
    poll: okPoll(now),
  };
  return store.items.commitRefresh(c);
}

async function idOf(store: Store, sourceId: string, item: IncomingItem): Promise<number> {
  const found = await store.items.find({ uid: uidOf(sourceId, item) });
  expect(found, `${sourceId}: ${item.title}`).to.not.equal(null);
  return found!.id;
}

// No upper bound for members(): every id.
const ALL = Number.MAX_SAFE_INTEGER;

export function describeStories(h: Harness): void {
  describe('stories: clusters, canonical URLs, appearances', () => {
    beforeEach(async () => {
      await h.store.sources.ensure(SOURCES);
    });

    it('a new item with no cluster target is its own cluster; its canonical URL and sketch are stored', async () => {
      const r = await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link, sketch: '{"v":1}' })]);
      const id = await idOf(h.store, 'antara', WIRE_ANTARA);
      expect(r.placed).to.deep.equal([{ index: 0, id, clusterId: id, appearanceOf: null }]);
      const found = await h.store.items.find({ id });
      expect(found).to.deep.include({ clusterId: id, canonicalUrl: WIRE_ANTARA.link });
      const members = await h.store.stories.members(at('2026-11-20T00:00:00Z'), 0, ALL, 10);
      expect(members).to.deep.equal([{ id, sourceId: 'antara', clusterId: id, published: WIRE_ANTARA.published, sketch: '{"v":1}' }]);
    });

    it('an item written without a story (an older writer) is its own cluster, with no sketch, and is not an index member', async () => {
      const r = await commitStories(h.store, 'antara', [A1, A2], []);
      expect(r.placed).to.equal(undefined);
      for (const item of [A1, A2]) {
        const id = await idOf(h.store, 'antara', item);
        expect((await h.store.items.find({ id }))!.clusterId).to.equal(id);
      }
      expect(await h.store.stories.members(at('2026-01-01T00:00:00Z'), 0, ALL, 10)).to.deep.equal([]);
    });

    it('items join a stored cluster, or the cluster of an earlier insert of the same commit; members earliest first', async () => {
      await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ sketch: 's1' })]);
      const first = await idOf(h.store, 'antara', WIRE_ANTARA);
      await commitStories(h.store, 'kompas', [WIRE_KOMPAS, K1], [story({ sketch: 's2', cluster: first }), story({ sketch: 's3' })]);
      const r = await commitStories(h.store, 'tempo', [WIRE_TEMPO, A3], [story({ sketch: 's4' }), story({ sketch: 's5', cluster: { insert: 0 } })]);
      const tempo = await idOf(h.store, 'tempo', WIRE_TEMPO);
      expect(r.placed!.map((p) => p.clusterId)).to.deep.equal([tempo, tempo]);
      const clusters = await h.store.stories.clusters([first, tempo]);
      expect(clusters.get(first)!.map((i) => i.title)).to.deep.equal([WIRE_ANTARA.title, WIRE_KOMPAS.title]);
      expect(clusters.get(tempo)!.map((i) => i.title)).to.deep.equal([A3.title, WIRE_TEMPO.title]);
      expect(await h.store.stories.sizes([first, tempo, 999_999])).to.deep.equal(new Map([[first, 2], [tempo, 2]]));
      const browsed = await h.store.items.browse({ cluster: first, tag: null, source: null, since: null, before: null, limit: 10 });
      expect(browsed.map((i) => i.title)).to.deep.equal([WIRE_KOMPAS.title, WIRE_ANTARA.title]);
    });

    it('a cluster target with no member left (pruned meanwhile) makes the item a cluster of its own', async () => {
      const r = await commitStories(h.store, 'kompas', [WIRE_KOMPAS], [story({ cluster: 987_654 })]);
      const id = await idOf(h.store, 'kompas', WIRE_KOMPAS);
      expect(r.placed).to.deep.equal([{ index: 0, id, clusterId: id, appearanceOf: null }]);
    });

    it('byCanonical finds another source\'s article by its canonical URL, never the asking source\'s own', async () => {
      await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link })]);
      const id = await idOf(h.store, 'antara', WIRE_ANTARA);
      // With what the article's source is read from: the plan tells the outlet's own article from a relay by it.
      expect(await h.store.stories.byCanonical('tempo', [WIRE_ANTARA.link!, 'https://example.com/none'])).to.deep.equal(new Map([
        [WIRE_ANTARA.link!, { id, sourceId: 'antara', sourceUrls: ['https://www.antaranews.com/rss/dunia.xml', null] }],
      ]));
      expect((await h.store.stories.byCanonical('antara', [WIRE_ANTARA.link!])).size).to.equal(0);
    });

    it('an appearance is published once, as the article it relays; an output limited to the relaying source includes it', async () => {
      await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link })]);
      const original = await idOf(h.store, 'antara', WIRE_ANTARA);
      const r = await commitStories(h.store, 'tempo', [RELAY_TEMPO, WIRE_TEMPO], [story({ canonicalUrl: WIRE_ANTARA.link, appearanceOf: original }), story({})]);
      expect(r.placed![0]).to.deep.include({ clusterId: original, appearanceOf: original });
      const all = await h.store.items.select({ tags: [], output: null, sources: [], limit: 10 });
      expect(all.map((i) => i.title)).to.deep.equal([WIRE_TEMPO.title, WIRE_ANTARA.title]);
      const tempoOnly = await h.store.items.select({ tags: [], output: null, sources: ['tempo'], limit: 10 });
      expect(tempoOnly.map((i) => i.title)).to.deep.equal([WIRE_TEMPO.title, WIRE_ANTARA.title]);
      const kompasOnly = await h.store.items.select({ tags: [], output: null, sources: ['kompas'], limit: 10 });
      expect(kompasOnly).to.deep.equal([]);
      expect(await h.store.stories.appearances([original])).to.deep.equal(new Map([[original, ['tempo']]]));
      // A story counts articles, not relays.
      expect(await h.store.stories.sizes([original])).to.deep.equal(new Map([[original, 1]]));
      // The relaying source's feed lists it again: the same row, unchanged (dedupe per source is untouched).
      expect((await plan(h.store, 'tempo', [RELAY_TEMPO])).unchanged).to.equal(1);
    });

    it('the outlet\'s own item takes over a relay stored before it: the relay and its appearances become its appearances, in the relay\'s story', async () => {
      // Tempo relayed Antara's link first (the article), Kompas relayed it after (an appearance of Tempo's row);
      // Kompas also wrote the story in its own words (a member of the same cluster).
      await commitStories(h.store, 'tempo', [RELAY_TEMPO], [story({ canonicalUrl: WIRE_ANTARA.link, sketch: 'relay' })]);
      const relay = await idOf(h.store, 'tempo', RELAY_TEMPO);
      const relayKompas = article({ link: WIRE_ANTARA.link, title: 'Relay: Putin terima Lukashenko', published: at('2026-11-23T03:40:00Z') });
      await commitStories(h.store, 'kompas', [relayKompas, WIRE_KOMPAS], [story({ canonicalUrl: WIRE_ANTARA.link, appearanceOf: relay }), story({ sketch: 'k', cluster: relay })]);
      const kompasRelay = await idOf(h.store, 'kompas', relayKompas);
      const kompas = await idOf(h.store, 'kompas', WIRE_KOMPAS);

      const r = await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link, sketch: 'own', takeOver: relay })]);
      const own = await idOf(h.store, 'antara', WIRE_ANTARA);
      expect(r.placed).to.deep.equal([{ index: 0, id: own, clusterId: relay, appearanceOf: null, tookOver: relay }]);
      expect((await h.store.items.find({ id: relay }))!).to.deep.include({ appearanceOf: own, clusterId: relay });
      expect((await h.store.items.find({ id: kompasRelay }))!).to.deep.include({ appearanceOf: own, clusterId: relay });

      // Published once, as the outlet's item; an output limited to a relaying source still includes it.
      const titles = async (sources: string[]) => (await h.store.items.select({ tags: [], output: null, sources, limit: 10 })).map((i) => i.title);
      expect(await titles([])).to.deep.equal([WIRE_KOMPAS.title, WIRE_ANTARA.title]);
      expect(await titles(['tempo'])).to.deep.equal([WIRE_ANTARA.title]);
      expect(await titles(['kompas'])).to.deep.equal([WIRE_KOMPAS.title, WIRE_ANTARA.title]);
      expect(await h.store.stories.appearances([own, relay])).to.deep.equal(new Map([[own, ['tempo', 'kompas']]]));
      // The story keeps its id; its members are articles: the outlet's item, not the relay.
      expect((await h.store.stories.clusters([relay])).get(relay)!.map((i) => i.id)).to.deep.equal([own, kompas]);
      expect(await h.store.stories.sizes([relay])).to.deep.equal(new Map([[relay, 2]]));
      expect((await h.store.stories.members(at('2026-11-20T00:00:00Z'), 0, ALL, 10)).map((m) => m.id)).to.deep.equal([kompas, own]);
      // The entry readers already have is the relay's: the article keeps its uid.
      expect(await h.store.stories.firstStored([own, kompas, relay])).to.deep.equal(new Map([[own, { id: relay, uid: uidOf('tempo', RELAY_TEMPO) }]]));
      // Another source's later relay finds the outlet's item.
      expect((await h.store.stories.byCanonical('kompas', [WIRE_ANTARA.link!])).get(WIRE_ANTARA.link!)!.id).to.equal(own);
    });

    it('an article never taken over has no first stored row other than itself (an appearance stored after it)', async () => {
      await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link })]);
      const original = await idOf(h.store, 'antara', WIRE_ANTARA);
      await commitStories(h.store, 'tempo', [RELAY_TEMPO], [story({ canonicalUrl: WIRE_ANTARA.link, appearanceOf: original })]);
      expect(await h.store.stories.firstStored([original])).to.deep.equal(new Map());
    });

    it('a takeover of a relay taken over meanwhile makes the item an appearance of the article that took it', async () => {
      await commitStories(h.store, 'tempo', [RELAY_TEMPO], [story({ canonicalUrl: WIRE_ANTARA.link })]);
      const relay = await idOf(h.store, 'tempo', RELAY_TEMPO);
      await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link, takeOver: relay })]);
      const own = await idOf(h.store, 'antara', WIRE_ANTARA);
      const late = article({ link: WIRE_ANTARA.link, title: 'Kompas: Putin terima Lukashenko', published: at('2026-11-23T04:00:00Z') });
      // Planned against the relay before the takeover committed (another process, or a plan read earlier).
      const r = await commitStories(h.store, 'kompas', [late], [story({ canonicalUrl: WIRE_ANTARA.link, takeOver: relay })]);
      expect(r.placed![0]).to.deep.include({ appearanceOf: own, clusterId: relay });
      expect(r.placed![0]).to.not.have.property('tookOver');
      // So is a plain appearance planned against the relay.
      const later = article({ link: WIRE_ANTARA.link, title: 'Tempo lagi', published: at('2026-11-23T05:00:00Z') });
      await h.store.sources.ensure([{ id: 'detik', url: 'https://news.detik.com/rss' }]);
      const r2 = await commitStories(h.store, 'detik', [later], [story({ canonicalUrl: WIRE_ANTARA.link, appearanceOf: relay })]);
      expect(r2.placed![0]).to.deep.include({ appearanceOf: own, clusterId: relay });
      expect((await h.store.items.select({ tags: [], output: null, sources: [], limit: 10 })).map((i) => i.id)).to.deep.equal([own]);
    });

    it('a takeover of a relay gone meanwhile (pruned) is a plain item in the cluster the plan chose', async () => {
      const r = await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link, takeOver: 515_151 })]);
      const id = await idOf(h.store, 'antara', WIRE_ANTARA);
      expect(r.placed).to.deep.equal([{ index: 0, id, clusterId: id, appearanceOf: null }]);
    });

    it('an appearance whose article is gone meanwhile is stored as a plain item of its own', async () => {
      const r = await commitStories(h.store, 'tempo', [RELAY_TEMPO], [story({ appearanceOf: 424_242 })]);
      const id = await idOf(h.store, 'tempo', RELAY_TEMPO);
      expect(r.placed).to.deep.equal([{ index: 0, id, clusterId: id, appearanceOf: null }]);
      expect((await h.store.items.select({ tags: [], output: null, sources: [], limit: 10 })).map((i) => i.id)).to.deep.equal([id]);
    });

    it('members() reads the window from an id on, sketched items only, at most `limit`', async () => {
      await commitStories(h.store, 'antara', [A1, WIRE_ANTARA], [story({ sketch: 'a1' }), story({ sketch: 'w' })]);
      await commitStories(h.store, 'kompas', [WIRE_KOMPAS], [story({ sketch: 'k' })]);
      const a1 = await idOf(h.store, 'antara', A1);
      const wire = await idOf(h.store, 'antara', WIRE_ANTARA);
      const kompas = await idOf(h.store, 'kompas', WIRE_KOMPAS);
      const since = at('2026-11-22T00:00:00Z'); // A1 (20 Nov) is outside this window
      expect((await h.store.stories.members(since, 0, ALL, 10)).map((m) => m.id)).to.deep.equal([wire, kompas]);
      expect((await h.store.stories.members(since, wire, ALL, 10)).map((m) => m.id)).to.deep.equal([kompas]);
      expect((await h.store.stories.members(since, 0, wire, 10)).map((m) => m.id)).to.deep.equal([wire]);
      expect((await h.store.stories.members(at('2026-01-01T00:00:00Z'), 0, ALL, 2)).map((m) => m.id)).to.deep.equal([a1, wire]);
      // newestId counts every item (members or not): a catch-up reads up to it and no further.
      const top = await h.store.stories.newestId();
      expect(top).to.be.at.least(Math.max(a1, wire, kompas));
      // The window: by (published, id), paged after the last row; ids above uptoId are left for a catch-up.
      const all = await h.store.stories.window(at('2026-01-01T00:00:00Z'), top, null, 100);
      const order = [...all].sort((x, y) => x.published.getTime() - y.published.getTime() || x.id - y.id);
      expect(all.map((m) => m.id)).to.deep.equal(order.map((m) => m.id));
      expect(all.map((m) => m.id)).to.include.members([a1, wire, kompas]);
      const paged: number[] = [];
      let after: { published: Date; id: number } | null = null;
      for (;;) {
        const page = await h.store.stories.window(at('2026-01-01T00:00:00Z'), top, after, 2);
        paged.push(...page.map((m) => m.id));
        if (page.length < 2) break;
        after = { published: page.at(-1)!.published, id: page.at(-1)!.id };
      }
      expect(paged).to.deep.equal(all.map((m) => m.id));
      expect((await h.store.stories.window(since, top, null, 100)).map((m) => m.id)).to.not.include(a1);
      expect((await h.store.stories.window(at('2026-01-01T00:00:00Z'), a1, null, 100)).every((m) => m.id <= a1)).to.equal(true);
    });

    it('list() gives stories newest first with their members; tag, since and limit filter; excluded sources are left out', async () => {
      await commitStories(h.store, 'antara', [WIRE_ANTARA, A3], [story({}), story({})]);
      const wire = await idOf(h.store, 'antara', WIRE_ANTARA);
      await commitStories(h.store, 'kompas', [WIRE_KOMPAS], [story({ cluster: wire })]);
      const listed = await h.store.stories.list({ tag: null, since: null, limit: 10 });
      expect(listed.map((c) => c.members.map((m) => m.title))).to.deep.equal([[WIRE_ANTARA.title, WIRE_KOMPAS.title], [A3.title]]);
      const putin = await h.store.stories.list({ tag: PUTIN, since: null, limit: 10 });
      expect(putin.map((c) => c.clusterId)).to.deep.equal([wire]);
      // A tag with a small limit and since: the newest stories among those with a member carrying it.
      expect((await h.store.stories.list({ tag: PUTIN, since: null, limit: 1 })).map((c) => c.clusterId)).to.deep.equal([wire]);
      expect(await h.store.stories.list({ tag: PUTIN, since: at('2026-11-23T06:00:00Z'), limit: 1 })).to.deep.equal([]);
      expect(await h.store.stories.list({ tag: 'Pemilu Amerika Serikat', since: null, limit: 1 })).to.deep.equal([]);
      expect(await h.store.stories.list({ tag: null, since: at('2026-11-23T06:00:00Z'), limit: 10 })).to.deep.equal([]);
      expect((await h.store.stories.list({ tag: null, since: null, limit: 1 })).length).to.equal(1);
      const hidden = await h.store.stories.list({ tag: null, since: null, excludeSources: ['kompas'], limit: 10 });
      expect(hidden[0]!.members.map((m) => m.sourceId)).to.deep.equal(['antara']);
    });

    // Stories whose newest members share instants, and a story of 4 members at one instant (branch clusters15): the
    // list walks the newest items and stops once `limit` stories are known and it is past the last one's instant. At T5
    // the walk meets A, B, then G, which sort G, B, A (cluster id descending): a walk that stopped at the `limit`-th
    // story met gave A for G, and one that ended with its batch (3 rows for a limit of 2) without the rest of T5 gave
    // B. C's 4 rows at T4 fill a first batch of limit + 1 rows with fewer stories than `limit` (6): a walk that stopped
    // after it gave 5. Each list is checked against the GROUP BY it stands for, computed here from what was stored, at
    // every limit from 1 to 8.
    const T = (k: number) => at(`2026-11-2${k}T08:00:00Z`);
    const walked = (title: string, published: Date) => article({ guid: `urn:clusters15:${title}`, title, published });
    const WALKED = [
      walked('Putin A pertama', T(1)), walked('Putin B pertama', T(1)), walked('Putin C satu', T(4)), walked('Putin C dua', T(4)),
      walked('Putin C tiga', T(4)), walked('Putin C empat', T(4)), walked('Putin D', T(3)), walked('Putin E', T(2)),
      walked('Putin G', T(5)), walked('Putin B kedua', T(5)), walked('A kedua', T(5)),
    ];
    const WALKED_STORIES = [{}, {}, {}, { cluster: { insert: 2 } }, { cluster: { insert: 2 } }, { cluster: { insert: 2 } }, {}, {}, {}, { cluster: { insert: 1 } }, { cluster: { insert: 0 } }];
    const walkCases: { name: string; tag?: string; since?: Date; excludeSources?: string[] }[] = [
      { name: 'no tag' },
      { name: 'a tag (A\'s newest member lacks it)', tag: PUTIN },
      { name: 'no tag, without kompas (D\'s newest member)', excludeSources: ['kompas'] },
      { name: 'no tag, since T4', since: T(4) },
      { name: 'a tag, since T2', tag: PUTIN, since: T(2) },
    ];
    for (const c of walkCases) {
      it(`list() gives the stories GROUP BY cluster_id ORDER BY max(published) DESC, cluster_id DESC gives: ${c.name}`, async () => {
        await commitStories(h.store, 'antara', WALKED, WALKED_STORIES.map((o) => story(o)));
        const d = await idOf(h.store, 'antara', WALKED[6]!); // D
        const later = walked('D menurut Kompas', T(6));
        await commitStories(h.store, 'kompas', [later], [story({ cluster: d })]);
        const stored = [...WALKED.map((item) => ['antara', item] as const), ['kompas', later] as const];
        const newest = new Map<number, number>(); // cluster → its newest member's instant, among what the filter lets through
        for (const [source, item] of stored) {
          const m = (await h.store.items.find({ uid: uidOf(source, item) }))!;
          const t = m.published.getTime();
          if ((c.tag && !m.tags.includes(c.tag)) || (c.since && t < c.since.getTime()) || c.excludeSources?.includes(source)) continue;
          newest.set(m.clusterId!, Math.max(t, newest.get(m.clusterId!) ?? 0));
        }
        const order = [...newest].sort(([a, x], [b, y]) => y - x || b - a).map(([cluster]) => cluster);
        expect(order.length).to.be.at.least(4);
        for (let limit = 1; limit <= 8; limit++) {
          const listed = await h.store.stories.list({ tag: c.tag ?? null, since: c.since ?? null, excludeSources: c.excludeSources, limit });
          expect(listed.map((s) => s.clusterId), `limit ${limit}`).to.deep.equal(order.slice(0, limit));
        }
      });
    }

    it('readRange() and apply() re-cluster stored items; appearances follow their article; progress is kept', async () => {
      await commitStories(h.store, 'antara', [WIRE_ANTARA], [story({ canonicalUrl: WIRE_ANTARA.link })]);
      const wire = await idOf(h.store, 'antara', WIRE_ANTARA);
      await commitStories(h.store, 'kompas', [WIRE_KOMPAS], [story({})]);
      await commitStories(h.store, 'tempo', [RELAY_TEMPO], [story({ appearanceOf: wire })]);
      const kompas = await idOf(h.store, 'kompas', WIRE_KOMPAS);
      const rows = await h.store.stories.readRange(at('2026-11-01T00:00:00Z'), 0, 10);
      expect(rows.map((r) => [r.id, r.clusterId, r.sketch])).to.deep.equal([[wire, wire, null], [kompas, kompas, null]]);
      expect(rows[0]).to.deep.include({ sourceId: 'antara', link: WIRE_ANTARA.link, title: WIRE_ANTARA.title, canonicalUrl: WIRE_ANTARA.link });
      const n = await h.store.stories.apply(
        [{ id: wire, canonicalUrl: WIRE_ANTARA.link, sketch: 'x', clusterId: kompas }, { id: kompas, canonicalUrl: WIRE_KOMPAS.link, sketch: 'y', clusterId: kompas }],
        { key: 'recluster_progress', value: String(kompas) },
      );
      expect(n).to.equal(2);
      expect(await h.store.stories.getMeta('recluster_progress')).to.equal(String(kompas));
      const relay = await h.store.items.find({ uid: uidOf('tempo', RELAY_TEMPO) });
      expect(relay!.clusterId).to.equal(kompas);
      expect((await h.store.stories.clusters([kompas])).get(kompas)!.map((i) => i.id)).to.deep.equal([wire, kompas]);
      await h.store.stories.setMeta('recluster_progress', null);
      expect(await h.store.stories.getMeta('recluster_progress')).to.equal(null);
    });
  });
}
