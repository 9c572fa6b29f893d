/**
 * `warta fetch` with and without an environment setting (a malloc tunable, say), alternating in one run over one
 * farm: CPU (user + system, /usr/bin/time) of a cold ingest and of a poll where every feed gained 5 items, and the
 * cold ingest's peak RSS; medians and ratios.
 *   npx tsx bench/fetch-env.ts [feeds=300] [items=50] [rounds=6] --env=NAME=VALUE [--env=…]
 * Both sides run with MALLOC_ARENA_MAX=2, as `npm start` does (unless --env sets it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFarm } from './farm.js';
import { runFetch, writeConfig } from './lib.js';

const [feeds = 300, items = 50, rounds = 6] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
// NAME=VALUE split at the first '=' (a value may hold one: --env=NODE_OPTIONS=--max-semi-space-size=4).
const set = process.argv.filter((a) => a.startsWith('--env=')).map((a) => [a.slice(6, a.indexOf('=', 6)), a.slice(a.indexOf('=', 6) + 1)] as [string, string]);
if (set.length === 0) throw new Error('--env=NAME=VALUE: the setting to compare');
const label = set.map(([k, v]) => `${k}=${v}`).join(' ');
const farm = await startFarm(feeds, items);
type Side = { cold: number[]; changed: number[]; peak: number[] };
const sides: Record<'without' | 'with', Side> = { without: { cold: [], changed: [], peak: [] }, with: { cold: [], changed: [], peak: [] } };
try {
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
      process.env.MALLOC_ARENA_MAX = '2';
      for (const [k] of set) delete process.env[k];
      if (side === 'with') for (const [k, v] of set) process.env[k] = v;
      const dir = mkdtempSync(join(tmpdir(), 'warta-env-'));
      try {
        const config = writeConfig(dir, farm.urls, {});
        const cold = await runFetch(config);
        farm.advance(5);
        const changed = await runFetch(config);
        sides[side].cold.push(cold.cpuSecs);
        sides[side].changed.push(changed.cpuSecs);
        sides[side].peak.push(cold.peakMb);
        console.log(`round ${r + 1} ${side} ${label}: cold ${cold.inserted} items, CPU ${cold.cpuSecs.toFixed(2)} s (wall ${cold.secs.toFixed(1)} s), peak ${cold.peakMb.toFixed(0)} MiB; changed CPU ${changed.cpuSecs.toFixed(2)} s; load ${loadavg()[0]!.toFixed(1)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await farm.close();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const k of ['cold', 'changed', 'peak'] as const) {
  const [a, b] = [median(sides.without[k]), median(sides.with[k])];
  console.log(`${k === 'peak' ? 'cold peak RSS (MiB)' : `${k} CPU (s)`}: without ${a.toFixed(2)}, with ${b.toFixed(2)}: ${(b / a).toFixed(3)}×`);
}
