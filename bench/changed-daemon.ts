/**
 * The changed poll in the daemon (issue 15: "a changed feed costs in proportion to what changed"): `warta start`
 * over a farm of `feeds` × `items`; after its start-up poll, every feed publishes 5 new items and one cron tick polls
 * them all, the daemon settled first as minutes between ticks leave it (heap reducer done, parser threads
 * stopped after their idle time) (the tick is set by rewriting the config's schedule to a second a little ahead, which the daemon
 * reloads; cron jitter 0 through WARTA_BENCH_CRON_JITTER_MS, min_interval 1s so no hold skips a source). Reported:
 * new items/s over the wall from the farm's first request after the advance to the last refresh logged for the
 * tick (the log line follows the commit), and the daemon's CPU over that window (/proc). Then, in the same run,
 * the one-shot `warta fetch` of the same farm advanced by 5 again, on the same database (pays process start-up).
 *   npx tsx bench/changed-daemon.ts [feeds=300,1000] [items=50] [runs=3] [--bin=DIR] [--cpu-prof=DIR] [--polls=N]
 * --bin=DIR: another checkout's build (DIR/bin/warta.js), e.g. the base of a change, alternated with this one's
 * when given as --bin=DIR --compare. --cpu-prof=DIR: the daemon runs with --cpu-prof into DIR (every thread);
 * the window of the changed poll is printed in CLOCK_MONOTONIC µs (the profiles' clock) to cut the samples by
 * (bench/profile-window.ts). --perf=FILE: `perf record -g` of the daemon over the last changed poll into FILE.NAME-FEEDS-RUN
 * (with --node-arg=--perf-basic-prof for JS names). --polls=N: N changed polls per daemon (the first is reported apart: it finds
 * code not yet optimised for new items).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFarm } from './farm.js';
import { INGEST_IDLE_MS } from '../src/pipeline/feed/ingest-pool.js';
import { BenchDaemon, freePort, median, procCpuSecs, runFetch, sleep, writeConfig } from './lib.js';

export interface ChangedPoll {
  /** New items stored by the tick's refreshes (their log lines' `inserted`). */
  inserted: number;
  secs: number;
  cpuSecs: number;
  /** Of that, the main thread's (HTTP, the store, the plan, the commits): what bounds a poll when the cores are free. */
  mainCpuSecs: number;
  /** CLOCK_MONOTONIC µs (process.hrtime) of the farm's first request and of the last refresh line: the profiles' clock. */
  windowUs: [number, number];
}

export interface ChangedDaemonResult {
  feeds: number;
  polls: ChangedPoll[];
  fetch: { secs: number; inserted: number; cpuSecs: number };
}

/** CPU seconds of one thread (the main thread: tid = pid), from /proc/PID/task/TID/stat. */
const threadCpuSecs = (pid: number, tid = pid) => {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** CPU seconds of each thread of `pid` by tid, with its name (/proc/PID/task/TID/comm). */
const threadsCpu = (pid: number) => new Map(readdirSync(`/proc/${pid}/task`).map((tid) => {
  try {
    return [tid, { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), secs: threadCpuSecs(pid, Number(tid)) }] as const;
  } catch {
    return [tid, { name: '?', secs: 0 }] as const; // ended meanwhile
  }
}));

const monoUs = () => Number(process.hrtime.bigint() / 1000n);

/** A 6-field cron expression (seconds first) for the UTC second `at` (node-cron). */
const cronAt = (at: Date) => `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;

export async function runChangedDaemon(feeds: number, items: number, opts: { bin?: string; nodeArgs?: string[]; polls?: number; progress?: (l: string) => void; perf?: string } = {}): Promise<ChangedDaemonResult> {
  const farm = await startFarm(feeds, items);
  const dir = mkdtempSync(join(tmpdir(), 'warta-changed-'));
  const port = await freePort();
  const withSchedule = (schedule: string) => {
    const path = writeConfig(dir, farm.urls, { port, schedule });
    writeFileSync(path, readFileSync(path, 'utf8').replace('fetch:\n', 'fetch:\n  min_interval: 1s\n  timezone: UTC\n'));
    return path;
  };
  const config = withSchedule('0 0 1 1 *');
  process.env.WARTA_BENCH_CRON_JITTER_MS = '0';
  const daemon = new BenchDaemon(config, `http://127.0.0.1:${port}`, opts.nodeArgs ?? [], opts.bin);
  let reloaded = 0;
  let tickLines: { time: number; mono: number; inserted: number; result: string }[] = [];
  daemon.onLine = (l) => {
    if (l.includes('"msg":"config reloaded"')) reloaded++;
    else if (l.includes('"why":"cron"') && l.includes('"msg":"refresh ')) {
      const j = JSON.parse(l) as { time: string; inserted: number; result: string };
      tickLines.push({ time: Date.parse(j.time), mono: monoUs(), inserted: j.inserted, result: j.result });
    }
  };
  try {
    await daemon.ready();
    await daemon.refreshed(feeds);
    // A tick finds the daemon settled, as its cron ticks minutes apart do: the burst's heap reducer done (its
    // last step logs "heap given back": daemon/heap.ts, young generation shrunk) and the parser threads stopped
    // (idle INGEST_IDLE_MS): each changed poll starts them again.
    const settled = async () => {
      const given = daemon.heapGivenBack;
      const until = Date.now() + 60_000;
      while (daemon.heapGivenBack === given && Date.now() < until) await sleep(100);
      // Never longer than a default-idle thread needs to stop: a build (or WARTA_BENCH_INGEST_IDLE_MS) that keeps its
      // thread longer than that is measured warm, as a tick minutes later finds it.
      await sleep(Math.max(0, Math.min(INGEST_IDLE_MS, 10_000) + 1000 - (Date.now() - lastRefresh)));
    };
    let lastRefresh = Date.now();
    await settled();
    const polls: ChangedPoll[] = [];
    for (let p = 0; p < (opts.polls ?? 1); p++) {
      farm.advance(5);
      farm.build(); // the farm's own work stays out of the timed poll
      const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000);
      const before = reloaded;
      withSchedule(cronAt(at));
      while (reloaded === before) await sleep(20);
      tickLines = [];
      while (Date.now() < at.getTime() - 200) await sleep(20);
      // --perf=FILE: `perf record` of the daemon's threads over the last changed poll only.
      const perf = opts.perf && p === (opts.polls ?? 1) - 1 ? spawn('perf', ['record', '-F', '499', '-g', '-p', String(daemon.pid), '-o', opts.perf], { stdio: 'ignore' }) : null;
      const cpu0 = procCpuSecs(daemon.pid);
      const main0 = threadCpuSecs(daemon.pid);
      const threads0 = threadsCpu(daemon.pid);
      while (tickLines.length < feeds) {
        if (Date.now() > at.getTime() + 600_000) throw new Error(`only ${tickLines.length}/${feeds} refreshes of the tick`);
        await sleep(5);
      }
      const cpuSecs = procCpuSecs(daemon.pid) - cpu0;
      const mainCpuSecs = threadCpuSecs(daemon.pid) - main0;
      // By thread name: the main thread ('node'... as its tid = pid), the parser threads, V8's (GC, compilers).
      const byName = new Map<string, number>();
      for (const [tid, t] of threadsCpu(daemon.pid)) {
        const name = Number(tid) === daemon.pid ? 'main' : t.name;
        byName.set(name, (byName.get(name) ?? 0) + t.secs - (threads0.get(tid)?.secs ?? 0));
      }
      const threadLine = [...byName].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ');
      if (perf) {
        perf.kill('SIGINT');
        await new Promise((r) => perf.once('exit', r));
      }
      const first = farm.firstRequestAt();
      if (first === null) throw new Error('the tick made no request');
      const last = Math.max(...tickLines.map((t) => t.time));
      const inserted = tickLines.reduce((n, t) => n + (t.inserted ?? 0), 0);
      const lastMono = Math.max(...tickLines.map((t) => t.mono));
      const poll = { inserted, secs: (last - first) / 1000, cpuSecs, mainCpuSecs, windowUs: [lastMono - (Date.now() - first) * 1000, lastMono] as [number, number] };
      polls.push(poll);
      opts.progress?.(`  ${feeds} × ${items} poll ${p + 1}: ${inserted} new in ${poll.secs.toFixed(2)} s (${(inserted / poll.secs).toFixed(0)} new items/s), daemon CPU ${cpuSecs.toFixed(2)} s (main thread ${mainCpuSecs.toFixed(2)} s), results ${[...new Set(tickLines.map((t) => t.result))].join('/')}; CPU s by thread: ${threadLine}`);
      lastRefresh = Date.now();
      if (p + 1 < (opts.polls ?? 1)) await settled();
    }
    await daemon.stop();
    farm.advance(5);
    farm.build();
    const f = await runFetch(config, opts.bin);
    return { feeds, polls, fetch: { secs: f.secs, inserted: f.inserted, cpuSecs: f.cpuSecs } };
  } finally {
    await daemon.stop();
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const positional = argv.filter((a) => !a.startsWith('--'));
  const sizes = (positional[0] ?? '300,1000').split(',').map(Number);
  const items = Number(positional[1] ?? 50);
  const runs = Number(positional[2] ?? 3);
  const binDir = opt('bin');
  const compare = argv.includes('--compare');
  const profDir = opt('cpu-prof');
  const polls = Number(opt('polls') ?? 1);
  const perfFile = opt('perf');
  const builds: { name: string; bin?: string }[] = compare && binDir ? [{ name: 'base', bin: join(binDir, 'bin', 'warta.js') }, { name: 'this' }] : [{ name: binDir ?? 'this', bin: binDir ? join(binDir, 'bin', 'warta.js') : undefined }];
  const out = new Map<string, { rate: number[]; cpuPerItemUs: number[]; mainPerItemUs: number[]; fetchRate: number[] }>();
  for (let run = 0; run < runs; run++) {
    for (const feeds of sizes) {
      for (const b of builds) {
        const nodeArgs = [...argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice(11)), ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, `${b.name}-${feeds}-${run}`)}`] : [])];
        const load = loadavg()[0]!.toFixed(1);
        const r = await runChangedDaemon(feeds, items, { bin: b.bin, nodeArgs, polls, perf: perfFile && `${perfFile}.${b.name}-${feeds}-${run}`, progress: (l) => console.log(`${b.name}${l}`) });
        const p = r.polls.at(-1)!;
        const key = `${b.name} ${feeds}`;
        const o = out.get(key) ?? { rate: [], cpuPerItemUs: [], mainPerItemUs: [], fetchRate: [] };
        o.mainPerItemUs.push((p.mainCpuSecs / p.inserted) * 1e6);
        o.rate.push(p.inserted / p.secs);
        o.cpuPerItemUs.push((p.cpuSecs / p.inserted) * 1e6);
        o.fetchRate.push(r.fetch.inserted / r.fetch.secs);
        out.set(key, o);
        console.log(`run ${run + 1} ${key} × ${items} (load ${load}): daemon poll ${p.inserted} new in ${p.secs.toFixed(2)} s = ${(p.inserted / p.secs).toFixed(0)} new items/s, ` +
          `CPU ${p.cpuSecs.toFixed(2)} s (${((p.cpuSecs / p.inserted) * 1e6).toFixed(0)} µs/new item, main thread ${((p.mainCpuSecs / p.inserted) * 1e6).toFixed(0)}); warta fetch ${r.fetch.inserted} new in ${r.fetch.secs.toFixed(2)} s = ${(r.fetch.inserted / r.fetch.secs).toFixed(0)} new items/s, CPU ${r.fetch.cpuSecs.toFixed(2)} s` +
          (profDir ? `; window µs ${p.windowUs[0]}..${p.windowUs[1]}` : ''));
      }
    }
  }
  for (const [key, o] of out) {
    console.log(`${key} × ${items}: median of ${o.rate.length}: daemon changed poll ${median(o.rate).toFixed(0)} new items/s (${median(o.cpuPerItemUs).toFixed(0)} µs CPU/new item, main thread ${median(o.mainPerItemUs).toFixed(0)} µs → ${(1e6 / median(o.mainPerItemUs)).toFixed(0)} new items/s if it alone bounded the poll), warta fetch ${median(o.fetchRate).toFixed(0)} new items/s`);
  }
}
