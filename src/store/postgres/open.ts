import { WartaError } from '../../base/errors.js';
import type { Store } from '../store.js';
import { processChangeBoard, type ChangeBoard } from './change-token.js';
import { storageError } from './errors.js';
import { migrate, schemaVersion } from './migrate.js';
import { displayUrl } from '../spec.js';
import { makePool, type PoolSpec } from './pool.js';
import { makePostgresStore, readChanges } from './store.js';

/**
 * Opens a store on the database at `spec.url`: migrates it first unless read-only; a read-only open (a re-tag
 * worker, `warta sources`) finds warta's schema or fails, and its sessions refuse writes at the server
 * (default_transaction_read_only). `board` is where stores of one process share what they wrote.
 */
export async function openPostgresStore(spec: PoolSpec, board: ChangeBoard = processChangeBoard): Promise<Store> {
  const location = displayUrl(spec.url);
  const pool = makePool(spec);
  try {
    if (spec.readonly) {
      if ((await schemaVersion(pool)) === 0) {
        throw new WartaError('storage', `no warta schema in the database at ${location}: start warta (or run \`warta fetch\`) once to create it`);
      }
    } else {
      await migrate(pool);
    }
    const value = (await readChanges<{ n: number }>(pool)).rows[0]!.n;
    return makePostgresStore(pool, { location, changes: board.join(spec.url, value) });
  } catch (err) {
    await pool.end().catch(() => {});
    throw storageError(err, location);
  }
}
