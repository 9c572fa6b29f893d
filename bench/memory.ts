/**
 * Memory of the daemon with many sources: `warta start` over a local farm of `feeds` × `items`, sampled from
 * /proc while its start-up poll runs, then settled (`settle` seconds after the last refresh).
 *   npx tsx bench/memory.ts [feeds=10000] [items=50] [settle=20] [--snapshot] [--stored=ROUNDS] [--bin=DIR] [--no-feed-probe] [--hold=SECS]
 * Prints RSS (anonymous vs file-backed, i.e. SQLite's mmap), the peak (VmHWM), V8's heap and external memory
 * from /metrics, the start-up poll's wall time and /healthz latency during it (and a feed's, unless
 * --no-feed-probe), and the read/write system calls per refresh (/proc/PID/io). --snapshot writes a heap
 * snapshot of the settled daemon (SIGUSR2) into the repository's directory for bench/heap-summary.ts;
 * --node-arg=FLAG passes a flag to the daemon's node (to try V8 settings). --stored=ROUNDS fills the database
 * first with ROUNDS × feeds × items older items (`warta fetch` rounds, each feed publishing `items` new ones
 * every round), so the daemon starts over a store that many times larger: the same run with --stored=0 and
 * --stored=2 shows whether the daemon's memory grows with what is stored rather than with what it polls.
 * The daemon runs with MALLOC_ARENA_MAX=2, as `npm start` runs it. Settled RSS is read before the /metrics scrape
 * that gives V8's figures (the scrape allocates, and can grow V8's young generation) and again after it; a line
 * on stderr gives the settled resident MiB per mapping (the node binary, malloc's [heap], anonymous: V8's heap,
 * thread stacks, the other malloc arena). --hold=SECS keeps the settled daemon that long before stopping it (its pid
 * is printed), to look at it from outside: bench/malloc-heap.ts PID, gdb.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFarm } from './farm.js';
import { BenchDaemon, freePort, procMemory, sleep, timedFetch, writeConfig } from './lib.js';

/** Resident MiB of malloc's main arena ([heap] in /proc/PID/smaps). */
function mallocHeapMb(pid: number): number {
  const m = /\[heap\]\n(?:.*\n)*?Rss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/**
 * Resident MiB per mapping name in /proc/PID/smaps (a file's path, [heap], [stack]; unnamed anonymous mappings
 * together as "anonymous"), the biggest first: which file-backed pages are the node binary, which shared libraries.
 */
function smapsByName(pid: number, top = 8): string {
  const by = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || 'anonymous';
    else if (line.startsWith('Rss:')) by.set(name, (by.get(name) ?? 0) + Number(/(\d+)/.exec(line)![1]) / 1024);
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([n, mb]) => `${n.split('/').slice(-2).join('/')} ${mb.toFixed(1)}`).join(', ');
}

/** The process's read and write system calls and bytes so far (/proc/PID/io: files and sockets alike). */
function procIo(pid: number): { syscr: number; syscw: number; rchar: number; wchar: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const n = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return { syscr: n('syscr'), syscw: n('syscw'), rchar: n('rchar'), wchar: n('wchar') };
}

/** What one memory run measured. */
export interface MemoryResult {
  feeds: number;
  items: number;
  /** Items in the store before the daemon started (--stored rounds of `warta fetch`). */
  storedBefore: number;
  startupSecs: number;
  peakMb: number;
  /** Settled RSS; of the anonymous part, malloc's main heap ([heap] in smaps: SQLite's cache, Buffers, native). */
  settled: { rss: number; anon: number; file: number; mallocHeap: number };
  /** RSS a second after the /metrics scrape that read V8's figures (the heap figures are as that scrape left it). */
  rssAfterScrape: number;
  heapUsedMb: number;
  /** V8's committed heap (used + free space it keeps), and of it the young generation's semi-spaces. */
  heapTotalMb: number;
  newSpaceMb: number;
  externalMb: number;
  healthzP99Ms: number;
  feedP99Ms: number;
  /** Probes that failed (connection reset) during the poll. */
  probeErrors: number;
  /** Read and write system calls per refresh over the whole poll (SQLite's pread64/pwrite64 are most of them). */
  readsPerRefresh: number;
  writesPerRefresh: number;
}

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/** Starts a daemon over a fresh farm and measures it; `snapshot` leaves a heap snapshot in cwd. */
export async function runMemory(feeds: number, items: number, settleSec: number, opts: { snapshot?: boolean; nodeArgs?: string[]; storedRounds?: number; progress?: (l: string) => void; bin?: string; feedProbe?: boolean; holdSec?: number } = {}): Promise<MemoryResult> {
  const progress = opts.progress ?? ((l: string) => console.error(l));
  const farm = await startFarm(feeds, items);
  const dir = mkdtempSync(join(tmpdir(), 'warta-mem-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // No cron tick during the run: a start-up poll slower than the default 15 minutes (10,000 sources on a loaded
  // machine) overlapped ticks, and "settled" was measured amid a cron burst. Settled means after the start-up poll.
  const config = writeConfig(dir, farm.urls, { port, schedule: '0 0 1 1 *' });
  let storedBefore = 0;
  for (let round = 1; round <= (opts.storedRounds ?? 0); round++) {
    if (round > 1) farm.advance(items);
    const f = await timedFetch(config);
    storedBefore += f.inserted;
    progress(`memory: stored round ${round}: ${f.inserted} items in ${f.secs.toFixed(0)} s`);
  }
  // The daemon's poll then finds `items` new items in every feed, as in a run over an empty store.
  if (storedBefore > 0) farm.advance(items);
  const daemon = new BenchDaemon(config, base, [...(opts.nodeArgs ?? []), ...(opts.snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : [])], opts.bin);
  try {
    await daemon.ready();
    const t0 = Date.now();
    const healthz: number[] = [];
    const feed: number[] = [];
    let last = 0;
    // Probes while the start-up poll runs: one /healthz and one feed request at a time, sequentially.
    let probeErrors = 0;
    // A probe that fails (a kept-alive socket the server closed as the request went out: ECONNRESET) is counted,
    // not fatal: a 20-minute run should not end on one reset.
    const timed = async (url: string, into: number[]) => {
      const a = performance.now();
      try {
        await fetch(url).then((r) => r.arrayBuffer());
        into.push(performance.now() - a);
      } catch {
        probeErrors++;
      }
    };
    const io0 = procIo(daemon.pid);
    let ioLast = { ...io0, refreshes: 0 };
    const probe = async () => {
      await timed(`${base}/healthz`, healthz);
      if (opts.feedProbe !== false) await timed(`${base}/feeds/all.rss`, feed);
      if (Date.now() - last > 10_000) {
        last = Date.now();
        // Reads and writes (system calls, KiB) per refresh since the last line.
        const io = { ...procIo(daemon.pid), refreshes: daemon.refreshes };
        const dn = Math.max(1, io.refreshes - ioLast.refreshes);
        const per = `${((io.syscr - ioLast.syscr) / dn).toFixed(0)} reads (${((io.rchar - ioLast.rchar) / dn / 1024).toFixed(0)} KiB), ${((io.syscw - ioLast.syscw) / dn).toFixed(0)} writes (${((io.wchar - ioLast.wchar) / dn / 1024).toFixed(0)} KiB) per refresh`;
        ioLast = io;
        const m = procMemory(daemon.pid);
        // Where the anonymous part is: V8's committed heap (of it the young generation), and what V8 counts as external.
        const text = await fetch(`${base}/metrics`).then((r) => r.text(), () => '');
        const mb = (name: string) => (metric(text, name) / 2 ** 20).toFixed(0);
        progress(`memory: ${daemon.refreshes}/${feeds} refreshed after ${((Date.now() - t0) / 1000).toFixed(0)} s, RSS ${m.rss.toFixed(0)} MiB (anon ${m.anon.toFixed(0)}, file ${m.file.toFixed(0)}; malloc heap ${mallocHeapMb(daemon.pid).toFixed(0)}), V8 heap ${mb('nodejs_heap_size_used_bytes')} used of ${mb('nodejs_heap_size_total_bytes')} (new space ${mb('nodejs_heap_space_size_total_bytes\\{space="new"\\}')}), external ${mb('nodejs_external_memory_bytes')}; ${per}; load ${loadavg()[0]!.toFixed(1)}`);
      }
    };
    // A loaded machine polled 10,000 sources at 2-6 a second: allow an hour, and more for bigger farms.
    await daemon.refreshed(feeds, probe, 100, Math.max(3_600_000, feeds * 360));
    const startupSecs = (Date.now() - t0) / 1000;
    const io1 = procIo(daemon.pid);
    // Settled: `settle` seconds after the daemon's heap reducer finished (it gives the heap back in steps over
    // ~10-20 s after a burst), or after 120 s if it never says so.
    const until = Date.now() + 120_000;
    while (daemon.heapGivenBack === 0 && Date.now() < until) await sleep(500);
    if (daemon.heapGivenBack === 0) progress('memory: no "heap given back" from the daemon within 120 s of the poll');
    await sleep(settleSec * 1000);
    const m = procMemory(daemon.pid);
    progress(`memory: settled, resident MiB by mapping: ${smapsByName(daemon.pid)}`);
    // V8's figures come from a /metrics scrape, which allocates (at 10,000 sources ~38 MB of label text) and may
    // grow V8's young generation: RSS is read before it, and again after it, as a daemon Prometheus scrapes is.
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    await sleep(1000);
    const scraped = procMemory(daemon.pid).rss;
    if (opts.snapshot) {
      // The snapshot is written synchronously on the daemon's main thread: it answers /healthz again only when
      // the file is complete (a fixed wait cut a 10,000-source snapshot off at 0 bytes on a loaded machine).
      daemon.child.kill('SIGUSR2');
      await sleep(1000);
      while (!(await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(600_000) }).then((r) => r.ok, () => false))) await sleep(1000);
    }
    if (opts.holdSec) {
      progress(`memory: holding the settled daemon (pid ${daemon.pid}) for ${opts.holdSec} s`);
      await sleep(opts.holdSec * 1000);
    }
    const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? NaN;
    return {
      feeds,
      items,
      storedBefore,
      startupSecs,
      peakMb: m.hwm,
      settled: { rss: m.rss, anon: m.anon, file: m.file, mallocHeap: mallocHeapMb(daemon.pid) },
      rssAfterScrape: scraped,
      heapUsedMb: metric(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20,
      heapTotalMb: metric(metrics, 'nodejs_heap_size_total_bytes') / 2 ** 20,
      newSpaceMb: metric(metrics, 'nodejs_heap_space_size_total_bytes\\{space="new"\\}') / 2 ** 20,
      externalMb: metric(metrics, 'nodejs_external_memory_bytes') / 2 ** 20,
      healthzP99Ms: p99(healthz),
      feedP99Ms: p99(feed),
      probeErrors,
      readsPerRefresh: (io1.syscr - io0.syscr) / feeds,
      writesPerRefresh: (io1.syscw - io0.syscw) / feeds,
    };
  } finally {
    await daemon.stop();
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for a MemoryResult. */
export function describeMemory(r: MemoryResult): string {
  return `${r.feeds} feeds × ${r.items}${r.storedBefore ? ` over ${r.storedBefore} stored items` : ''}: start-up poll ${r.startupSecs.toFixed(1)} s; settled RSS ${r.settled.rss.toFixed(0)} MiB (anon ${r.settled.anon.toFixed(0)}, file ${r.settled.file.toFixed(0)}; malloc heap ${r.settled.mallocHeap.toFixed(0)}), ${r.rssAfterScrape.toFixed(0)} MiB after a /metrics scrape; peak ${r.peakMb.toFixed(0)} MiB; at that scrape V8 heap used ${r.heapUsedMb.toFixed(0)} of ${r.heapTotalMb.toFixed(0)} MiB (new space ${r.newSpaceMb.toFixed(0)}), external ${r.externalMb.toFixed(0)} MiB; during the poll p99 /healthz ${r.healthzP99Ms.toFixed(0)} ms, feed ${r.feedP99Ms.toFixed(0)} ms${r.probeErrors ? ` (${r.probeErrors} probes failed)` : ''}; ${r.readsPerRefresh.toFixed(0)} reads and ${r.writesPerRefresh.toFixed(0)} writes (system calls) per refresh; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const [feeds = 10_000, items = 50, settle = 20] = args.map(Number);
  const stored = Number(process.argv.find((a) => a.startsWith('--stored='))?.slice(9) ?? 0);
  // --bin=DIR: the daemon of another checkout's build (DIR/bin/warta.js), e.g. the base of a change.
  const binDir = process.argv.find((a) => a.startsWith('--bin='))?.slice(6);
  const bin = binDir ? join(binDir, 'bin', 'warta.js') : undefined;
  console.log(describeMemory(await runMemory(feeds, items, settle, { snapshot: process.argv.includes('--snapshot'), storedRounds: stored, bin, feedProbe: !process.argv.includes('--no-feed-probe'), nodeArgs: process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice(11)), holdSec: Number(process.argv.find((a) => a.startsWith('--hold='))?.slice(7) ?? 0) })));
}
