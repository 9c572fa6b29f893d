/**
 * Ingest benchmark: `warta fetch` (the real CLI, a real SQLite file) over a local farm of feeds.
 *   npx tsx bench/ingest.ts [feeds=1000] [items=50] [runs=3]
 * Reports per run: the cold ingest (every item new), the all-304 re-poll, and a poll where every feed gained 5
 * items; medians over runs. Compare with newsboat's ~1,450 items/s on the same farm shape (DEVELOPERS.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFarm } from './farm.js';

const [feeds = 1000, items = 50, runs = 3] = process.argv.slice(2).map(Number);
const BIN = fileURLToPath(new URL('../bin/warta.js', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results: { cold: number[]; notModified: number[]; changed: number[]; rssMb: number[] } = { cold: [], notModified: [], changed: [], rssMb: [] };
for (let run = 0; run < runs; run++) {
  const farm = await startFarm(feeds, items);
  const dir = mkdtempSync(join(tmpdir(), 'warta-bench-'));
  const config = join(dir, 'w.yaml');
  writeFileSync(config, `storage:\n  path: "${join(dir, 'w.db')}"\nfetch:\n  concurrency: 32\n  per_host: 32\nsources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Putin\n    match: Putin\n`);
  // The farm lives in this process, so the CLI runs as an async child (a sync spawn would starve the farm).
  const fetchOnce = async () => {
    const t = process.hrtime.bigint();
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'fetch', '--config', config]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`warta fetch exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const lines = r.stdout.trim().split('\n');
    const inserted = lines.reduce((n, l) => n + Number(/new (\d+)/.exec(l)?.[1] ?? 0), 0);
    const rssMb = Number(r.stderr.trim().split('\n').at(-1)) / 1024;
    return { secs, inserted, rssMb };
  };
  const c = await fetchOnce();
  const nm = await fetchOnce();
  farm.advance(5);
  const ch = await fetchOnce();
  results.cold.push(c.inserted / c.secs);
  results.notModified.push(feeds / nm.secs);
  results.changed.push(ch.inserted / ch.secs);
  results.rssMb.push(c.rssMb);
  console.log(`run ${run + 1}: cold ${c.inserted} items in ${c.secs.toFixed(2)} s (${(c.inserted / c.secs).toFixed(0)} items/s, peak RSS ${c.rssMb.toFixed(0)} MB); ` +
    `all-304 ${feeds} feeds in ${nm.secs.toFixed(2)} s; +5/feed: ${ch.inserted} new in ${ch.secs.toFixed(2)} s`);
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`median over ${runs}: cold ${median(results.cold).toFixed(0)} items/s (${(median(results.cold) / 1450).toFixed(1)}× newsboat's 1,450); ` +
  `304 re-poll ${median(results.notModified).toFixed(0)} feeds/s; changed ${median(results.changed).toFixed(0)} new items/s; peak RSS ${median(results.rssMb).toFixed(0)} MB`);
