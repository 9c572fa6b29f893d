/**
 * Memory of the daemon with many sources: `warta start` over a local farm of `feeds` × `items`, sampled from
 * /proc while its start-up poll runs, then settled (`settle` seconds after the last refresh).
 *   npx tsx bench/memory.ts [feeds=10000] [items=50] [settle=20] [--snapshot]
 * Prints RSS (anonymous vs file-backed, i.e. SQLite's mmap), the peak (VmHWM), V8's heap and external memory
 * from /metrics, the start-up poll's wall time and /healthz latency during it. --snapshot writes a heap
 * snapshot of the settled daemon (SIGUSR2) into the repository's directory for bench/heap-summary.ts;
 * --node-arg=FLAG passes a flag to the daemon's node (to try V8 settings).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFarm } from './farm.js';
import { BenchDaemon, freePort, procMemory, sleep, writeConfig } from './lib.js';

/** What one memory run measured. */
export interface MemoryResult {
  feeds: number;
  items: number;
  startupSecs: number;
  peakMb: number;
  settled: { rss: number; anon: number; file: number };
  heapUsedMb: number;
  /** V8's committed heap (used + free space it keeps). */
  heapTotalMb: number;
  externalMb: number;
  healthzP99Ms: number;
  feedP99Ms: number;
}

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/** Starts a daemon over a fresh farm and measures it; `snapshot` leaves a heap snapshot in cwd. */
export async function runMemory(feeds: number, items: number, settleSec: number, opts: { snapshot?: boolean; nodeArgs?: string[]; progress?: (l: string) => void } = {}): Promise<MemoryResult> {
  const progress = opts.progress ?? ((l: string) => console.error(l));
  const farm = await startFarm(feeds, items);
  const dir = mkdtempSync(join(tmpdir(), 'warta-mem-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const daemon = new BenchDaemon(writeConfig(dir, farm.urls, { port }), base, [...(opts.nodeArgs ?? []), ...(opts.snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : [])]);
  try {
    await daemon.ready();
    const t0 = Date.now();
    const healthz: number[] = [];
    const feed: number[] = [];
    let last = 0;
    // Probes while the start-up poll runs: one /healthz and one feed request at a time, sequentially.
    const probe = async () => {
      const a = performance.now();
      await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
      healthz.push(performance.now() - a);
      const b = performance.now();
      await fetch(`${base}/feeds/all.rss`).then((r) => r.arrayBuffer());
      feed.push(performance.now() - b);
      if (Date.now() - last > 10_000) {
        last = Date.now();
        const m = procMemory(daemon.pid);
        progress(`memory: ${daemon.refreshes}/${feeds} refreshed after ${((Date.now() - t0) / 1000).toFixed(0)} s, RSS ${m.rss.toFixed(0)} MiB (anon ${m.anon.toFixed(0)}, file ${m.file.toFixed(0)})`);
      }
    };
    await daemon.refreshed(feeds, probe, 100);
    const startupSecs = (Date.now() - t0) / 1000;
    await sleep(settleSec * 1000);
    const m = procMemory(daemon.pid);
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    if (opts.snapshot) {
      daemon.child.kill('SIGUSR2');
      await sleep(Math.max(5000, feeds)); // the snapshot is written synchronously; give it time
    }
    const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? NaN;
    return {
      feeds,
      items,
      startupSecs,
      peakMb: m.hwm,
      settled: { rss: m.rss, anon: m.anon, file: m.file },
      heapUsedMb: metric(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20,
      heapTotalMb: metric(metrics, 'nodejs_heap_size_total_bytes') / 2 ** 20,
      externalMb: metric(metrics, 'nodejs_external_memory_bytes') / 2 ** 20,
      healthzP99Ms: p99(healthz),
      feedP99Ms: p99(feed),
    };
  } finally {
    await daemon.stop();
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for a MemoryResult. */
export function describeMemory(r: MemoryResult): string {
  return `${r.feeds} feeds × ${r.items}: start-up poll ${r.startupSecs.toFixed(1)} s; settled RSS ${r.settled.rss.toFixed(0)} MiB (anon ${r.settled.anon.toFixed(0)}, file ${r.settled.file.toFixed(0)}), peak ${r.peakMb.toFixed(0)} MiB; heap used ${r.heapUsedMb.toFixed(0)} of ${r.heapTotalMb.toFixed(0)} MiB, external ${r.externalMb.toFixed(0)} MiB; during the poll p99 /healthz ${r.healthzP99Ms.toFixed(0)} ms, feed ${r.feedP99Ms.toFixed(0)} ms`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const [feeds = 10_000, items = 50, settle = 20] = args.map(Number);
  console.log(describeMemory(await runMemory(feeds, items, settle, { snapshot: process.argv.includes('--snapshot'), nodeArgs: process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice(11)) })));
}
