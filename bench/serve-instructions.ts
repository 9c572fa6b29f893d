/**
 * Instructions per request of the daemon's serving path, counted by callgrind (repeatable on a shared machine,
 * where req/s and even CPU time per request swing). The daemon first ingests a farm normally, then runs again
 * under `valgrind --tool=callgrind`; after a warm-up the counters are zeroed, `n` requests are made (autocannon,
 * `connections` at once), and the counters dumped: user-space instructions of the whole process / n.
 *   npx tsx bench/serve-instructions.ts [n=3000] [connections=16] [--cases=304,16KB-identity,16KB-gzip] [--bin=PATH] [--floor] [--keep=DIR] [--warm=2000]
 * `--floor` then measures the same requests against a bare node:http server (bench/serve-floor.mjs) sending the
 * daemon's own headers and bodies with one `writeHead` each: node's floor, in the same run.
 * `--keep=DIR` keeps the callgrind dumps (one per case and server) for `callgrind_annotate`.
 * Kernel work (the socket writes) is not counted: valgrind sees user space only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startFarm } from './farm.js';
import { BenchDaemon, BIN, freePort, REPO, sleep, writeConfig } from './lib.js';
import { cpuSeconds, recordAnswers, SIZES } from './serve.js';

const args = process.argv.slice(2);
const [n = 3000, connections = 16] = args.filter((a) => !a.startsWith('--')).map(Number);
// --bin=PATH: another build's bin/warta.js (a baseline checkout), for before/after.
const bin = args.find((a) => a.startsWith('--bin='))?.slice(6) ?? BIN;
const cases = args.find((a) => a.startsWith('--cases='))?.slice(8).split(',') ?? ['304', '16KB-identity', '16KB-gzip'];
const floor = args.includes('--floor');
const keep = args.find((a) => a.startsWith('--keep='))?.slice(7);
// --warm=N: requests before the counted ones (JIT, caches). TurboFan still compiles on the main thread after 2,000;
// 20,000 leaves it a few % of the window.
const warm = Number(args.find((a) => a.startsWith('--warm='))?.slice(7) ?? 2000);
// --perf-map: node writes /tmp/perf-PID.map (JIT code addresses → JS function names; copied into --keep's DIR),
// for naming callgrind's ??? entries.
const perfMap = args.includes('--perf-map') ? ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${join(tmpdir(), `warta-serve-v8-${process.pid}.log`)}`] : [];
if (keep) mkdirSync(keep, { recursive: true });

const farm = await startFarm(20, 60);
const dir = mkdtempSync(join(tmpdir(), 'warta-bench-instr-'));
let vg = null as ChildProcess | null;
try {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const extra = SIZES.map((s, i) => `  - id: s${i}\n    title: Size ${i}\n    tags: [Putin, Minsk]\n    limit: ${s.limit}\n`).join('');
  const config = writeConfig(dir, farm.urls, { port });
  writeFileSync(config, readFileSync(config, 'utf8').replace('outputs:\n', `outputs:\n${extra}`));
  const first = new BenchDaemon(config, base);
  await first.ready();
  await first.refreshed(20, undefined, 100);
  await first.stop();
  // No cron tick may fall inside a measurement: under valgrind a poll of 20 sources outweighs the requests.
  writeFileSync(config, readFileSync(config, 'utf8').replace('fetch:\n', 'fetch:\n  schedule: "0 0 1 1 *"\n'));

  /** Starts `argv` under callgrind, waits until `probe` answers and the process is idle. */
  const underValgrind = async (name: string, argv: string[], probe: string) => {
    const out = join(dir, `callgrind.out.${name}`);
    const p = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', '--predictable', ...perfMap, ...argv], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    vg = p;
    let err = '';
    p.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
    for (let i = 0; ; i++) {
      if (p.exitCode !== null) throw new Error(`valgrind exited: ${err}`);
      if (await fetch(probe).then((r) => r.ok, () => false)) break;
      if (i > 7200) throw new Error(`${name} under valgrind did not answer in 30 minutes`);
      await sleep(250);
    }
    // Its start-up poll (the farm answers 304s) must be over: wait until the process is idle.
    for (let last = cpuSeconds(p.pid!); ; ) {
      await sleep(3000);
      const now = cpuSeconds(p.pid!);
      if (now - last < 0.1) break;
      last = now;
    }
    return p;
  };
  const stopValgrind = async (p: ChildProcess) => {
    if (keep && perfMap.length) copyFileSync(`/tmp/perf-${p.pid}.map`, join(keep, `perf-${p.pid}.map`));
    p.kill('SIGTERM');
    if (p.exitCode === null) await new Promise((r) => p.once('exit', r));
    vg = null;
  };
  /** Each case against `target` (a base URL) under the callgrind process `p`: instructions per request. */
  const measure = async (name: string, p: ChildProcess, target: string, etag: string) => {
    const control = (flag: string) => {
      const r = spawnSync('callgrind_control', [flag, String(p.pid)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`callgrind_control ${flag}: ${r.stderr}${r.stdout}`);
    };
    const totalOf = (c: string) => {
      // The newest dump's "summary:"/"totals:" line: instructions since the last zeroing.
      const dumps = readdirSync(dir).filter((f) => f.startsWith(`callgrind.out.${name}`)).map((f) => join(dir, f));
      const newest = dumps.sort((a, b) => Number(/\.(\d+)$/.exec(a)?.[1] ?? 0) - Number(/\.(\d+)$/.exec(b)?.[1] ?? 0)).at(-1)!;
      const text = readFileSync(newest, 'utf8');
      const total = Number(/^(?:totals|summary): (\d+)/m.exec(text)?.[1]);
      // --single-threaded makes TurboFan compile on the main thread: a warm-up of 2,000 requests does not settle
      // it, and its share of the window swings (24-50 %); the count without it is the comparable one.
      const annotated = spawnSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', newest], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
      const compile = Number(/^\s*([\d,]+) .*Runtime_CompileOptimized\(/m.exec(annotated)?.[1]?.replaceAll(',', '') ?? 0);
      if (keep) copyFileSync(newest, join(keep, `callgrind.${name}.${c}.out`));
      for (const d of dumps) rmSync(d);
      return { total, compile };
    };
    for (const c of cases) {
      const headers: Record<string, string> = c === '304' ? { 'if-none-match': etag } : { 'accept-encoding': c.endsWith('gzip') ? 'gzip' : 'identity' };
      const url = `${target}/feeds/${c.startsWith('64KB') ? 's1' : 's0'}.rss`;
      await autocannon({ url, connections, amount: warm, headers, timeout: 60 }); // warm-up: JIT, caches
      control('--zero');
      const r = await autocannon({ url, connections, amount: n, headers, timeout: 60 });
      control('--dump');
      await sleep(500);
      const ok = c === '304' ? r['3xx'] : r['2xx'];
      const { total, compile } = totalOf(c);
      console.log(`${name} ${c}: ${(total / n).toFixed(0)} instructions/request, ${((total - compile) / n).toFixed(0)} without TurboFan's compiles (${n} requests, ${ok} answered as expected, ${connections} connections)`);
    }
  };

  const daemon = await underValgrind('warta', [bin, 'start', '--config', config, '--log-level', 'warn'], `${base}/healthz`);
  const { etag, answers } = await recordAnswers(base);
  await measure('warta', daemon, base, etag);
  await stopValgrind(daemon);
  if (floor) {
    const answersFile = join(dir, 'answers.json');
    writeFileSync(answersFile, JSON.stringify({ etag, answers }));
    const floorPort = await freePort();
    const p = await underValgrind('floor', [join(REPO, 'bench/serve-floor.mjs'), answersFile, String(floorPort)], `http://127.0.0.1:${floorPort}/healthz`);
    await measure('floor', p, `http://127.0.0.1:${floorPort}`, etag);
    await stopValgrind(p);
  }
} finally {
  if (vg !== null && vg.exitCode === null) {
    vg.kill('SIGTERM');
    await new Promise((r) => vg!.once('exit', r));
  }
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}
