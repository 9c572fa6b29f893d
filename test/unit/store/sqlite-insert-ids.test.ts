import { expect } from 'chai';
import { join } from 'node:path';
import { A1, A2, A3, A4, K1, SOURCES, commit, plan, refresh } from '../../store-contract/fixtures.js';
import { sqliteStore } from '../../helpers/store.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * SQLite gives a new item its id itself, as SQLite would (one above the largest), so an item of its own cluster is
 * written with cluster_id = id in its insert (src/store/sqlite/items.ts); the trigger of migration 0002 stays for
 * other writers. Without the trigger, these rows must come out the same.
 */
describe('SQLite store: new items are written with their id and own cluster, without the trigger', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('ids ascend from the largest stored one (also after the largest was deleted), each item its own cluster', async () => {
    const { store, db } = sqliteStore(join(tmp.dir, 'warta.db'));
    try {
      db.exec('DROP TRIGGER items_own_cluster');
      await store.sources.ensure(SOURCES);
      await refresh(store, 'antara', [A1, A2]);
      await refresh(store, 'kompas', [K1]);
      const rows = () => db.prepare('SELECT id, cluster_id AS cluster FROM items ORDER BY id').all() as { id: number; cluster: number }[];
      expect(rows()).to.deep.equal([{ id: 1, cluster: 1 }, { id: 2, cluster: 2 }, { id: 3, cluster: 3 }]);
      // SQLite's own choice after the largest row is gone: one above the largest left.
      db.prepare('DELETE FROM items WHERE id = 3').run();
      await refresh(store, 'antara', [A3, A1, A2]);
      expect(rows()).to.deep.equal([{ id: 1, cluster: 1 }, { id: 2, cluster: 2 }, { id: 3, cluster: 3 }]);
      // An insert that finds its key stored meanwhile does nothing and leaves its id to the next one.
      const early = await plan(store, 'antara', [A4]);
      const late = await plan(store, 'antara', [A4, K1]);
      await commit(store, 'antara', early);
      expect(await commit(store, 'antara', late)).to.include({ inserted: 1, stale: 1 });
      expect(rows()).to.deep.equal([1, 2, 3, 4, 5].map((id) => ({ id, cluster: id })));
    } finally {
      await store.close();
    }
  });
});
