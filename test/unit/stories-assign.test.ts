import { expect } from 'chai';
import { assignStory, DEFAULT_THRESHOLD, sketchOf, StoryIndex, type StoryOptions, type StorySketch, type StoryText } from '../../src/stories/index.js';

const HOUR = 3600_000;
const T0 = Date.parse('2024-12-06T07:00:00Z');
const OPTS: StoryOptions = { windowMs: 72 * HOUR, threshold: DEFAULT_THRESHOLD };
const t = (title: string, summary: string): StoryText => ({ title, summary, content: null });

const KOMPAS = sketchOf(t('Putin dan Lukashenko Bertemu di Minsk, Teken Pakta Jaminan Keamanan', 'MINSK, KOMPAS.com – Presiden Rusia Vladimir Putin dan Presiden Belarus Alexander Lukashenko menandatangani perjanjian jaminan keamanan bersama di Minsk, Jumat (6/12/2024). Pakta itu mencakup kemungkinan penggunaan senjata nuklir Rusia untuk melindungi Belarus. Sumber: Reuters'));
const ANTARA = sketchOf(t('Rusia dan Belarus tandatangani perjanjian jaminan keamanan', 'Minsk (ANTARA) - Rusia dan Belarus pada Jumat menandatangani perjanjian jaminan keamanan yang memungkinkan Moskow menggunakan senjata nuklir untuk membela Belarus, kata Presiden Vladimir Putin usai bertemu Presiden Alexander Lukashenko di Minsk.'));
const TEMPO = sketchOf(t('Putin Janji Lindungi Belarus dengan Senjata Nuklir', 'TEMPO.CO, Jakarta - Presiden Vladimir Putin menjanjikan perlindungan nuklir Rusia bagi Belarus setelah meneken pakta keamanan dengan Alexander Lukashenko di Minsk pada 6 Desember 2024. Reuters'));
const OTHER = sketchOf(t('Harga Emas Antam Naik Rp 8.000', 'Harga emas batangan Antam naik Rp 8.000 menjadi Rp 1.523.000 per gram pada Selasa (3/12/2024).'));

function indexWith(...members: [itemId: number, clusterId: number, sourceId: string, hours: number, sketch: StorySketch][]): StoryIndex {
  const index = new StoryIndex();
  for (const [itemId, clusterId, sourceId, hours, sketch] of members) index.add({ itemId, clusterId, sourceId, published: T0 + hours * HOUR, sketch });
  return index;
}

describe('stories/assign: a new item joins a story or starts one', () => {
  const cases: { name: string; index: () => StoryIndex; item: { sourceId: string; hours: number; sketch: StorySketch }; cluster: number | null; matched?: number }[] = [
    { name: 'a rewrite from another outlet joins the story', index: () => indexWith([1, 1, 'kompas', 0, KOMPAS]), item: { sourceId: 'antara', hours: 2, sketch: ANTARA }, cluster: 1, matched: 1 },
    { name: 'an unrelated item starts its own', index: () => indexWith([1, 1, 'kompas', 0, KOMPAS]), item: { sourceId: 'antara', hours: 2, sketch: OTHER }, cluster: null },
    { name: 'within one source nothing clusters', index: () => indexWith([1, 1, 'kompas', 0, KOMPAS]), item: { sourceId: 'kompas', hours: 2, sketch: ANTARA }, cluster: null },
    { name: 'a story that already has an item of this source is not joined', index: () => indexWith([1, 1, 'kompas', 0, KOMPAS], [2, 1, 'antara', 1, ANTARA]), item: { sourceId: 'kompas', hours: 3, sketch: TEMPO }, cluster: null },
    { name: 'the cluster of the best match wins', index: () => indexWith([1, 1, 'kompas', 0, OTHER], [2, 2, 'antara', 1, ANTARA]), item: { sourceId: 'tempo', hours: 3, sketch: KOMPAS }, cluster: 2, matched: 2 },
    { name: 'past the window of the cluster’s first member: a new story', index: () => indexWith([1, 1, 'kompas', 0, KOMPAS]), item: { sourceId: 'antara', hours: 73, sketch: ANTARA }, cluster: null },
    { name: 'no chaining past the window: a recent member of an old story does not pull an item in', index: () => indexWith([1, 1, 'kompas', 0, KOMPAS], [2, 1, 'antara', 60, ANTARA]), item: { sourceId: 'tempo', hours: 74, sketch: TEMPO }, cluster: null },
    { name: 'an item published before the story began, within the window, joins', index: () => indexWith([1, 1, 'kompas', 10, KOMPAS]), item: { sourceId: 'antara', hours: 0, sketch: ANTARA }, cluster: 1 },
    { name: 'an empty index: a new story', index: () => new StoryIndex(), item: { sourceId: 'antara', hours: 0, sketch: ANTARA }, cluster: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = assignStory(c.index(), { itemId: 99, sourceId: c.item.sourceId, published: T0 + c.item.hours * HOUR, sketch: c.item.sketch }, OPTS);
      expect(got.clusterId).to.equal(c.cluster);
      if (c.cluster === null) expect(got).to.deep.equal({ clusterId: null, matchedItemId: null, similarity: 0 });
      else expect(got.similarity).to.be.at.least(OPTS.threshold);
      if (c.matched !== undefined) expect(got.matchedItemId).to.equal(c.matched);
    });
  }

  it('an item is never matched with itself (re-assigning a stored item)', () => {
    const index = indexWith([1, 1, 'kompas', 0, KOMPAS]);
    expect(assignStory(index, { itemId: 1, sourceId: 'tempo', published: T0, sketch: KOMPAS }, OPTS).clusterId).to.equal(null);
  });

  it('a higher threshold keeps a weaker rewrite apart', () => {
    const index = indexWith([1, 1, 'kompas', 0, KOMPAS]);
    const item = { itemId: 2, sourceId: 'tempo', published: T0 + HOUR, sketch: TEMPO };
    const low = assignStory(index, item, { ...OPTS, threshold: 0.05 });
    expect(low.clusterId).to.equal(1);
    expect(assignStory(index, item, { ...OPTS, threshold: low.similarity + 0.01 }).clusterId).to.equal(null);
  });
});
