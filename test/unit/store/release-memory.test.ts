import { expect } from 'chai';
import { join } from 'node:path';
import { openStore } from '../../../src/store/open.js';
import { tempDir } from '../../helpers/tmp.js';

describe('store.releaseMemory (SQLite): the page cache freed after a burst, the data still there', () => {
  it('frees the cache of a daemon\'s store and reads everything again from the file', async () => {
    const tmp = tempDir();
    const store = await openStore({ path: join(tmp.dir, 'w.db') }, { role: 'daemon' });
    try {
      const sources = Array.from({ length: 2000 }, (_, i) => ({ id: `s${i}`, url: `https://example${i}.test/feed.xml` }));
      await store.sources.ensure(sources);
      expect(await store.sources.all()).to.have.length(2000);
      expect(store.releaseMemory, 'SQLite stores have it').to.be.a('function');
      store.releaseMemory!();
      const again = await store.sources.all();
      expect(again.map((r) => r.id).sort()).to.deep.equal(sources.map((s) => s.id).sort());
      expect(await store.ping()).to.equal(true);
    } finally {
      await store.close();
      tmp.cleanup();
    }
  });
});
