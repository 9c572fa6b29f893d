/**
 * Instructions per request of the daemon's serving path, counted by callgrind (repeatable on a shared machine,
 * where req/s and even CPU time per request swing). The daemon first ingests a farm normally, then runs again
 * under `valgrind --tool=callgrind`; after a warm-up the counters are zeroed, `n` requests are made (autocannon,
 * `connections` at once), and the counters dumped: user-space instructions of the whole process / n.
 *   npx tsx bench/serve-instructions.ts [n=3000] [connections=16] [--cases=304,16KB-identity,16KB-gzip] [--bin=PATH]
 * Kernel work (the socket writes) is not counted: valgrind sees user space only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startFarm } from './farm.js';
import { BenchDaemon, BIN, freePort, REPO, sleep, writeConfig } from './lib.js';
import { cpuSeconds, SIZES } from './serve.js';

const args = process.argv.slice(2);
const [n = 3000, connections = 16] = args.filter((a) => !a.startsWith('--')).map(Number);
// --bin=PATH: another build's bin/warta.js (a baseline checkout), for before/after.
const bin = args.find((a) => a.startsWith('--bin='))?.slice(6) ?? BIN;
const cases = args.find((a) => a.startsWith('--cases='))?.slice(8).split(',') ?? ['304', '16KB-identity', '16KB-gzip'];

const farm = await startFarm(20, 60);
const dir = mkdtempSync(join(tmpdir(), 'warta-bench-instr-'));
let vg: ChildProcess | null = null;
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

  const out = join(dir, 'callgrind.out');
  vg = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', '--predictable', bin, 'start', '--config', config, '--log-level', 'warn'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  vg.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  for (let i = 0; ; i++) {
    if (vg.exitCode !== null) throw new Error(`valgrind exited: ${err}`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 7200) throw new Error('the daemon under valgrind did not answer in 30 minutes');
    await sleep(250);
  }
  // Its start-up poll (the farm answers 304s) must be over: wait until the process is idle.
  for (let last = cpuSeconds(vg!.pid!); ; ) {
    await sleep(3000);
    const now = cpuSeconds(vg!.pid!);
    if (now - last < 0.1) break;
    last = now;
  }
  const etag = (await fetch(`${base}/feeds/s0.rss`)).headers.get('etag') ?? '';
  const control = (flag: string) => {
    const r = spawnSync('callgrind_control', [flag, String(vg!.pid)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`callgrind_control ${flag}: ${r.stderr}${r.stdout}`);
  };
  const totalOf = () => {
    // The newest dump's "summary:"/"totals:" line: instructions since the last zeroing.
    const dumps = readdirSync(dir).filter((f) => f.startsWith('callgrind.out')).map((f) => join(dir, f));
    const newest = dumps.sort().at(-1)!;
    const text = readFileSync(newest, 'utf8');
    const total = Number(/^(?:totals|summary): (\d+)/m.exec(text)?.[1]);
    for (const d of dumps) rmSync(d);
    return total;
  };
  for (const c of cases) {
    const headers: Record<string, string> = c === '304' ? { 'if-none-match': etag } : { 'accept-encoding': c.endsWith('gzip') ? 'gzip' : 'identity' };
    const url = `${base}/feeds/${c.startsWith('64KB') ? 's1' : 's0'}.rss`;
    await autocannon({ url, connections, amount: 2000, headers, timeout: 60 }); // warm-up: JIT, caches
    control('--zero');
    const r = await autocannon({ url, connections, amount: n, headers, timeout: 60 });
    control('--dump');
    await sleep(500);
    const ok = c === '304' ? r['3xx'] : r['2xx'];
    console.log(`${c}: ${(totalOf() / n).toFixed(0)} instructions/request (${n} requests, ${ok} answered as expected, ${connections} connections)`);
  }
} finally {
  if (vg !== null && vg.exitCode === null) {
    vg.kill('SIGTERM');
    await new Promise((r) => vg!.once('exit', r));
  }
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}
