/**
 * Load: autocannon against the output routes of the real daemon (128 connections).
 *   npx tsx bench/load.ts [seconds=30] [connections=128] [feeds=1000]
 * First half: while the daemon refreshes 1,000 local feeds (bench/farm.ts: the cold start-up ingest, then cron
 * polls every 10 s with the farm publishing new items) — errors, 5xx (target: none), requests/s, p99.
 * Second half, in two equal quarters, once the store stops growing (the farm stops publishing; polls answer 304):
 * the daemon's RSS (VmRSS) before, between and after the quarters and after a short rest, as information: RSS
 * moves with what V8 and malloc choose to keep, so the leak check (heap after a forced GC, round over round)
 * is test/reliability/load.ts, which uses this file's routes and load generator.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { startFarm } from './farm.js';

const BIN = fileURLToPath(new URL('../bin/warta.js', import.meta.url));
const REPO = fileURLToPath(new URL('../', import.meta.url));
/** The output routes loaded, in turn. */
export const ROUTES = ['/feeds/all.json', '/feeds/all.rss', '/feeds/all.atom', '/tags/putin.rss', '/tags/minsk.json', '/tags/hubungan-rusia-dengan-belarusia.atom', '/opml', '/api/items?limit=20'];

/** What run.ts prints (test/reliability/lib.ts CheckResult). */
export interface LoadResult {
  name: string;
  ok: boolean;
  figures: Record<string, string | number>;
  details?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Totals over load runs; failed requests of any kind are added to `problems`. */
export function tally(all: readonly autocannon.Result[], problems: string[]) {
  const total = (f: (r: autocannon.Result) => number) => all.reduce((n, r) => n + f(r), 0);
  const errors = total((r) => r.errors);
  const timeouts = total((r) => r.timeouts);
  const server5xx = total((r) => r['5xx']);
  const non2xx = total((r) => r.non2xx);
  if (errors || timeouts) problems.push(`${errors} connection errors, ${timeouts} timeouts`);
  if (server5xx || non2xx) problems.push(`${non2xx} non-2xx responses (${server5xx} 5xx)`);
  return { total, errors, timeouts, server5xx, non2xx };
}

/** `connections` clients requesting ROUTES in turn for `seconds`. */
export function cannon(base: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url: base, connections, duration: seconds, requests: ROUTES.map((path) => ({ method: 'GET', path })), timeout: 10 }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Runs the load for `durationSec` (in two halves) against a daemon refreshing `feeds` farm feeds. */
export async function runLoad(opts: { durationSec: number; connections: number; feeds: number; progress?: (line: string) => void }): Promise<LoadResult> {
  const progress = opts.progress ?? ((l: string) => console.error(l));
  const farm = await startFarm(opts.feeds, opts.durationSec < 20 ? 10 : 20);
  const dir = mkdtempSync(join(tmpdir(), 'warta-load-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = join(dir, 'w.yaml');
  writeFileSync(
    config,
    `server:\n  listen: "127.0.0.1:${port}"\n  base_url: "${base}"\nstorage:\n  path: "${join(dir, 'w.db')}"\nfetch:\n  schedule: "*/10 * * * * *"\n  min_interval: "1s"\n  concurrency: 32\n  per_host: 32\n` +
      `sources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}` +
      `tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Putin\n    match: Putin\n  - name: Minsk\n    match: Minsk\n` +
      `outputs:\n  - id: all\n    title: All\n    tags: [Putin, Minsk]\n    limit: 50\nlog:\n  level: warn\n`,
  );
  const child = spawn(process.execPath, [BIN, 'start', '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (d) => (logs = (logs + d).slice(-20_000)));
  child.stderr.on('data', (d) => (logs = (logs + d).slice(-20_000)));
  const pid = child.pid!;
  const problems: string[] = [];
  const publisher = setInterval(() => farm.advance(2), 5000);
  try {
    for (let k = 0; k < 200; k++) {
      const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (child.exitCode !== null) throw new Error(`the daemon exited: ${logs}`);
      await sleep(50);
    }
    const before = rss(pid);
    const half = Math.max(2, Math.round(opts.durationSec / 2));
    const quarter = Math.max(1, Math.round(half / 2));
    progress(`load: ${opts.connections} connections, ${half} s on ${ROUTES.length} routes while ${opts.feeds} feeds refresh (RSS ${before.toFixed(0)} MiB)`);
    const during = await cannon(base, opts.connections, half);
    const afterRefresh = rss(pid);
    // Let the store settle: no new items, every source polled at least once.
    clearInterval(publisher);
    const settledBy = Date.now() + 120_000;
    let polled = 0;
    while (Date.now() < settledBy) {
      const list = (await fetch(`${base}/api/sources`).then((r) => r.json(), () => [])) as { last_poll: string | null }[];
      polled = list.filter((s) => s.last_poll !== null).length;
      if (polled >= opts.feeds) break;
      await sleep(500);
    }
    await sleep(3000);
    const settled = rss(pid);
    progress(`load: ${polled}/${opts.feeds} feeds polled; RSS ${settled.toFixed(0)} MiB; now 2 × ${quarter} s on a store that no longer grows`);
    const q1 = await cannon(base, opts.connections, quarter);
    const mid = rss(pid);
    const q2 = await cannon(base, opts.connections, quarter);
    const after = rss(pid);
    await sleep(5000);
    const rested = rss(pid);
    const alive = child.exitCode === null;
    const all = [during, q1, q2];
    const { total, errors, timeouts, server5xx, non2xx } = tally(all, problems);
    if (!alive) problems.push(`the daemon died: ${logs.slice(-1000)}`);
    const crashed = logs.match(/"refresh crashed"/g)?.length ?? 0;
    if (crashed) problems.push(`${crashed} refreshes crashed under load`);
    return {
      name: 'load',
      ok: problems.length === 0,
      figures: {
        seconds: half + 2 * quarter,
        connections: opts.connections,
        feeds: opts.feeds,
        requests: total((r) => r.requests.total),
        'req/s during refresh': Math.round(during.requests.average),
        'p99 ms during refresh': during.latency.p99,
        'max ms during refresh': during.latency.max,
        'req/s steady': Math.round((q1.requests.average + q2.requests.average) / 2),
        'p99 ms steady': Math.max(q1.latency.p99, q2.latency.p99),
        errors: errors + timeouts,
        '5xx': server5xx,
        'non-2xx': non2xx,
        'RSS MiB start/after refresh/settled/q1/q2/rested': [before, afterRefresh, settled, mid, after, rested].map((x) => x.toFixed(0)).join('/'),
      },
      details: problems,
    };
  } finally {
    clearInterval(publisher);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [seconds = 30, connections = 128, feeds = 1000] = process.argv.slice(2).map(Number);
  const r = await runLoad({ durationSec: seconds, connections, feeds });
  console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  for (const d of r.details ?? []) console.log(`    ${d}`);
  process.exit(r.ok ? 0 : 1);
}
