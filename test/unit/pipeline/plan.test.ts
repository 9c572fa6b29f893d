/**
 * Refresh planning against a real (in-memory) store: a feed that starts, then stops, reusing one guid for
 * several articles keeps one row per article and never overwrites one article with another.
 */
import { expect } from 'chai';
import type { IncomingItem } from '../../../src/base/model.js';
import { assignKeys } from '../../../src/pipeline/dedupe.js';
import { lookupKeys, planRefresh, type Classify } from '../../../src/pipeline/plan.js';
import { sketchInserts } from '../../../src/pipeline/story-plan.js';
import { sketchOf } from '../../../src/stories/index.js';
import { makeClassifier } from '../../../src/tagging/classify.js';
import { sqliteStore, storeItems, UNTAGGED } from '../../helpers/store.js';

const article = (link: string, title: string): IncomingItem => ({
  guid: 'https://berita.example/', link, title, summary: null, content: null, author: null, categories: [],
  published: new Date('2026-11-30T03:00:00Z'), updated: null,
});
const SATU = article('https://berita.example/1', 'Putin terima Lukashenko');
const DUA = article('https://berita.example/2', 'Minsk tuan rumah KTT');

describe('pipeline: planRefresh with a guid a feed shares between articles, then not', () => {
  // Each poll lists these articles; after each, the stored titles by link.
  const polls: [name: string, items: IncomingItem[], stored: Record<string, string>][] = [
    ['one article under the guid', [SATU], { 'https://berita.example/1': SATU.title }],
    ['a second article shares the guid', [SATU, DUA], { 'https://berita.example/1': SATU.title, 'https://berita.example/2': DUA.title }],
    ['only the second is listed now', [DUA], { 'https://berita.example/1': SATU.title, 'https://berita.example/2': DUA.title }],
    ['both again', [SATU, DUA], { 'https://berita.example/1': SATU.title, 'https://berita.example/2': DUA.title }],
    ['only the first', [SATU], { 'https://berita.example/1': SATU.title, 'https://berita.example/2': DUA.title }],
  ];

  it('keeps one row per article through every poll', async () => {
    const { store, db } = sqliteStore(':memory:');
    for (const [name, items, expected] of polls) {
      await storeItems(store, 's', items, UNTAGGED);
      const rows = db.prepare('SELECT link, title FROM items ORDER BY link').all() as { link: string; title: string }[];
      expect(Object.fromEntries(rows.map((r) => [r.link, r.title])), name).to.deep.equal(expected);
      expect(rows, `${name}: one row per article`).to.have.length(Object.keys(expected).length);
    }
    await store.close();
  });
});

describe('pipeline: planRefresh hands the story stage the words classifying read of each new item', () => {
  const classifier = makeClassifier({ tags: [{ name: 'Putin', match: 'Putin', aliases: [], stem: null }], sources: [], outputs: [] });
  const classify: Classify = (item, scanned) => classifier.classify(item, 's', scanned);
  const lead = { ...SATU, summary: '<p>Presiden Rusia Vladimir Putin menerima Presiden Belarus Alexander Lukashenko di Kremlin.</p>' };
  const canonical = (link: string) => link;

  it('new items carry them with the story stage on, and the sketch made from them is the sketch of their text', async () => {
    const { store } = sqliteStore(':memory:');
    const keyed = assignKeys([lead, DUA]);
    const plan = planRefresh('s', keyed, await store.items.lookup('s', lookupKeys(keyed)), new Date(), classify, canonical);
    expect(plan.inserts.map((i) => i.scanned?.summary.source ?? null)).to.deep.equal([lead.summary, '']);
    expect(plan.inserts[0]!.scanned!.summary.words).to.include.members(['putin', 'lukashenko', 'kremlin']);
    const sketched = sketchInserts(plan.inserts);
    expect(plan.inserts.map((i) => i.scanned), 'let go of once sketched').to.deep.equal([undefined, undefined]);
    for (const [k, s] of sketched.entries()) {
      expect(s.insert, 'the store is not given them').to.not.have.property('scanned');
      expect(s.sketch).to.deep.equal(sketchOf(plan.inserts[k]!));
    }
    await store.close();
  });

  it('without the story stage, and for changed items, nothing is kept', async () => {
    const { store } = sqliteStore(':memory:');
    await storeItems(store, 's', [lead], classify);
    const keyed = assignKeys([{ ...lead, title: 'Putin terima Lukashenko di Kremlin' }, DUA]);
    const stored = await store.items.lookup('s', lookupKeys(keyed));
    const staged = planRefresh('s', keyed, stored, new Date(), classify, canonical);
    expect(staged.updates).to.have.length(1);
    expect(staged.updates[0]).to.not.have.property('scanned');
    expect(staged.inserts[0]).to.have.property('scanned');
    const plain = planRefresh('s', keyed, stored, new Date(), classify);
    expect(plain.inserts[0]).to.not.have.property('scanned');
    await store.close();
  });
});
