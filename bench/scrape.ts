/**
 * What one /metrics scrape allocates with `feeds` sources' series filled in (no farm, no daemon): makeMetrics,
 * per source the counters a refresh leaves (fetches by two outcomes, bytes, new and updated items, an error on
 * every tenth), then `rounds` renders.
 *   node --max-semi-space-size=256 --min-semi-space-size=256 --import tsx bench/scrape.ts [feeds=10000] [rounds=5] [--profile] [--repo=DIR]
 * Bytes allocated per render are V8's heap used after it minus before it, with a young generation large enough that
 * no GC runs during one (the script checks, and says so if one did). --profile prints a sampling heap profile of
 * one render (every allocation kept, collected or not), by function, the top rows. --repo=DIR: another checkout's
 * sources (e.g. /work/base-main), before/after side by side.
 */
import { Session } from 'node:inspector/promises';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as MetricsModule from '../src/base/metrics.js';
import type * as RefreshMetricsModule from '../src/daemon/refresh-metrics.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const feeds = Number(args[0] ?? 10000);
const rounds = Number(args[1] ?? 5);
const repo = process.argv.find((a) => a.startsWith('--repo='))?.slice(7) ?? fileURLToPath(new URL('..', import.meta.url));
const from = (file: string) => pathToFileURL(join(repo, file)).href;
const { makeMetrics } = (await import(from('src/base/metrics.ts'))) as typeof MetricsModule;
const { countRefresh } = (await import(from('src/daemon/refresh-metrics.ts'))) as typeof RefreshMetricsModule;
const m = makeMetrics();
for (let i = 0; i < feeds; i++) {
  const source = { id: `source-${i}`, url: `https://news${i % 20}.example.com/feed-${i}.xml` };
  countRefresh(m, source, { result: 'updated', durationMs: 120, parseMs: 4, bytes: 40_000 + i, inserted: 50, updated: 3 } as never);
  countRefresh(m, source, { result: 'not_modified', durationMs: 80 } as never);
  if (i % 10 === 0) countRefresh(m, source, { result: 'failed', durationMs: 20, error: { code: 'http_503' } } as never);
}

let gcs = 0;
new PerformanceObserver((l) => (gcs += l.getEntries().length)).observe({ entryTypes: ['gc'] });
await m.render(); // warm-up: code compiled, lazy structures built
const sizes: number[] = [];
for (let r = 0; r < rounds; r++) {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((res) => setTimeout(res, 50));
  const gcBefore = gcs;
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const { body } = await m.render();
  const ms = performance.now() - t0;
  const allocated = process.memoryUsage().heapUsed - before;
  await new Promise((res) => setTimeout(res, 10)); // the GC observer's entries arrive asynchronously
  sizes.push(body.length);
  console.log(`render ${r + 1}: ${(allocated / 2 ** 20).toFixed(2)} MiB allocated${gcs > gcBefore ? ' (a GC ran: an underestimate)' : ''}, ${ms.toFixed(0)} ms, body ${(body.length / 2 ** 20).toFixed(2)} MiB`);
}

if (process.argv.includes('--profile')) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await m.render();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] };
  const byFn = new Map<string, number>();
  let total = 0;
  const walk = (n: Node) => {
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '')}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(profile.head as Node);
  console.log(`sampled ${(total / 2 ** 20).toFixed(1)} MiB in one render; by allocating function:`);
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${(v / 2 ** 20).toFixed(2).padStart(7)} MiB  ${k}`);
}
