/**
 * A store big enough that a re-tag pass commits a few dozen ranges and a backup copies for tens of milliseconds,
 * filled through the real `warta fetch` from a ledger farm, shared by the re-tag and backup crash checks (which
 * aim their kills by the pass's progress and the copy's temp file, not by the clock alone).
 */
import { join } from 'node:path';
import { freePort, runWarta } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { checkStore, RULES_A, tagRules } from './invariants.js';
import { startLedgerFarm, type LedgerFarm } from './ledger-farm.js';
import { writeConfig } from './lib.js';

/** The shared store and how to point a daemon at it. */
export interface BigStore {
  farm: LedgerFarm;
  feeds: number;
  dir: string;
  db: string;
  config: string;
  port: number;
  base: string;
  /** Rewrites the config file with tag rules A or B; `schedule` (default: yearly) changes no tag. */
  writeRules(which: 'A' | 'B', schedule?: string): void;
  /** The rules the config file holds now. */
  rules(): 'A' | 'B';
  fillMs: number;
  items: number;
  close(): Promise<void>;
}

/** Fills a store of feeds × items through `warta fetch` (rules A). */
export async function prepareBigStore(short: boolean): Promise<BigStore> {
  const feeds = 60;
  const farm = await startLedgerFarm(feeds, short ? 200 : 500, 150);
  const tmp = tempDir('warta-big-');
  const db = join(tmp.dir, 'warta.db');
  const config = join(tmp.dir, 'warta.yaml');
  const port = await freePort();
  let rules: 'A' | 'B' = 'A';
  const writeRules = (which: 'A' | 'B', schedule = '0 0 1 1 *') => {
    rules = which;
    writeConfig(config, {
      port,
      db,
      // By default sources are polled at start-up only; cron ticks stay out of the way of a re-tag.
      fetch: { schedule, per_host: 16, concurrency: 16, min_interval: '1s' },
      sources: farm.urls.map((url, f) => ({ id: `f${f}`, url, tags: ['farm'] })),
      tags: tagRules(which),
      outputs: [{ id: 'all', title: 'All', tags: ['farm'], limit: 200 }],
    });
  };
  writeRules('A');
  const started = Date.now();
  const r = await runWarta(['fetch', '--config', config]);
  if (r.code !== 0) throw new Error(`filling the big store: warta fetch exited ${r.code}: ${r.stderr.slice(0, 1000)}`);
  const fillMs = Date.now() - started;
  const check = checkStore(db, farm, feeds, [RULES_A], { exact: true });
  if (check.problems.length) throw new Error(`the big store is wrong before any kill: ${check.problems.slice(0, 5).join('; ')}`);
  return {
    farm,
    feeds,
    dir: tmp.dir,
    db,
    config,
    port,
    base: `http://127.0.0.1:${port}`,
    writeRules,
    rules: () => rules,
    fillMs,
    items: check.items,
    async close() {
      await farm.close();
      tmp.cleanup();
    },
  };
}
