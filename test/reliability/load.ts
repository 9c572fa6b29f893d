/**
 * Load: autocannon against the output routes of the real daemon (128 connections), judged on errors and on
 * what a leak would keep: the JS heap after a forced full GC (inspector.ts), round over round.
 *
 * 1. While the daemon refreshes 1,000 local feeds (bench/farm.ts: the cold start-up ingest, then cron polls every
 *    10 s with the farm publishing): connection errors, timeouts, non-2xx (target: none), requests/s, p99.
 * 2. Once the store stops growing (the farm stops publishing, every source has been polled since, then polls stop):
 *    rounds of the same load on the same data, the heap read after a GC following each. The first round warms
 *    what load warms (compiled code, the renderers' caches, per-route metrics); after it the same requests on the
 *    same data must leave the same heap, so growth from the first round to the last is what the requests kept.
 * RSS is reported but not judged: V8 and malloc keep pages a heavy round asked for and hand them back when they
 * choose. An RSS rule was flaky (362 → 379 → 378 MiB in one run, 381 → 406 → 411 in the next) while the heap
 * after GC stays flat (~35 MiB) round over round. bench/load.ts is the benchmark of the same load (RSS only) and
 * holds the routes and the load generator.
 */
import autocannon from 'autocannon';
import { join } from 'node:path';
import { startFarm } from '../../bench/farm.js';
import { cannon, ROUTES, tally } from '../../bench/load.js';
import { freePort } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { DaemonRun } from './daemon-run.js';
import { connectInspector, inspectorUrl, type HeapReading, type Inspector } from './inspector.js';
import { get, sleep, waitFor, writeConfig, type CheckOptions, type CheckResult } from './lib.js';

// With polls going on, single readings after identical rounds differed by up to 1.8 MiB (a poll in flight holds its
// response); with polls stopped, the lowest of three readings read 30.7 MiB after each of four rounds. A leak of
// 600 bytes a request (injected through the inspector) grew 6.4 MiB over the short run's last three rounds; this
// tolerance catches one of ~60 bytes a request at 2,000 requests/s.
const HEAP_TOLERANCE_MIB = 1;

const mib = (x: number) => x.toFixed(1);

/** The lowest of three readings a quarter second apart: what the daemon holds when no poll is in flight. */
async function heapAtRest(inspector: Inspector): Promise<HeapReading> {
  let best: HeapReading | null = null;
  for (let k = 0; k < 3; k++) {
    if (k > 0) await sleep(250);
    const h = await inspector.heapAfterGc();
    if (best === null || h.heapUsed < best.heapUsed) best = h;
  }
  return best!;
}

/** Fetches the daemon has made so far (warta_fetches_total over every label), or -1 if /metrics did not answer. */
async function fetchesTotal(base: string): Promise<number> {
  const res = await get(`${base}/metrics`, 5000);
  if (res.status !== 200) return -1;
  return res.body.split('\n').filter((l) => l.startsWith('warta_fetches_total{')).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** The load check: `feeds` farm feeds, 128 connections, then rounds of steady load with the heap read after each. */
export async function runLoadCheck(opts: CheckOptions): Promise<CheckResult> {
  const feeds = 1000;
  const connections = 128;
  const refreshSec = opts.short ? 5 : 15;
  const rounds = opts.short ? 4 : 6;
  const roundSec = opts.short ? 3 : 5;
  const farm = await startFarm(feeds, opts.short ? 10 : 20);
  const tmp = tempDir('warta-load-');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = join(tmp.dir, 'warta.yaml');
  const writeLoadConfig = (schedule: string) => writeConfig(config, {
    port,
    db: join(tmp.dir, 'warta.db'),
    fetch: { schedule, min_interval: '1s', concurrency: 32, per_host: 32 },
    sources: farm.urls.map((url, i) => ({ id: `f${i}`, url })),
    tags: [
      { name: 'Hubungan Rusia dengan Belarusia', match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)' },
      { name: 'Putin', match: 'Putin' },
      { name: 'Minsk', match: 'Minsk' },
    ],
    outputs: [{ id: 'all', title: 'All', tags: ['Putin', 'Minsk'], limit: 50 }],
    logLevel: 'warn',
  });
  writeLoadConfig('*/10 * * * * *');
  // Test-only: the inspector on a free loopback port, to force a GC and read the heap from outside.
  const run = new DaemonRun(base, config, [], { nodeArgs: ['--inspect=127.0.0.1:0'] });
  const problems: string[] = [];
  const publisher = setInterval(() => farm.advance(2), 5000);
  let inspector: Inspector | null = null;
  try {
    if (!(await run.untilServing(30_000))) throw new Error(`the daemon did not start: ${run.daemon.stderr.slice(-1000)}`);
    const url = inspectorUrl(run.daemon.stderr);
    if (!url) throw new Error(`no inspector URL on the daemon's stderr: ${run.daemon.stderr.slice(-500)}`);
    inspector = await connectInspector(url);
    opts.progress(`load: ${connections} connections, ${refreshSec} s on ${ROUTES.length} routes while ${feeds} feeds refresh`);
    const during = await cannon(base, connections, refreshSec);

    // Settle: no new items, and every source polled since (a poll that still found new items would write).
    const stoppedAt = new Date().toISOString();
    clearInterval(publisher);
    let polled = 0;
    const settled = await waitFor(async () => {
      const list = (await fetch(`${base}/api/sources`).then((r) => r.json(), () => [])) as { last_poll: string | null }[];
      polled = list.filter((s) => s.last_poll !== null && s.last_poll > stoppedAt).length;
      return polled >= feeds;
    }, 45_000, 500);
    if (!settled) problems.push(`only ${polled}/${feeds} sources were polled within 45 s after the farm stopped publishing`);
    // Quiet: polls stop for the rounds (a reload to a yearly schedule; those queued drain), so no reading after a
    // GC holds a poll's response in flight (up to 32 at once, ~2 MiB between readings): what is left is serving.
    writeLoadConfig('0 0 1 1 *');
    run.daemon.child.kill('SIGHUP');
    let fetches = -1;
    const quiet = await waitFor(async () => {
      const now = await fetchesTotal(base);
      const still = now >= 0 && now === fetches;
      fetches = now;
      return still;
    }, 30_000, 1000);
    if (!quiet) problems.push('the polls did not stop within 30 s of a reload to a yearly schedule');
    const start = await heapAtRest(inspector);
    opts.progress(`load: ${polled}/${feeds} feeds polled since the farm stopped, then polls stopped (${fetches} fetches in all); heap after GC ${mib(start.heapUsed)} MiB, RSS ${mib(start.rss)} MiB; now ${rounds} × ${roundSec} s of the same load`);

    const steady: autocannon.Result[] = [];
    const heap: HeapReading[] = [];
    for (let r = 0; r < rounds; r++) {
      steady.push(await cannon(base, connections, roundSec));
      // Let the last responses' sockets close before reading what the requests left behind.
      await sleep(500);
      heap.push(await heapAtRest(inspector));
      opts.progress(`load: round ${r + 1}/${rounds}: ${Math.round(steady.at(-1)!.requests.average)} req/s; after GC heap ${mib(heap.at(-1)!.heapUsed)} MiB, external ${mib(heap.at(-1)!.external)} MiB, RSS ${mib(heap.at(-1)!.rss)} MiB`);
    }

    const all = [during, ...steady];
    const { total, errors, timeouts, server5xx, non2xx } = tally(all, problems);
    if (!run.alive) problems.push(`the daemon died: ${run.daemon.stderr.slice(-1000)}`);
    const crashed = run.daemon.stdout.match(/"refresh crashed"/g)?.length ?? 0;
    if (crashed) problems.push(`${crashed} refreshes crashed under load`);

    // Flat: the heap after GC following the last round against that following the first (the warm-up).
    const first = heap[0]!;
    const last = heap.at(-1)!;
    const growth = last.heapUsed - first.heapUsed;
    const externalGrowth = last.external - first.external;
    const steadyRequests = steady.slice(1).reduce((n, r) => n + r.requests.total, 0);
    if (growth > HEAP_TOLERANCE_MIB) {
      problems.push(`the heap after GC grew ${mib(growth)} MiB over ${rounds - 1} rounds of the same load on the same data (${mib(first.heapUsed)} → ${heap.slice(1).map((h) => mib(h.heapUsed)).join(' → ')} MiB; about ${Math.round((growth * 1024 * 1024) / steadyRequests)} bytes a request): a leak`);
    }
    if (externalGrowth > HEAP_TOLERANCE_MIB) problems.push(`memory outside the JS heap (Buffers) after GC grew ${mib(externalGrowth)} MiB over ${rounds - 1} rounds: ${heap.map((h) => mib(h.external)).join(' → ')} MiB`);
    return {
      name: 'load',
      ok: problems.length === 0,
      figures: {
        seconds: refreshSec + rounds * roundSec,
        connections,
        feeds,
        requests: total((r) => r.requests.total),
        'req/s during refresh': Math.round(during.requests.average),
        'p99 ms during refresh': during.latency.p99,
        'max ms during refresh': during.latency.max,
        'req/s steady': Math.round(steady.reduce((n, r) => n + r.requests.average, 0) / steady.length),
        'p99 ms steady': Math.max(...steady.map((r) => r.latency.p99)),
        errors: errors + timeouts,
        '5xx': server5xx,
        'non-2xx': non2xx,
        'heap MiB after GC settled/per round': [start, ...heap].map((h) => mib(h.heapUsed)).join('/'),
        'heap growth MiB': mib(growth),
        'external MiB after GC per round': heap.map((h) => mib(h.external)).join('/'),
        'RSS MiB settled/per round': [start, ...heap].map((h) => h.rss.toFixed(0)).join('/'),
      },
      details: problems,
    };
  } finally {
    clearInterval(publisher);
    inspector?.close();
    await run.kill();
    await farm.close();
    tmp.cleanup();
  }
}
