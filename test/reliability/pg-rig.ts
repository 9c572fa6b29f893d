/**
 * A daemon's surroundings on PostgreSQL (`--store postgres`), shared by the fault and backup checks: a growing
 * ledger farm, a fresh schema of the server at 127.0.0.1:5432, and a config polling the farm every second. The
 * checks differ in what they do to the database; how the daemon is set going and how the store is judged is here.
 */
import { join } from 'node:path';
import { freePort } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { DaemonRun } from './daemon-run.js';
import { checkStore, RULES_A, tagRules, type StoreReport } from './invariants.js';
import { startLedgerFarm, type LedgerFarm } from './ledger-farm.js';
import { waitFor, writeConfig } from './lib.js';
import { adminQuery } from '../helpers/postgres.js';
import { snapshotOf, testSchema } from './pg-store.js';

/** How a rig is made; every field has a default. */
export interface PgRigOptions {
  /** Feeds of the farm (default 12) and the items each starts with (default 10). */
  feeds?: number;
  initial?: number;
  /** The daemon reaches the server through this port of 127.0.0.1 (a relay) instead of 5432. */
  viaPort?: number;
  /** More keys of the config's storage section (`lease`, `statement_timeout`). */
  storage?: Record<string, unknown>;
  /** Prefix of the temp dir. */
  prefix?: string;
}

export interface PgRig {
  farm: LedgerFarm;
  feeds: number;
  schema: Awaited<ReturnType<typeof testSchema>>;
  /** The daemon's config, and where it serves. */
  config: string;
  base: string;
  /** The temp dir of the config (removed by close()). */
  dir: string;
  /** Items of the farm published so far. */
  published(): number;
  /** The store of schema `name` (default the rig's) against the farm: a copy of its items (pg-store.ts). */
  inspect(exact: boolean, name?: string): Promise<StoreReport>;
  /** Items stored now. */
  stored(): Promise<number>;
  /** Writes the same config for the database at `url` (a restored copy), serving on a port of its own; returns its path. */
  configFor(url: string, name: string): Promise<string>;
  /**
   * Starts the daemon, publishes one item somewhere every `everyMs`, and waits until it serves and has stored every
   * feed's first items; what did not happen in time goes to `problems`. Call stopPublishing() before the end.
   */
  startIngesting(problems: string[], everyMs?: number): Promise<{ run: DaemonRun; stopPublishing: () => void }>;
  close(): Promise<void>;
}

export async function makePgRig(opts: PgRigOptions = {}): Promise<PgRig> {
  const feeds = opts.feeds ?? 12;
  const initial = opts.initial ?? 10;
  const farm = await startLedgerFarm(feeds, initial, 150);
  const schema = await testSchema();
  const tmp = tempDir(opts.prefix ?? 'warta-pgfault-');
  const write = (path: string, url: string, port: number) =>
    writeConfig(path, {
      port,
      db: join(tmp.dir, 'unused.db'),
      url,
      storage: opts.storage,
      fetch: { schedule: '* * * * * *', min_interval: '1s', per_host: 16, concurrency: 16 },
      sources: farm.urls.map((u, f) => ({ id: `f${f}`, url: u, tags: ['farm'] })),
      tags: tagRules('A'),
      outputs: [{ id: 'all', title: 'All', tags: ['farm'], limit: 1000 }],
    });
  const config = join(tmp.dir, 'warta.yaml');
  const port = await freePort();
  write(config, opts.viaPort ? schema.url.replace('127.0.0.1:5432', `127.0.0.1:${opts.viaPort}`) : schema.url, port);
  const base = `http://127.0.0.1:${port}`;
  const published = () => Array.from({ length: feeds }, (_, f) => farm.count(f)).reduce((a, b) => a + b, 0);
  const stored = async () => {
    // Before the daemon's first start has migrated the schema there is no items table: nothing stored yet.
    if ((await adminQuery('SELECT to_regclass($1) IS NULL AS missing', [`${schema.name}.items`])).rows[0].missing) return 0;
    const c = await snapshotOf(schema.name);
    try {
      return c.prepare('SELECT count(*) FROM items').pluck().get() as number;
    } finally {
      c.close();
    }
  };
  return {
    farm,
    feeds,
    schema,
    config,
    base,
    dir: tmp.dir,
    published,
    async inspect(exact, name = schema.name) {
      const copy = await snapshotOf(name);
      try {
        return checkStore('', farm, feeds, [RULES_A], { exact, db: copy });
      } finally {
        copy.close();
      }
    },
    stored,
    async configFor(url, name) {
      const path = join(tmp.dir, `${name}.yaml`);
      write(path, url, await freePort());
      return path;
    },
    async startIngesting(problems, everyMs = 100) {
      const run = new DaemonRun(base, config);
      let k = 0;
      const t = setInterval(() => farm.publish(k++ % feeds, 1), everyMs);
      if (!(await run.untilServing(30_000))) {
        problems.push(`the daemon did not serve within 30 s (${run.alive ? 'still running' : `exited ${run.daemon.child.exitCode ?? run.daemon.child.signalCode}`}): ${run.daemon.stderr.slice(-600)}`);
      } else if (!(await waitFor(async () => (await stored()) >= feeds * initial, 30_000, 500))) {
        problems.push(`the daemon had not stored the farm's first ${feeds * initial} items within 30 s (${await stored()})`);
      }
      return { run, stopPublishing: () => clearInterval(t) };
    },
    async close() {
      await farm.close();
      await schema.drop();
      tmp.cleanup();
    },
  };
}
