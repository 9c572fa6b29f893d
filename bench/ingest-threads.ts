/**
 * A cold `warta fetch` (every item new, a fresh store each run), then a changed poll (every feed gained 5 items),
 * and where their CPU goes by thread, this build against another checkout's, alternating so both meet the same load:
 *   npx tsx bench/ingest-threads.ts [feeds=300] [items=50] [--runs 3] [--base DIR] [--in-thread] [--no-stories] [--recent]
 * Per run: wall seconds, CPU seconds (user + sys) of the whole process (as last read, up to 50 ms before it
 * ended), of its main thread, of the threads it
 * started after start-up (the feed parser threads; libuv's pool, idle here, would count too: the base shows what
 * that is) and of the rest (V8's GC and compiler helpers). Threads are read from /proc/PID/task every 50 ms, so a
 * parser thread stopped before the end is counted with its last reading. `--in-thread` adds this build with
 * WARTA_INGEST_THREADS=0 (feeds read on the main thread). Then the cost of moving one feed across threads:
 * a structured clone of the farm's feed (50 items) through a MessageChannel and back, per feed.
 * `--no-stories` adds this build without the story stage (WARTA_BENCH_NO_STORIES=1): issue 13's "effect on ingest" in
 * wall and CPU, side by side; `--recent` dates the farm's items in the last hours, so the story index's candidate
 * search and judging run (on the default farm the items are older than the window: the sketch only).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { startFarm } from './farm.js';
import { BIN, median, procCpuSecs, REPO, writeConfig } from './lib.js';
import { ingestDocument } from '../src/pipeline/feed/ingest.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const [feeds = 300, items = 50] = positional.map(Number);
const runs = Number(flag('--runs') ?? 3);
const base = flag('--base');
type Build = { label: string; bin: string; env: NodeJS.ProcessEnv };
const builds: Build[] = [
  ...(base ? [{ label: 'base', bin: join(resolve(base), 'bin/warta.js'), env: {} }] : []),
  { label: 'this', bin: BIN, env: {} },
  ...(argv.includes('--in-thread') ? [{ label: 'this, in-thread', bin: BIN, env: { WARTA_INGEST_THREADS: '0' } }] : []),
  ...(argv.includes('--no-stories') ? [{ label: 'this, no stories', bin: BIN, env: { WARTA_BENCH_NO_STORIES: '1' } }] : []),
];

/** utime + stime of each thread of `pid` (seconds), by thread id. */
function threadTimes(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

interface Run { secs: number; cpu: number; main: number; started: number; rest: number; inserted: number }

/** One `warta fetch` of `config` by `build`, its threads read from /proc while it runs. */
async function timedFetch(build: Build, config: string): Promise<Run> {
  const t = process.hrtime.bigint();
  const child = spawn(process.execPath, [build.bin, 'fetch', '--config', config], { cwd: REPO, env: { ...process.env, ...build.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  const last = new Map<number, number>();
  const startup = new Set<number>();
  let cpu = 0;
  const sample = () => {
    const now = threadTimes(child.pid!);
    if (now.size === 0) return;
    // The process's own line counts the threads that ended too.
    cpu = procCpuSecs(child.pid!);
    // V8's platform threads are made before any JS runs: the threads there once the main thread has run some JS.
    if (startup.size === 0 && (now.get(child.pid!) ?? 0) >= 0.05) for (const tid of now.keys()) startup.add(tid);
    for (const [tid, s] of now) last.set(tid, s);
  };
  const timer = setInterval(sample, 50);
  const status = await new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  clearInterval(timer);
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  if (status !== 0) throw new Error(`${build.label}: warta fetch exited ${status}: ${stderr.slice(-2000)}`);
  const inserted = stdout.trim().split('\n').reduce((n, l) => n + Number(/new (\d+)/.exec(l)?.[1] ?? 0), 0);
  const main = last.get(child.pid!) ?? NaN;
  let started = 0;
  let rest = 0;
  for (const [tid, s] of last) if (tid !== child.pid) startup.has(tid) ? (rest += s) : (started += s);
  return { secs, cpu, main, started, rest, inserted };
}

const line = (r: Run) => `wall ${r.secs.toFixed(2)} s (${(r.inserted / r.secs).toFixed(0)} items/s), CPU ${r.cpu.toFixed(2)} s: main thread ${r.main.toFixed(2)}, started threads ${r.started.toFixed(2)}, V8 helpers ${r.rest.toFixed(2)}`;

const farm = await startFarm(feeds, items, [], { recent: argv.includes('--recent') });
try {
  console.log(`uptime: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const got = new Map<string, Run[]>(['cold', 'changed'].flatMap((phase) => builds.map((b): [string, Run[]] => [`${b.label} ${phase}`, []])));
  for (let i = 0; i < runs; i++) {
    for (const b of builds) {
      // A fresh store: the cold fetch stores every item; then every feed gains 5 items and is polled again.
      const dir = mkdtempSync(join(tmpdir(), 'warta-threads-'));
      try {
        const config = writeConfig(dir, farm.urls, { logLevel: 'warn' });
        const cold = await timedFetch(b, config);
        if (cold.inserted !== feeds * items) throw new Error(`${b.label}: stored ${cold.inserted} items, expected ${feeds * items}`);
        farm.advance(5);
        const changed = await timedFetch(b, config);
        if (changed.inserted !== feeds * 5) throw new Error(`${b.label}: a changed poll stored ${changed.inserted} items, expected ${feeds * 5}`);
        got.get(`${b.label} cold`)!.push(cold);
        got.get(`${b.label} changed`)!.push(changed);
        console.log(`run ${i + 1} ${b.label}: cold ${line(cold)}; changed ${line(changed)}; load ${loadavg()[0]!.toFixed(1)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  for (const [label, rs] of got) {
    const m = (f: (r: Run) => number) => median(rs.map(f)).toFixed(2);
    console.log(`${label}: median wall ${m((r) => r.secs)} s, ${median(rs.map((r) => r.inserted / r.secs)).toFixed(0)} new items/s; CPU ${m((r) => r.cpu)} s (main ${m((r) => r.main)}, started threads ${m((r) => r.started)}, V8 helpers ${m((r) => r.rest)}) over ${runs} runs of ${feeds} × ${items}`);
  }

  // What crossing the thread boundary costs per feed: the farm's first feed, read, cloned there and back.
  const res = await fetch(farm.urls[0]!);
  const body = new Uint8Array(await res.arrayBuffer());
  const feed = ingestDocument(body, { contentType: res.headers.get('content-type'), url: farm.urls[0]!, now: new Date() });
  const { port1, port2 } = new MessageChannel();
  const rounds = 2000;
  const time = (fn: () => void) => {
    for (let i = 0; i < 200; i++) fn();
    const t = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) fn();
    return Number(process.hrtime.bigint() - t) / 1e3 / rounds;
  };
  const feedUs = time(() => {
    port1.postMessage(feed);
    receiveMessageOnPort(port2);
  });
  const bodyUs = time(() => {
    const own = new Uint8Array(body);
    port1.postMessage(own, [own.buffer]);
    receiveMessageOnPort(port2);
  });
  const parseUs = time(() => ingestDocument(body, { contentType: res.headers.get('content-type'), url: farm.urls[0]!, now: new Date() }));
  port1.close();
  console.log(`crossing threads, one feed of ${items} items (${(body.length / 1024).toFixed(0)} KiB): the body copied and moved ${bodyUs.toFixed(0)} µs, the IngestedFeed cloned ${feedUs.toFixed(0)} µs (serialize + deserialize), against reading it ${parseUs.toFixed(0)} µs`);
} finally {
  await farm.close();
}
