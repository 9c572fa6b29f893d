/** The story stage of a refresh: appearances by canonical URL, clusters by the window's index, per new item. */
import { expect } from 'chai';
import { decideStories, sketchInserts, type StorySource } from '../../../src/pipeline/story-plan.js';
import { sketchOf, StoryIndex } from '../../../src/stories/index.js';
import type { CanonicalArticle, ItemInsert } from '../../../src/store/store.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 3, 0);
const OPTS = { windowMs: 72 * H, threshold: 0.5 };

const MINSK = {
  title: 'Putin dan Lukashenko bahas Negara Kesatuan di Minsk',
  summary: 'Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Minsk pada Kamis (20/11) untuk membahas integrasi Negara Kesatuan dan kerja sama energi senilai 2,5 miliar dolar AS.',
};
const MINSK_REWRITE = {
  title: 'Putin temui Lukashenko di Minsk, bahas integrasi Negara Kesatuan',
  summary: 'Vladimir Putin dan Alexander Lukashenko bertemu di Minsk, Belarus, Kamis (20/11), membahas integrasi Negara Kesatuan Rusia-Belarus serta kerja sama energi 2,5 miliar dolar AS. Sumber: Reuters',
};
const SOCHI = {
  title: 'Putin dan Lukashenko bertemu di Sochi bahas Negara Kesatuan',
  summary: 'Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Sochi pada Selasa (18/11) untuk membahas Negara Kesatuan dan pinjaman 1,5 miliar dolar AS.',
};

function insert(text: { title: string; summary: string }, published: number, canonicalUrl: string | null = null): ItemInsert {
  return {
    key: `l:${text.title}`, guid: null, link: canonicalUrl, title: text.title, summary: text.summary, content: null, author: null,
    categories: [], updated: new Date(published), contentHash: 'h', tags: [], outputs: [], uid: 'urn:uuid:x',
    published: new Date(published), firstSeen: new Date(published), canonicalUrl,
  };
}

/** An index holding Antara's Minsk article (item 7, its own story). */
function indexWithMinsk(): StoryIndex {
  const index = new StoryIndex();
  index.add({ itemId: 7, clusterId: 7, sourceId: 'antara', published: T0, sketch: sketchOf({ ...MINSK, content: null }) });
  return index;
}

const ANTARA_LINK = 'https://www.antaranews.com/berita/1/x';
const source = (id: string): StorySource => ({ id, urls: SITES[id] ?? [] });
// Each source's feed URL and site link, as a refresh gives them and byCanonical returns them.
const SITES: Record<string, (string | null)[]> = {
  antara: ['https://www.antaranews.com/rss/terkini.xml', 'https://www.antaranews.com/'],
  'antara-daerah': ['https://jateng.antaranews.com/rss/terkini.xml', null],
  agregat: ['https://agregat.example/rss', 'https://agregat.example/'],
  'agregat-2': ['https://news.agregasi.example/feed', null],
  kompas: ['https://rss.kompas.com/api/feed/social', null],
};
const stored = (id: number, sourceId: string): CanonicalArticle => ({ id, sourceId, sourceUrls: SITES[sourceId]! });

describe('pipeline/story-plan: decideStories', () => {
  const cases: { name: string; source: string; item: ItemInsert; stored?: [string, CanonicalArticle][]; want: { cluster: number | null; appearanceOf: number | null; takeOver?: number } }[] = [
    { name: 'another outlet\'s rewrite of a story in the window joins it', source: 'kompas', item: insert(MINSK_REWRITE, T0 + 2 * H), want: { cluster: 7, appearanceOf: null } },
    { name: 'the same outlet\'s follow-up is not clustered with its own item (dedupe decides within a source)', source: 'antara', item: insert(MINSK_REWRITE, T0 + 2 * H), want: { cluster: null, appearanceOf: null } },
    { name: 'another meeting (Sochi, another date and amount) is another story', source: 'kompas', item: insert(SOCHI, T0 + 2 * H), want: { cluster: null, appearanceOf: null } },
    { name: 'a rewrite published after the story\'s window starts its own', source: 'kompas', item: insert(MINSK_REWRITE, T0 + 73 * H), want: { cluster: null, appearanceOf: null } },
    {
      name: 'a link another source already stored (same canonical URL) is an appearance of that article',
      source: 'agregat', item: insert(SOCHI, T0 + H, ANTARA_LINK), stored: [[ANTARA_LINK, stored(7, 'antara')]],
      want: { cluster: null, appearanceOf: 7 },
    },
    {
      name: 'the outlet\'s own item under a link an aggregator relayed first takes the article over (its cluster decided by the store)',
      source: 'antara', item: insert(SOCHI, T0 + H, ANTARA_LINK), stored: [[ANTARA_LINK, stored(9, 'agregat')]],
      want: { cluster: null, appearanceOf: null, takeOver: 9 },
    },
    {
      name: 'a second aggregator after the first one\'s relay is an appearance of the relay (the outlet takes both over later)',
      source: 'agregat-2', item: insert(SOCHI, T0 + H, ANTARA_LINK), stored: [[ANTARA_LINK, stored(9, 'agregat')]],
      want: { cluster: null, appearanceOf: 9 },
    },
    {
      name: 'another feed of the same outlet (same registrable domain) finds the article its own: an appearance, no takeover',
      source: 'antara-daerah', item: insert(SOCHI, T0 + H, ANTARA_LINK), stored: [[ANTARA_LINK, stored(7, 'antara')]],
      want: { cluster: null, appearanceOf: 7 },
    },
    {
      name: 'an aggregator\'s relay of another outlet\'s link never takes over',
      source: 'kompas', item: insert(SOCHI, T0 + H, ANTARA_LINK), stored: [[ANTARA_LINK, stored(9, 'agregat')]],
      want: { cluster: null, appearanceOf: 9 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [decided] = decideStories(source(c.source), sketchInserts([c.item]), new Map(c.stored ?? []), indexWithMinsk(), OPTS);
      expect(decided!.story).to.deep.include(c.want);
      if (c.want.takeOver === undefined) expect(decided!.story).to.not.have.property('takeOver');
      // The sketch travels encoded, for the store and the next start's index.
      expect(decided!.story!.sketch).to.be.a('string').and.not.equal('');
    });
  }
  it('leaves the index as it was (the runtime adds the items once they have ids)', () => {
    const index = indexWithMinsk();
    decideStories(source('kompas'), sketchInserts([insert(MINSK_REWRITE, T0 + H), insert(SOCHI, T0 + H)]), new Map(), index, OPTS);
    expect(index.size).to.equal(1);
  });
});
