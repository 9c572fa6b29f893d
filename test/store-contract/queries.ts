/** Reading items back: outputs (select), the API's pages (browse), single items (find), counts per tag. */
import { expect } from 'chai';
import type { IncomingItem, StoredItem } from '../../src/base/model.js';
import type { BrowseFilter, OutputFilter } from '../../src/store/store.js';
import { A1, A2, A3, A4, BOLA, EKONOMI, K1, K2, PUTIN, PUTIN_TANPA_OPINI, RUSIA_BELARUS, T1, at, classify, seed, uidOf } from './fixtures.js';
import type { Harness } from './harness.js';

// Newest first by published, then by id: K1 and K2 share an instant, and K2 was stored after K1.
const ALL = [T1, A3, K2, K1, A2, A1, A4];
const titles = (items: readonly (IncomingItem | StoredItem)[]) => items.map((i) => i.title);

const output = (o: Partial<OutputFilter>): OutputFilter => ({ tags: [], output: null, sources: [], limit: 50, ...o });
const page = (o: Partial<BrowseFilter>): BrowseFilter => ({ tag: null, source: null, since: null, before: null, limit: 50, ...o });

/** Every page of `f`, following the (published, id) cursor of each page's last item. */
async function pageThrough(h: Harness, f: BrowseFilter): Promise<StoredItem[][]> {
  const pages: StoredItem[][] = [];
  let before: BrowseFilter['before'] = null;
  for (;;) {
    const items = await h.store.items.browse({ ...f, before });
    if (items.length === 0) return pages;
    expect(items.length).to.be.at.most(f.limit);
    pages.push(items);
    const last = items.at(-1)!;
    before = { published: last.published.toISOString(), id: last.id };
    if (pages.length > 20) throw new Error('the cursor does not advance');
  }
}

export function describeQueries(h: Harness): void {
  describe('items: select, browse, find, countsByTag', () => {
    beforeEach(async () => {
      await seed(h.store);
    });

    describe('select: the newest items of an output', () => {
      const cases: { name: string; filter: Partial<OutputFilter>; expect: IncomingItem[] }[] = [
        { name: 'no filter: everything, newest published first, then highest id', filter: {}, expect: ALL },
        { name: 'one tag', filter: { tags: [PUTIN] }, expect: [T1, A1, A4] },
        { name: 'any of several tags, each item once', filter: { tags: [PUTIN, RUSIA_BELARUS, BOLA] }, expect: [T1, K1, A2, A1, A4] },
        { name: 'an unknown tag: nothing', filter: { tags: ['Pemilu Amerika Serikat'] }, expect: [] },
        { name: 'a query output', filter: { output: PUTIN_TANPA_OPINI }, expect: [T1, A1] },
        { name: 'an unknown output: nothing', filter: { output: 'tidak-ada' }, expect: [] },
        { name: 'one source', filter: { sources: ['kompas'] }, expect: [K2, K1] },
        { name: 'several sources', filter: { sources: ['antara', 'tempo'] }, expect: [T1, A3, A2, A1, A4] },
        { name: 'tags and sources together', filter: { tags: [EKONOMI], sources: ['antara'] }, expect: [A3, A2] },
        { name: 'tags and output together', filter: { tags: [RUSIA_BELARUS], output: PUTIN_TANPA_OPINI }, expect: [A1] },
        { name: 'limit keeps the newest', filter: { limit: 3 }, expect: [T1, A3, K2] },
        { name: 'limit with a filter', filter: { tags: [PUTIN], limit: 1 }, expect: [T1] },
        // Small limits: a tag with `limit` items among the newest is read by walking the newest items (SQLite,
        // src/store/sqlite/items.ts), a rarer one from its list; both give the newest `limit`, each item once.
        { name: 'one tag, limit 2', filter: { tags: [PUTIN], limit: 2 }, expect: [T1, A1] },
        { name: 'one tag, limit 3: all it has', filter: { tags: [PUTIN], limit: 3 }, expect: [T1, A1, A4] },
        { name: 'one tag, limit 4: more than it has', filter: { tags: [PUTIN], limit: 4 }, expect: [T1, A1, A4] },
        { name: 'several tags, limit 2: the newest two, each item once', filter: { tags: [PUTIN, RUSIA_BELARUS, BOLA], limit: 2 }, expect: [T1, K1] },
        { name: 'several tags, limit 4, each item once', filter: { tags: [RUSIA_BELARUS, PUTIN], limit: 4 }, expect: [T1, A2, A1, A4] },
        { name: 'a tag without excluded sources, limit 2', filter: { tags: [PUTIN], excludeSources: ['tempo'], limit: 2 }, expect: [A1, A4] },
        { name: 'tags and sources together, limit 1', filter: { tags: [EKONOMI], sources: ['antara'], limit: 1 }, expect: [A3] },
      ];
      for (const c of cases) {
        it(c.name, async () => {
          expect(titles(await h.store.items.select(output(c.filter)))).to.deep.equal(titles(c.expect));
        });
      }

      it('items come with their tags (in name order) and why', async () => {
        const [a1] = await h.store.items.select(output({ output: PUTIN_TANPA_OPINI, sources: ['antara'] }));
        expect(a1!.tags).to.deep.equal([RUSIA_BELARUS, PUTIN]);
        expect(a1!.matches!.map((m) => `${m.tag}: ${m.text}`)).to.deep.equal([`${RUSIA_BELARUS}: Lukashenko`, `${RUSIA_BELARUS}: Minsk`, `${PUTIN}: Putin`]);
      });
    });

    describe('browse: the API\'s pages', () => {
      const cases: { name: string; filter: Partial<BrowseFilter>; expect: IncomingItem[] }[] = [
        { name: 'no filter', filter: {}, expect: ALL },
        { name: 'a tag', filter: { tag: RUSIA_BELARUS }, expect: [A2, A1] },
        { name: 'a source', filter: { source: 'antara' }, expect: [A3, A2, A1, A4] },
        { name: 'since an instant, inclusive', filter: { since: at('2026-11-21T13:00:00Z') }, expect: [T1, A3, K2, K1] },
        { name: 'tag, source and since together', filter: { tag: EKONOMI, source: 'antara', since: at('2026-11-22T00:00:00Z') }, expect: [A3] },
        { name: 'an unknown source: nothing', filter: { source: 'detik' }, expect: [] },
        { name: 'limit', filter: { limit: 2 }, expect: [T1, A3] },
      ];
      for (const c of cases) {
        it(c.name, async () => {
          expect(titles(await h.store.items.browse(page(c.filter)))).to.deep.equal(titles(c.expect));
        });
      }

      for (const limit of [1, 2, 3, 7]) {
        it(`the (published, id) cursor pages through everything exactly once, ${limit} at a time`, async () => {
          const pages = await pageThrough(h, page({ limit }));
          expect(pages.length).to.equal(Math.ceil(ALL.length / limit));
          expect(titles(pages.flat())).to.deep.equal(titles(ALL));
        });
      }

      it('the cursor splits items of one instant between pages (K2 and K1 share one)', async () => {
        const pages = await pageThrough(h, page({ limit: 3 }));
        expect(pages.map(titles)).to.deep.equal([titles([T1, A3, K2]), titles([K1, A2, A1]), titles([A4])]);
      });

      it('the cursor pages with filters on', async () => {
        const pages = await pageThrough(h, page({ tag: PUTIN, limit: 1 }));
        expect(pages.map(titles)).to.deep.equal([[T1.title], [A1.title], [A4.title]]);
        const since = await pageThrough(h, page({ source: 'kompas', since: at('2026-11-21T00:00:00Z'), limit: 1 }));
        expect(since.map(titles)).to.deep.equal([[K2.title], [K1.title]]);
      });

      // A tag's pages are the unfiltered pages' items carrying it: same order, same cursor, each once. On SQLite a
      // page walks the newest items when `limit` of the tag's are among them, and lists the tag's items otherwise
      // (src/store/sqlite/items.ts `tagPlan`); on PostgreSQL the planner picks: the pages must not tell.
      for (const tag of [PUTIN, RUSIA_BELARUS, EKONOMI, BOLA]) {
        for (const limit of [1, 2, 3]) {
          it(`a tag's pages (${tag}, ${limit} at a time) are the unfiltered ones' items with the tag`, async () => {
            const all = (await pageThrough(h, page({ limit: 50 }))).flat().filter((i) => i.tags.includes(tag));
            expect(all.length).to.be.at.least(1);
            const pages = await pageThrough(h, page({ tag, limit }));
            expect(pages.length).to.equal(Math.ceil(all.length / limit));
            expect(pages.flat().map((i) => i.id)).to.deep.equal(all.map((i) => i.id));
            const since = at('2026-11-21T13:00:00Z');
            const recent = await pageThrough(h, page({ tag, since, limit }));
            expect(recent.flat().map((i) => i.id)).to.deep.equal(all.filter((i) => i.published >= since).map((i) => i.id));
          });
        }
      }

      it('items come with their tags and why', async () => {
        const [, a2] = await h.store.items.browse(page({ tag: EKONOMI, source: 'antara' }));
        expect(a2!.title).to.equal(A2.title);
        expect(a2!.tags).to.deep.equal([EKONOMI, RUSIA_BELARUS]);
        expect(a2!.matches).to.deep.equal([
          { tag: EKONOMI, rule: 'harga OR gas', field: 'title', text: 'gas', start: 21, end: 24 },
          { tag: RUSIA_BELARUS, rule: '(Rusia OR Putin) AND (Belarus* OR Minsk OR Lukashenko)', field: 'title', text: 'Belarus', start: 28, end: 35 },
        ]);
      });
    });

    describe('find', () => {
      it('by id, by uid and by link give the same item, with tags and why', async () => {
        const byUid = await h.store.items.find({ uid: uidOf('antara', A1) });
        expect(byUid).to.not.equal(null);
        expect(await h.store.items.find({ id: byUid!.id })).to.deep.equal(byUid);
        expect(await h.store.items.find({ link: A1.link! })).to.deep.equal(byUid);
        expect(byUid).to.deep.include({ title: A1.title, sourceId: 'antara', tags: [RUSIA_BELARUS, PUTIN] });
        expect(byUid!.matches).to.have.length(3);
      });

      it('an item of a link-only feed, by its uid', async () => {
        expect(await h.store.items.find({ uid: uidOf('tempo', T1) })).to.deep.include({ title: T1.title, guid: null, link: T1.link, author: 'Tempo' });
      });

      it('an untagged item has no tags and no matches', async () => {
        const k2 = await h.store.items.find({ uid: uidOf('kompas', K2) });
        expect(k2!.tags).to.deep.equal([]);
        expect(k2!.matches ?? []).to.deep.equal([]);
        expect(classify(K2).tags).to.deep.equal([]);
      });

      const none: { name: string; ref: Parameters<Harness['store']['items']['find']>[0] }[] = [
        { name: 'an unknown id', ref: { id: 987_654_321 } },
        { name: 'an unknown uid', ref: { uid: 'urn:uuid:00000000-0000-5000-8000-000000000000' } },
        { name: 'a uid of the right item in the wrong source', ref: { uid: uidOf('kompas', A1) } },
        { name: 'an unknown link', ref: { link: 'https://www.antaranews.com/berita/1/tidak-ada' } },
      ];
      for (const c of none) {
        it(`null for ${c.name}`, async () => {
          expect(await h.store.items.find(c.ref)).to.equal(null);
        });
      }
    });

    it('countsByTag counts items per tag name', async () => {
      const counts = await h.store.items.countsByTag();
      expect(Object.fromEntries([...counts].filter(([, n]) => n > 0))).to.deep.equal({ [PUTIN]: 3, [RUSIA_BELARUS]: 2, [EKONOMI]: 2, [BOLA]: 1 });
    });
  });
}
