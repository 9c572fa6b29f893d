/**
 * The store contract (contract.ts) against the PostgreSQL store: each case gets a schema of its own on the
 * server at 127.0.0.1:5432 (test/helpers/postgres.ts), dropped after it. Where no server answers, every case is
 * pending, with the reason printed: never a silent pass.
 */
import { openStore } from '../../src/store/open.js';
import { pendingWithoutPostgres, testSchema } from '../helpers/postgres.js';
import { describeStoreContract } from './contract.js';

describe('PostgreSQL on 127.0.0.1:5432', function () {
  before(async function () {
    await pendingWithoutPostgres(this);
  });

  describeStoreContract('postgres', async () => {
    const schema = await testSchema();
    const spec = { path: 'unused.db', url: schema.url, poolSize: 4 };
    const store = await openStore(spec);
    return {
      store,
      reopen: () => openStore(spec),
      cleanup: async () => {
        await store.close();
        await schema.drop();
      },
    };
  });
});
