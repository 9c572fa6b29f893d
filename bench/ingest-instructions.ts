/**
 * Ingest cost in instructions: one `warta fetch` of a local farm into a fresh SQLite file under callgrind, which
 * counts the same work alike however loaded the machine is (wall time on the shared 2-core box swings ±30 %).
 *   npx tsx bench/ingest-instructions.ts [feeds=40] [items=50] [--repo DIR] [--runs N] [--phase cold|304|changed]
 *                                        [--compare | --without-stories] [--old] [--main-thread]
 * `--phase` (default cold): `cold` measures the first fetch (every item new); `304` a re-poll where every feed
 * answers 304; `changed` a poll after every feed gained 5 items (5 of `items` new). The fetches before the
 * measured one run without valgrind.
 * `--repo DIR` runs that checkout's built bin/warta.js (a `git worktree` of another commit, built) with this
 * farm, so two commits are measured on the same input. `--compare` also runs each round without the story
 * stage (WARTA_BENCH_NO_STORIES=1, a bench-only switch in daemon/runtime.ts) and prints the stage's overhead
 * (issue 13: at most 15 %). The farm's items are dated in the last hours (bench/farm.ts `recent`), within the
 * story window, so sketching, the index and the assignment are all measured; `--old` dates them November 2026
 * (the farm of earlier sessions: the stage with nothing to match).
 * Prints the instructions of each run (callgrind's "Collected") and their median; the callgrind files are kept
 * for `callgrind_annotate` (their paths are printed). `--main-thread` counts each thread apart (callgrind
 * --separate-threads=yes: files OUT-01, OUT-02, …) and prints the main thread's instructions too: the feed parser
 * threads do their share on the other cores, the main thread's is what a cold ingest waits on (issue 15).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const compare = argv.includes('--compare');
// Only the run without the story stage (the baseline for several commits measured apart).
const withoutOnly = argv.includes('--without-stories');
const recent = !argv.includes('--old');
const mainThread = argv.includes('--main-thread');
// The tag rules of the other benchmarks: tagging is part of ingest on both sides of a comparison.
const TAGS = `tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Putin\n    match: Putin\n`;

/** The instructions of callgrind's file `file` (its `totals:` line; `summary:` in older versions). */
function totalsOf(file: string): number {
  const m = /^(?:totals|summary): (\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`no totals in ${file}`);
  return Number(m[1]);
}

async function callgrindFetch(config: string, out: string | null, noStories: boolean): Promise<number> {
  const node = [process.execPath, '--single-threaded', '--predictable', join(repo, 'bin/warta.js'), 'fetch', '--config', config];
  const [cmd, args] = out ? ['valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, ...(mainThread ? ['--separate-threads=yes'] : []), ...node]] : [node[0]!, node.slice(1)];
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    // Async: the farm answers from this process.
    const env = noStories ? { ...process.env, WARTA_BENCH_NO_STORIES: '1' } : process.env;
    const child = spawn(cmd, args, { cwd: repo, env });
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
const mains: number[] = [];
const without: number[] = [];
// One farm per round, both variants on it, one after the other so a drift of the machine touches both alike.
for (let run = 0; run < runs; run++) {
  const farm = await startFarm(feeds, items, [], { keepAliveMs: 3600_000, recent });
  try {
    for (const noStories of withoutOnly ? [true] : compare ? [false, true] : [false]) {
      const dir = mkdtempSync(join(tmpdir(), 'warta-instr-'));
      const config = join(dir, 'w.yaml');
      // A long fetch timeout: under callgrind on a loaded machine the last refreshes wait their turn at the story
      // stage for more than 10 minutes.
      writeFileSync(config, `storage:\n  path: "${join(dir, 'w.db')}"\nfetch:\n  concurrency: 32\n  per_host: 32\n  timeout: 2h\n` +
        `sources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}${TAGS}log:\n  level: warn\n`);
      const out = join(tmpdir(), `warta-callgrind-${process.pid}-${run}${noStories ? '-nostories' : ''}.out`);
      try {
        if (phase !== 'cold') {
          await callgrindFetch(config, null, noStories);
          if (phase === 'changed') {
            farm.advance(5);
            farm.build();
          }
        }
        const n = await callgrindFetch(config, out, noStories);
        (noStories ? without : counts).push(n);
        // Thread 1 is the main thread (callgrind numbers threads as they start).
        const main = mainThread ? totalsOf(`${out}-01`) : null;
        if (main !== null && !noStories) mains.push(main);
        console.log(`run ${run + 1}${noStories ? ' without stories' : ''}: ${n.toLocaleString('en')} instructions${main !== null ? `, main thread ${main.toLocaleString('en')}` : ''} (${phase}, ${feeds}×${items}, ${recent ? 'recent' : 'old'} items, ${repo}); callgrind file ${out}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await farm.close();
  }
}
if (!withoutOnly) console.log(`median: ${median(counts).toLocaleString('en')} instructions${mains.length > 0 ? `, main thread ${median(mains).toLocaleString('en')}` : ''}`);
if (withoutOnly) console.log(`median without stories: ${median(without).toLocaleString('en')} instructions`);
else if (compare) {
  console.log(`median without stories: ${median(without).toLocaleString('en')} instructions`);
  console.log(`story stage: +${((median(counts) / median(without) - 1) * 100).toFixed(1)} % (issue 13: at most 15 %)`);
}
