/**
 * The daemon's start-up poll against `warta fetch` of the same sources, side by side in one run, in wall time and
 * in CPU seconds (user + system of the warta process: on a machine other work loads, CPU seconds move far less
 * than wall time). Optionally the same for another build (`--base=DIR`, a checkout with its own dist/), so a
 * change is measured before and after in one run, alternating.
 *   npx tsx bench/startup.ts [feeds=1000] [items=50] [rounds=1] [--base=DIR] [--no-fetch]
 * Each round: for each build, the daemon over a fresh database (CPU counted from /healthz answering to the last
 * start-up refresh logged), then `warta fetch` over another fresh database. Prints one line per run and the
 * medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFarm } from './farm.js';
import { BenchDaemon, BIN, freePort, median, procCpuSecs, procMemory, runFetch, writeConfig } from './lib.js';

/** One daemon start-up poll: wall and CPU seconds, peak RSS (MiB). */
export async function daemonStartup(urls: readonly string[], bin: string = BIN): Promise<{ secs: number; cpuSecs: number; peakMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'warta-startup-'));
  const port = await freePort();
  const daemon = new BenchDaemon(writeConfig(dir, urls, { port }), `http://127.0.0.1:${port}`, [], bin);
  try {
    await daemon.ready();
    const cpu0 = procCpuSecs(daemon.pid);
    const t0 = Date.now();
    await daemon.refreshed(urls.length, undefined, 100);
    return { secs: (Date.now() - t0) / 1000, cpuSecs: procCpuSecs(daemon.pid) - cpu0, peakMb: procMemory(daemon.pid).hwm };
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One cold `warta fetch` of `urls` over a fresh database. */
export async function fetchOnce(urls: readonly string[], bin: string = BIN): Promise<{ secs: number; cpuSecs: number; peakMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'warta-startup-'));
  try {
    const r = await runFetch(writeConfig(dir, urls, { logLevel: 'warn' }), bin);
    return { secs: r.secs, cpuSecs: r.cpuSecs, peakMb: r.peakMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const [feeds = 1000, items = 50, rounds = 1] = args.map(Number);
  const base = process.argv.find((a) => a.startsWith('--base='))?.slice(7);
  const withFetch = !process.argv.includes('--no-fetch');
  const builds: [string, string][] = [['this', BIN], ...(base ? [['base', join(resolve(base), 'bin', 'warta.js')] as [string, string]] : [])];
  const farm = await startFarm(feeds, items);
  const runs = new Map<string, { secs: number; cpuSecs: number; peakMb: number }[]>();
  const line = (what: string, r: { secs: number; cpuSecs: number; peakMb: number }) =>
    `${what}: ${r.secs.toFixed(1)} s wall, ${r.cpuSecs.toFixed(1)} s CPU, peak ${r.peakMb.toFixed(0)} MiB`;
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const [name, bin] of round % 2 ? builds : [...builds].reverse()) {
        const d = await daemonStartup(farm.urls, bin);
        console.error(`round ${round} ${line(`${name} daemon`, d)}`);
        runs.set(`${name} daemon`, [...(runs.get(`${name} daemon`) ?? []), d]);
        if (!withFetch) continue;
        const f = await fetchOnce(farm.urls, bin);
        console.error(`round ${round} ${line(`${name} fetch`, f)}`);
        runs.set(`${name} fetch`, [...(runs.get(`${name} fetch`) ?? []), f]);
      }
    }
  } finally {
    await farm.close();
  }
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`${feeds} feeds × ${items}, ${rounds} round(s), medians (load average now ${load}):`);
  for (const [what, rs] of runs) {
    console.log(`  ${line(what, { secs: median(rs.map((r) => r.secs)), cpuSecs: median(rs.map((r) => r.cpuSecs)), peakMb: median(rs.map((r) => r.peakMb)) })}`);
  }
  for (const [name] of builds) {
    const d = runs.get(`${name} daemon`);
    const f = runs.get(`${name} fetch`);
    if (d && f) console.log(`  ${name}: daemon/fetch ${(median(d.map((r) => r.secs)) / median(f.map((r) => r.secs))).toFixed(2)}× wall, ${(median(d.map((r) => r.cpuSecs)) / median(f.map((r) => r.cpuSecs))).toFixed(2)}× CPU`);
  }
}
