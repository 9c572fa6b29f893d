/**
 * Would more than one node process answer a matching conditional GET (304) at ≥ 1× nginx's 200 of the same feed?
 * A prototype measured side by side, not a design: node's floor (bench/serve-floor.mjs: the daemon's own 304, a
 * bare node:http server) as one process and as a node:cluster of 2 workers (round-robin from the primary, and with
 * the workers accepting themselves), the real daemon, and nginx (1 worker, as in bench/serve.ts), in turn, rounds ×
 * `seconds` each with autocannon on loopback. A warta worker set could only cost more per request than the floor's.
 * Reports req/s and CPU µs per request of each server's whole process tree (primary and workers), medians.
 *   npx tsx bench/serve-cluster.ts [seconds=4] [rounds=3] [--connections=16,128] [--cases=304,16KB-identity] [--workers=2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startFarm } from './farm.js';
import { BenchDaemon, freePort, median, REPO, sleep } from './lib.js';
import { startNginx } from './peers.js';
import { cpuSeconds, recordAnswers, startServeDaemon } from './serve.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const [seconds = 4, rounds = 3] = args.filter((a) => !a.startsWith('--')).map(Number);
const connectionsList = flag('connections')?.split(',').map(Number) ?? [16, 128];
const cases = flag('cases')?.split(',') ?? ['304', '16KB-identity'];
const workers = Number(flag('workers') ?? 2);

/** A process and its descendants (cluster workers, nginx's worker). */
function tree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(tree)];
}

const farm = await startFarm(20, 60);
const dir = mkdtempSync(join(tmpdir(), 'warta-bench-cluster-'));
const children: ChildProcess[] = [];
let daemon: BenchDaemon | null = null;
try {
  daemon = await startServeDaemon(dir, farm.urls);
  const base = daemon.base;
  const { etag, answers } = await recordAnswers(base);
  const answersFile = join(dir, 'answers.json');
  writeFileSync(answersFile, JSON.stringify({ etag, answers }));
  const feedPath = (c: string) => `/feeds/${c.startsWith('64KB') ? 's1' : 's0'}.rss`;
  const servers: { name: string; pid: number; base: string; path: (c: string) => string }[] = [{ name: 'warta', pid: daemon.pid, base, path: feedPath }];
  for (const [name, n, sched] of [['floor ×1', 1, 'rr'], [`floor cluster ×${workers} (round-robin)`, workers, 'rr'], [`floor cluster ×${workers} (workers accept)`, workers, 'none']] as const) {
    const p = await freePort();
    const child = spawn(process.execPath, [join(REPO, 'bench/serve-floor.mjs'), answersFile, String(p), String(n)], { stdio: 'inherit', env: { ...process.env, CLUSTER_SCHED: sched } });
    children.push(child);
    while (!(await fetch(`http://127.0.0.1:${p}/healthz`).then((r) => r.ok, () => false))) await sleep(50);
    servers.push({ name, pid: child.pid!, base: `http://127.0.0.1:${p}`, path: feedPath });
  }
  for (const [key, file] of [['s0-identity', 's0.rss'], ['s1-identity', 's1.rss']] as const) writeFileSync(join(dir, file), Buffer.from(answers[key]!.body, 'base64'));
  const nginxPort = await freePort();
  const nginx = await startNginx(dir, nginxPort);
  children.push(nginx);
  servers.push({ name: 'nginx (its 200 for the 304 case)', pid: nginx.pid!, base: `http://127.0.0.1:${nginxPort}`, path: (c) => `/${c.startsWith('64KB') ? 's1' : 's0'}.rss` });

  for (const connections of connectionsList) {
    for (const c of cases) {
      const got = new Map<string, { rps: number; cpuUs: number }[]>(servers.map((s) => [s.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const s of servers) {
          const headers: Record<string, string> = c === '304' && !s.name.startsWith('nginx') ? { 'if-none-match': etag } : { 'accept-encoding': c.endsWith('gzip') ? 'gzip' : 'identity' };
          const pids = tree(s.pid);
          const cpu0 = pids.reduce((sum, p) => sum + cpuSeconds(p), 0);
          const r = await autocannon({ url: `${s.base}${s.path(c)}`, connections, duration: seconds, headers });
          const cpu = pids.reduce((sum, p) => sum + cpuSeconds(p), 0) - cpu0;
          if (r.errors || r.timeouts) throw new Error(`${s.name}: ${r.errors} errors, ${r.timeouts} timeouts`);
          got.get(s.name)!.push({ rps: r.requests.average, cpuUs: (cpu * 1e6) / Math.max(1, r.requests.total) });
        }
      }
      const nginxRps = median(got.get(servers.at(-1)!.name)!.map((x) => x.rps));
      for (const s of servers) {
        const xs = got.get(s.name)!;
        const rps = median(xs.map((x) => x.rps));
        console.log(`${c}, ${connections} connections, ${s.name}: ${Math.round(rps)} req/s (${median(xs.map((x) => x.cpuUs)).toFixed(1)} µs CPU/req), ${(rps / nginxRps).toFixed(2)}× nginx; rounds ${xs.map((x) => Math.round(x.rps)).join(' ')}`);
      }
    }
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await daemon?.stop();
  await farm.close();
  rmSync(dir, { recursive: true, force: true });
}
