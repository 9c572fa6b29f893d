/**
 * V8 CPU profiles of one cold `warta fetch` of the recent farm (every item new, dated in the story window), with
 * the story stage and without it (WARTA_BENCH_NO_STORIES=1), one directory each, one file per thread:
 *   npx tsx bench/profile-fetch.ts [feeds=300] [items=50] [DIR=/tmp/warta-profile] [stories,nostories]
 * Read them with bench/profile-window.ts (DIR/stories 0 1e18 for the whole run; the main thread's file is the one
 * ending .0.001.cpuprofile). NODEFLAGS replaces --cpu-prof (e.g. "--cpu-prof --trace-gc", output inherited).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFarm } from './farm.js';
import { BIN, REPO, writeConfig } from './lib.js';

const [feeds, items] = [Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 50)];
const out = process.argv[4] ?? join(tmpdir(), 'warta-profile');
const which = (process.argv[5] ?? 'stories,nostories').split(',');
const flags = (process.env.NODEFLAGS ?? '--cpu-prof').split(' ');
const farm = await startFarm(feeds, items, [], { recent: true });
try {
  for (const [label, env] of [['stories', {}], ['nostories', { WARTA_BENCH_NO_STORIES: '1' }]] as const) {
    if (!which.includes(label)) continue;
    const dir = mkdtempSync(join(tmpdir(), 'warta-prof-'));
    try {
      const config = writeConfig(dir, farm.urls, { logLevel: 'warn' });
      const t = process.hrtime.bigint();
      // Not spawnSync: the farm answers from this process's event loop.
      const child = spawn(process.execPath, [...flags, `--cpu-prof-dir=${join(out, label)}`, BIN, 'fetch', '--config', config], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', process.env.NODEFLAGS ? 'inherit' : 'ignore', 'inherit'] });
      const code = await new Promise((r) => child.on('exit', r));
      console.log(`${label}: exit ${code}, wall ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(2)} s, profiles in ${join(out, label)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await farm.close();
}
