/**
 * A feed's update time comes from the data, never from the moment it is rendered (issue 14): every daemon on a
 * shared database, and every render on one, gives the same bytes and ETag. With items it is the newest item's
 * change (or a later rule change); an empty feed with no rule change yet is dated at the epoch. Real SQLite
 * stores in memory, the real renderer.
 */
import { expect } from 'chai';
import { parseConfig } from '../../../src/config/load.js';
import { FORMATS, makeFeedRenderer } from '../../../src/publish/catalogue.js';
import { openStore } from '../../../src/store/open.js';
import { FEEDS, PUTIN, SOURCES, refresh } from '../../store-contract/fixtures.js';

const config = parseConfig(
  `server:\n  base_url: "https://warta.example"\nsources:\n${SOURCES.map((s) => `  - id: ${s.id}\n    url: "${s.url}"\n`).join('')}tags:\n  - name: ${PUTIN}\n    match: 'Putin'\noutputs:\n  - id: semua\n    title: Semua\n    tags: ['${PUTIN}']\n`,
  'test.yaml',
);

describe('publish/catalogue: a feed dated by its data, whenever and wherever it is rendered', () => {
  it('an empty feed: the same bytes, ETag and Last-Modified (the epoch) from renders at different times', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      await store.sources.ensure(SOURCES);
      for (const format of FORMATS) {
        const [a, b] = await Promise.all(
          [new Date('2026-12-01T00:00:00Z'), new Date('2026-12-02T13:14:15Z')].map((t) => makeFeedRenderer(store, config, () => t).render('/feeds/semua', format)),
        );
        expect(a, format).to.not.equal(null);
        expect(a!.body.toString(), format).to.equal(b!.body.toString());
        expect(a!.etag, format).to.equal(b!.etag);
        expect(a!.lastModified.getTime(), format).to.equal(0);
      }
    } finally {
      await store.close();
    }
  });

  it('a feed with items: dated by its newest item, the same from renders at different times', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      await store.sources.ensure(SOURCES);
      await refresh(store, 'antara', FEEDS.antara);
      const newest = (await store.items.browse({ tag: null, source: null, since: null, before: null, limit: 100 })).reduce((t, i) => Math.max(t, i.updated.getTime(), i.firstSeen.getTime()), 0);
      const [a, b] = await Promise.all(
        [new Date('2027-01-01T00:00:00Z'), new Date('2027-06-01T00:00:00Z')].map((t) => makeFeedRenderer(store, config, () => t).render('/feeds/semua', 'atom')),
      );
      expect(a!.body.toString()).to.equal(b!.body.toString());
      expect(a!.lastModified.getTime()).to.equal(newest);
      expect(a!.body.toString()).to.include('Lukashenko');
    } finally {
      await store.close();
    }
  });
});
