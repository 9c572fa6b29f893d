/** A daemon's surroundings for the fault checks: a growing ledger farm and a config polling it every second. */
import { join } from 'node:path';
import { freePort } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { tagRules } from './invariants.js';
import { startLedgerFarm, type LedgerFarm } from './ledger-farm.js';
import { openReadOnly, writeConfig } from './lib.js';

/** A daemon polling a growing ledger farm every second. */
export interface Rig {
  farm: LedgerFarm;
  feeds: number;
  db: string;
  config: string;
  base: string;
  port: number;
  dir: string;
  /** Items stored now (read-only connection). */
  stored(): number;
  close(): Promise<void>;
}

/** Starts the farm and writes the config (the database in `dbDir`, default a fresh temp dir). */
export async function makeRig(feeds: number, opts: { dbDir?: string; descWords?: number; prefix?: string } = {}): Promise<Rig> {
  const farm = await startLedgerFarm(feeds, 10, opts.descWords ?? 150);
  const tmp = tempDir(opts.prefix ?? 'warta-fault-');
  const dbDir = opts.dbDir ?? tmp.dir;
  const db = join(dbDir, 'warta.db');
  const config = join(tmp.dir, 'warta.yaml');
  const port = await freePort();
  writeConfig(config, {
    port,
    db,
    fetch: { schedule: '* * * * * *', min_interval: '1s', per_host: 16, concurrency: 16 },
    sources: farm.urls.map((url, f) => ({ id: `f${f}`, url, tags: ['farm'] })),
    tags: tagRules('A'),
    outputs: [{ id: 'all', title: 'All', tags: ['farm'], limit: 1000 }],
  });
  return {
    farm,
    feeds,
    db,
    config,
    port,
    base: `http://127.0.0.1:${port}`,
    dir: tmp.dir,
    stored() {
      try {
        const c = openReadOnly(db);
        try {
          return c.prepare('SELECT count(*) FROM items').pluck().get() as number;
        } finally {
          c.close();
        }
      } catch {
        return -1;
      }
    },
    async close() {
      await farm.close();
      tmp.cleanup();
    },
  };
}
