/**
 * The all-304 re-poll (issue 15: 1,000 feeds in < 1 s, process start included), this build against another
 * checkout's, alternating over one store so both meet the same rows and the same load:
 *   npx tsx bench/repoll.ts [feeds=1000] [items=50] [--runs 5] [--base DIR]
 * One farm of `feeds` × `items` on 127.0.0.1, one cold `warta fetch` and one re-poll (this build) to fill the
 * store and settle the validators, then `runs` rounds of a re-poll by DIR's bin/warta.js and one by this build's,
 * each answered 304 by every feed. Prints each run's wall and CPU seconds (user + sys, /usr/bin/time) and their
 * medians. Both builds must read the same schema (a base without this branch's migrations).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFarm } from './farm.js';
import { BIN, median, runFetch, writeConfig } from './lib.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const [feeds = 1000, items = 50] = positional.map(Number);
const runs = Number(flag('--runs') ?? 5);
const base = flag('--base');
const builds: [label: string, bin: string][] = [...(base ? [['base', join(resolve(base), 'bin/warta.js')] as [string, string]] : []), ['this', BIN]];

const dir = mkdtempSync(join(tmpdir(), 'warta-repoll-'));
const farm = await startFarm(feeds, items);
try {
  const config = writeConfig(dir, farm.urls, { logLevel: 'warn' });
  const cold = await runFetch(config);
  if (cold.inserted !== feeds * items) throw new Error(`cold fetch stored ${cold.inserted} items, expected ${feeds * items}`);
  await runFetch(config);
  const got = new Map<string, { secs: number[]; cpu: number[] }>(builds.map(([label]) => [label, { secs: [], cpu: [] }]));
  for (let i = 0; i < runs; i++) {
    for (const [label, bin] of builds) {
      const r = await runFetch(config, bin);
      if (r.inserted !== 0) throw new Error(`${label}: a re-poll stored ${r.inserted} items`);
      got.get(label)!.secs.push(r.secs);
      got.get(label)!.cpu.push(r.cpuSecs);
      console.log(`run ${i + 1} ${label}: wall ${r.secs.toFixed(2)} s, CPU ${r.cpuSecs.toFixed(2)} s`);
    }
  }
  for (const [label, g] of got) console.log(`${label}: median wall ${median(g.secs).toFixed(2)} s, CPU ${median(g.cpu).toFixed(2)} s (${feeds} feeds, all 304, ${runs} runs)`);
} finally {
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}
