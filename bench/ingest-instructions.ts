/**
 * Ingest cost in instructions: one `warta fetch` of a local farm into a fresh SQLite file under callgrind, which
 * counts the same work alike however loaded the machine is (wall time on the shared 2-core box swings ±30 %).
 *   npx tsx bench/ingest-instructions.ts [feeds=40] [items=50] [--repo DIR] [--runs N] [--phase cold|304|changed]
 * `--phase` (default cold): `cold` measures the first fetch (every item new); `304` a re-poll where every feed
 * answers 304; `changed` a poll after every feed gained 5 items (5 of `items` new). The fetches before the
 * measured one run without valgrind.
 * `--repo DIR` runs that checkout's built bin/warta.js (a `git worktree` of another commit, built) with this
 * farm, so two commits are measured on the same input. The farm's items are dated November 2026, outside any
 * story window of a later run: this is the cost of sketching and of the story stage with nothing to match.
 * Prints the instructions of each run (callgrind's "Collected") and their median; the callgrind file is kept
 * for `callgrind_annotate` (its path is printed).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFarm } from './farm.js';
import { median, REPO } from './lib.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const [feeds = 40, items = 50] = positional.map(Number);
const repo = resolve(flag('--repo') ?? REPO);
const runs = Number(flag('--runs') ?? 1);
const phase = flag('--phase') ?? 'cold';
if (!['cold', '304', 'changed'].includes(phase)) throw new Error(`--phase cold|304|changed, not ${phase}`);
const expected = phase === 'cold' ? feeds * items : phase === 'changed' ? feeds * 5 : 0;
// The tag rules of the other benchmarks: tagging is part of ingest on both sides of a comparison.
const TAGS = `tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Putin\n    match: Putin\n`;

async function callgrindFetch(config: string, out: string | null): Promise<number> {
  const node = [process.execPath, '--single-threaded', '--predictable', join(repo, 'bin/warta.js'), 'fetch', '--config', config];
  const [cmd, args] = out ? ['valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, ...node]] : [node[0]!, node.slice(1)];
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    // Async: the farm answers from this process.
    const child = spawn(cmd, args, { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-100_000)));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
  if (r.status !== 0) throw new Error(`${out ? 'valgrind ' : ''}warta fetch exited ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  if (!out) return 0;
  const inserted = r.stdout.split('\n').reduce((n, l) => n + Number(/\tnew (\d+)/.exec(l)?.[1] ?? 0), 0);
  if (inserted !== expected) throw new Error(`expected ${expected} new items, the fetch reported ${inserted}:\n${r.stdout.slice(-2000)}`);
  const collected = /Collected : (\d+)/.exec(r.stderr);
  if (!collected) throw new Error(`no "Collected" line from callgrind:\n${r.stderr.slice(-2000)}`);
  return Number(collected[1]);
}

const counts: number[] = [];
for (let run = 0; run < runs; run++) {
  const farm = await startFarm(feeds, items, [], { keepAliveMs: 3600_000 });
  const dir = mkdtempSync(join(tmpdir(), 'warta-instr-'));
  const config = join(dir, 'w.yaml');
  writeFileSync(config, `storage:\n  path: "${join(dir, 'w.db')}"\nfetch:\n  concurrency: 32\n  per_host: 32\n  timeout: 10m\n` +
    `sources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}${TAGS}log:\n  level: warn\n`);
  const out = join(tmpdir(), `warta-callgrind-${process.pid}-${run}.out`);
  try {
    if (phase !== 'cold') {
      await callgrindFetch(config, null);
      if (phase === 'changed') farm.advance(5);
    }
    const n = await callgrindFetch(config, out);
    counts.push(n);
    console.log(`run ${run + 1}: ${n.toLocaleString('en')} instructions (${phase}, ${feeds}×${items}, ${repo}); callgrind file ${out}`);
  } finally {
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`median: ${median(counts).toLocaleString('en')} instructions`);
