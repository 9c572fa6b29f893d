/**
 * Refresh planning against a real (in-memory) store: a feed that starts, then stops, reusing one guid for
 * several articles keeps one row per article and never overwrites one article with another.
 */
import { expect } from 'chai';
import type { IncomingItem } from '../../../src/base/model.js';
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
