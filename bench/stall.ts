/**
 * Where the daemon's event loop stalls during its start-up poll: a probe, not a benchmark with a verdict.
 *
 *   npx tsx bench/stall.ts [FEEDS=1000] [ITEMS=20] [--load=CONNECTIONS] [--seconds=N] [--cpu-prof] [--repo=DIR] [--path=PATH]
 *
 * Starts a farm of FEEDS feeds × ITEMS items on 127.0.0.1 and the built daemon over it (cron every 10 s, as the
 * reliability load check does), then asks /healthz one request after another every 20 ms for N seconds (default
 * 40) while the start-up poll runs. With --load, autocannon adds CONNECTIONS connections on the output routes, as
 * the load check does. Prints the latency percentiles and the slowest probes with their time since start. With
 * --cpu-prof the daemon runs under V8's sampling profiler and, for each of the five slowest probes, the script
 * prints what ran in that window: the functions with the most self time and the deepest project frames below them.
 * --path=PATH probes another route than /healthz (e.g. --path=/feeds/all.rss: the config's output, re-rendered
 * during the poll as new items arrive). --keep-prof=DIR copies the daemon's profiles there (for bench/profile-window.ts).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFarm } from './farm.js';
import { cannon } from './load.js';
import { BenchDaemon, freePort, sleep, writeConfig } from './lib.js';

interface Probe {
  /** Milliseconds since the daemon was spawned when the request went out. */
  at: number;
  ms: number;
  failed: boolean;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}`));
const feeds = Number(positional[0] ?? 1000);
const items = Number(positional[1] ?? 20);
const loadConnections = Number(flag('load')?.split('=')[1] ?? 0);
const seconds = Number(flag('seconds')?.split('=')[1] ?? 40);
const profile = flag('cpu-prof') !== undefined;
// --repo=DIR: the daemon of another checkout (built), to compare before and after in one sitting.
const repo = flag('repo')?.split('=')[1];
const path = flag('path')?.split('=')[1] ?? '/healthz';

/** `path` (/healthz) asked one request after another (20 ms apart) for `seconds`, from a child process. */
function probeChild(base: string, seconds: number, offsetMs: number): Promise<Probe[]> {
  const script = `
    // fetch is loaded on first use (100 ms or more on a busy machine): not the daemon's time.
    await fetch('data:,warm').then((r) => r.text());
    const until = performance.now() + ${seconds * 1000};
    const out = [];
    while (performance.now() < until) {
      const a = performance.now();
      const failed = await fetch('${base}${path}').then((r) => r.arrayBuffer().then(() => !r.ok), () => true);
      out.push({ at: a + ${offsetMs}, ms: performance.now() - a, failed });
      await new Promise((r) => setTimeout(r, 20));
    }
    process.stdout.write(JSON.stringify(out));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(text) as Probe[]) : reject(new Error(`the probe exited ${code}`))));
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

/** For one window of the profile: self time by function, and the project frames on the stacks that took it. */
function windowSummary(prof: CpuProfile, fromUs: number, toUs: number): string {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url.replace(/^.*\/(src|node_modules)\//, '$1/');
    return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const project = new Map<string, number>();
  let t = prof.startTime;
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i]!;
    if (t < fromUs || t > toUs) continue;
    const id = prof.samples[i]!;
    const ms = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    total += ms;
    self.set(name(id), (self.get(name(id)) ?? 0) + ms);
    // The innermost frame of the project's own code on this stack: what asked for the work.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url.includes('/src/') || byId.get(at)!.callFrame.url.includes('/dist/')) {
        project.set(name(at), (project.get(name(at)) ?? 0) + ms);
        break;
      }
    }
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `      ${v.toFixed(0).padStart(6)} ms  ${k}`).join('\n');
  return `    ${total.toFixed(0)} ms sampled; self time:\n${top(self)}\n    innermost project frame:\n${top(project)}`;
}

const farm = await startFarm(feeds, items);
const dir = mkdtempSync(join(tmpdir(), 'warta-stall-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const config = writeConfig(dir, farm.urls, { port, logLevel: 'info', extra: '' });
// Cron every 10 s as the load check's daemon, and the farm publishing as it does there.
writeFileSync(config, readFileSync(config, 'utf8').replace('fetch:\n', 'fetch:\n  schedule: "*/10 * * * * *"\n  min_interval: 1s\n'));
const publisher = setInterval(() => farm.advance(2), 5000);
const spawnedAt = performance.now();
const daemon = new BenchDaemon(config, base, profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [], repo ? join(repo, 'bin/warta.js') : undefined);
const probes: Probe[] = [];
try {
  await daemon.ready();
  // The probe runs in a process of its own: in this one the farm and autocannon share an event loop, and a
  // probe timed here would count their delays as the daemon's.
  const loading = loadConnections > 0 ? cannon(base, loadConnections, seconds) : null;
  const probing = probeChild(base, seconds, performance.now() - spawnedAt);
  const [load] = await Promise.all([loading, probing.then((p) => probes.push(...p))]);
  const ms = probes.map((p) => p.ms);
  console.log(`${feeds} feeds × ${items} items, ${probes.length} probes of ${path} over ${seconds} s${loadConnections ? ` with ${loadConnections} connections of load (${Math.round(load!.requests.average)} req/s, p99 ${load!.latency.p99} ms, max ${load!.latency.max} ms, ${load!.errors} errors, ${load!.timeouts} timeouts)` : ''}; ${daemon.refreshes} start-up refreshes logged`);
  console.log(`${path}: p50 ${pct(ms, 0.5).toFixed(1)} ms, p99 ${pct(ms, 0.99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms, ${probes.filter((p) => p.failed).length} failed`);
  const slowest = [...probes].sort((a, b) => b.ms - a.ms).slice(0, 10);
  console.log(`slowest: ${slowest.map((p) => `${p.ms.toFixed(0)} ms at ${(p.at / 1000).toFixed(1)} s`).join(', ')}`);
  clearInterval(publisher);
  await daemon.stop();
  if (profile) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the daemon wrote no .cpuprofile');
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const keep = flag('keep-prof')?.split('=')[1];
    if (keep) for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) cpSync(join(dir, f), join(keep, f));
    // The profile's clock starts with the process, a few ms after the spawn: windows are aligned to that.
    for (const p of slowest.slice(0, 5)) {
      console.log(`  probe of ${p.ms.toFixed(0)} ms at ${(p.at / 1000).toFixed(1)} s:`);
      console.log(windowSummary(prof, prof.startTime + p.at * 1000, prof.startTime + (p.at + p.ms) * 1000));
    }
  }
} finally {
  clearInterval(publisher);
  await daemon.stop();
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}
