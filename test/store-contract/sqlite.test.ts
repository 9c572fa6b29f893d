/** The store contract (contract.ts) against the SQLite store: a database file in a temp dir, and ':memory:'. */
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import { tempDir } from '../helpers/tmp.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('sqlite file', async () => {
  const tmp = tempDir('warta-contract-');
  const spec = { path: join(tmp.dir, 'warta.db') };
  const store = await openStore(spec);
  return {
    store,
    reopen: () => openStore(spec),
    cleanup: async () => {
      await store.close();
      tmp.cleanup();
    },
  };
});

describeStoreContract('sqlite :memory:', async () => {
  const store = await openStore({ path: ':memory:' });
  return { store, cleanup: () => store.close() };
});
