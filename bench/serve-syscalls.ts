/**
 * System calls per request of the daemon's serving path, against node's floor (bench/serve-floor.mjs) and nginx,
 * counted by `strace -c -f` attached to each server for exactly `n` requests (autocannon, `amount`). Counts, not
 * times: strace slows the traced process many times over, so its seconds mean nothing; the calls per request are
 * exact and do not depend on the machine's load. The kernel's share of a request (the socket write above all) is
 * not in callgrind's counts (bench/serve-instructions.ts), and this is where it shows.
 * Before the counts, each server's CPU time per request (user and system apart, from /proc, untraced) over `--cpu=N,R`
 * (N requests, R rounds with the servers in turn; medians): loose under load, unlike the counts.
 *   npx tsx bench/serve-syscalls.ts [n=3000] [--connections=16,128] [--cases=304,16KB-identity] [--bin=PATH] [--floor] [--nginx] [--cpu=20000,3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startFarm } from './farm.js';
import { BenchDaemon, BIN, freePort, median, REPO, sleep } from './lib.js';
import { startNginx } from './peers.js';
import { recordAnswers, startServeDaemon } from './serve.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const [n = 3000] = args.filter((a) => !a.startsWith('--')).map(Number);
const bin = flag('bin') ?? BIN;
const cases = flag('cases')?.split(',') ?? ['304', '16KB-identity'];
const connectionsList = flag('connections')?.split(',').map(Number) ?? [16, 128];
// --cpu=N,R: CPU time per request over N requests, R rounds with the targets in turn (0 for n: no strace).
const [cpuN = 20000, rounds = 3] = flag('cpu')?.split(',').map(Number) ?? [];

/** Runs `n` requests with strace counting the system calls of `pid` (threads included): calls per request by name. */
async function countCalls(pid: number, url: string, connections: number, headers: Record<string, string>, out: string): Promise<Map<string, number>> {
  const st = spawn('strace', ['-c', '-f', '-o', out, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  st.stderr!.on('data', (d) => (err += d));
  // strace says "Process N attached" once per thread; give it the time to attach to all of them.
  for (let i = 0; i < 100 && !err.includes('attached'); i++) await sleep(50);
  await sleep(300);
  await autocannon({ url, connections, amount: n, headers, timeout: 60 });
  st.kill('SIGINT');
  await new Promise((r) => st.once('exit', r));
  const calls = new Map<string, number>();
  // "% time     seconds  usecs/call     calls    errors syscall", then one row per system call.
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line);
    if (m && m[2] !== 'total') calls.set(m[2]!, Number(m[1]) / n);
  }
  return calls;
}

/** User and system CPU seconds a process has used so far (/proc/PID/stat fields 14 and 15). */
function userSystem(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

const farm = await startFarm(20, 60);
const dir = mkdtempSync(join(tmpdir(), 'warta-bench-syscalls-'));
const children: { kill(sig?: NodeJS.Signals): unknown }[] = [];
let daemon: BenchDaemon | null = null;
try {
  daemon = await startServeDaemon(dir, farm.urls, bin);
  const base = daemon.base;
  const { etag, answers } = await recordAnswers(base);
  const targets: { name: string; pid: number; base: string; path: (c: string) => string }[] = [{ name: 'warta', pid: daemon.pid, base, path: (c) => `/feeds/${c.startsWith('64KB') ? 's1' : 's0'}.rss` }];
  if (args.includes('--floor')) {
    const answersFile = join(dir, 'answers.json');
    writeFileSync(answersFile, JSON.stringify({ etag, answers }));
    const floorPort = await freePort();
    const p = spawn(process.execPath, [join(REPO, 'bench/serve-floor.mjs'), answersFile, String(floorPort)], { stdio: 'inherit' });
    children.push(p);
    while (!(await fetch(`http://127.0.0.1:${floorPort}/healthz`).then((r) => r.ok, () => false))) await sleep(50);
    targets.push({ name: 'floor', pid: p.pid!, base: `http://127.0.0.1:${floorPort}`, path: (c) => `/feeds/${c.startsWith('64KB') ? 's1' : 's0'}.rss` });
  }
  if (args.includes('--nginx')) {
    for (const [key, file] of [['s0-identity', 's0.rss'], ['s1-identity', 's1.rss']] as const) writeFileSync(join(dir, file), Buffer.from(answers[key]!.body, 'base64'));
    const nginxPort = await freePort();
    const p = await startNginx(dir, nginxPort);
    children.push(p);
    const worker = Number(readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    // nginx has no 304 case here: its 200 of the same feed is what warta's 304 is compared with.
    targets.push({ name: 'nginx', pid: worker, base: `http://127.0.0.1:${nginxPort}`, path: (c) => `/${c.startsWith('64KB') ? 's1' : 's0'}.rss` });
  }
  for (const connections of connectionsList) {
    for (const c of cases) {
      const headersOf = (t: (typeof targets)[number]): Record<string, string> => (c === '304' && t.name !== 'nginx' ? { 'if-none-match': etag } : { 'accept-encoding': c.endsWith('gzip') ? 'gzip' : 'identity' });
      // CPU time per request, user and system apart, untraced: the targets in turn, `rounds` times, medians.
      const cpu = new Map<string, { user: number; system: number }[]>(targets.map((t) => [t.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const t of targets) {
          const url = `${t.base}${t.path(c)}`;
          await autocannon({ url, connections, amount: 2000, headers: headersOf(t), timeout: 60 }); // warm-up
          const before = userSystem(t.pid);
          await autocannon({ url, connections, amount: cpuN, headers: headersOf(t), timeout: 60 });
          const after = userSystem(t.pid);
          cpu.get(t.name)!.push({ user: ((after.user - before.user) * 1e6) / cpuN, system: ((after.system - before.system) * 1e6) / cpuN });
        }
      }
      for (const t of targets) {
        const xs = cpu.get(t.name)!;
        const user = median(xs.map((x) => x.user));
        const system = median(xs.map((x) => x.system));
        let line = `${t.name} ${c}, ${connections} connections: CPU per request ${(user + system).toFixed(1)} µs (user ${user.toFixed(1)}, system ${system.toFixed(1)}; medians of ${rounds} × ${cpuN})`;
        if (n > 0) {
          const calls = await countCalls(t.pid, `${t.base}${t.path(c)}`, connections, headersOf(t), join(dir, `strace.${t.name}.${c}.${connections}`));
          const total = [...calls.values()].reduce((s, x) => s + x, 0);
          const top = [...calls].sort((a, b) => b[1] - a[1]).filter(([, x]) => x >= 0.01).map(([k, x]) => `${k} ${x.toFixed(2)}`).join(', ');
          line += `; ${total.toFixed(2)} system calls/request (${top})`;
        }
        console.log(line);
      }
    }
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await daemon?.stop();
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}
