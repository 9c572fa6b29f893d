/**
 * Serving benchmark, side by side in one run: the daemon's cached output feeds (~16 KB and ~64 KB, identity and
 * gzip, and a conditional GET that matches) against nginx (Debian's nginx-light, 1 worker, gzip on) serving the
 * same bytes as static files, with autocannon on loopback. Each case alternates warta and nginx (A B A B …) and
 * takes medians, so a machine whose speed swings affects both alike.
 *
 * Besides req/s it reports each server's CPU time per request (user + system of the whole process, from
 * /proc/PID/stat, over the run): on a shared machine that figure holds still where req/s swings.
 *
 *   npx tsx bench/serve.ts [seconds=5] [rounds=3] [--connections=16,128] [--cases=16KB-identity,304] [--prof=DIR] [--before=PATH]
 * `--prof=DIR` starts the daemon with --cpu-prof into DIR (its profile is written when it stops).
 * `--before=PATH` also runs another build's bin/warta.js (a checkout of the commit before a change) in the same
 * rotation (before, warta, nginx, before, warta, nginx …), each daemon on its own copy of the farm's data.
 * `npm run bench -- --only=serve` runs the same measurement for the suite's table (bench/run.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get as httpGet } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startFarm } from './farm.js';
import { BenchDaemon, freePort, median, writeConfig } from './lib.js';
import { missing, NGINX, startNginx } from './peers.js';

/** Output sizes: a limit on the farm's ~1.5-2 KB rendered items giving about 16 KB and 64 KB. */
export const SIZES = [{ name: '16 KB', limit: 10 }, { name: '64 KB', limit: 42 }];

/** One measured case: warta's and nginx's req/s and CPU µs per request (medians of the rounds). */
export interface ServeCase {
  what: string;
  /** Bytes of the identity body. */
  bytes: number;
  connections: number;
  /** identity, gzip, or 304 (warta answers 304 to a matching If-None-Match; nginx serves its 200 of the same feed). */
  kind: 'identity' | 'gzip' | '304';
  warta: { rps: number; cpuUs: number };
  nginx: { rps: number; cpuUs: number } | null;
  /** The --before build's figures, when one was given. */
  before?: { rps: number; cpuUs: number };
  /**
   * Requests that failed (socket errors, timeouts) or got another status than the one expected, per server, over
   * the case's rounds; absent when there were none. A case with failures is still reported (a loaded machine makes
   * nginx drop a few connections at 128), and the run's notes name it.
   */
  failed?: { warta?: number; nginx?: number; before?: number };
}

/** CPU seconds (user + system, every thread) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), counted from field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/**
 * A daemon for the serving benchmarks in `dir`: the farm's sources, outputs s0 and s1 of SIZES, no cron tick after
 * its start-up poll (a poll amid the requests would be counted with them); resolves once that poll is done.
 */
export async function startServeDaemon(dir: string, urls: readonly string[], bin?: string): Promise<BenchDaemon> {
  const port = await freePort();
  const outputs = SIZES.map((s, i) => `  - id: s${i}\n    title: Size ${i}\n    tags: [Putin, Minsk]\n    limit: ${s.limit}\n`).join('');
  const config = writeConfig(dir, urls, { port, schedule: '0 0 1 1 *', extra: outputs });
  const daemon = new BenchDaemon(config, `http://127.0.0.1:${port}`, [], bin);
  await daemon.ready();
  await daemon.refreshed(urls.length, undefined, 100);
  return daemon;
}

/** A recorded answer: status, raw headers (without Date and the connection's own), body in base64. */
export interface RecordedAnswer {
  status: number;
  headers: string[];
  body: string;
}

/**
 * The daemon's answers for the floor server (bench/serve-floor.mjs), byte for byte: the 304 of s0 and the 200s of
 * s0 and s1 identity and gzip, with s0's ETag.
 */
export async function recordAnswers(base: string): Promise<{ etag: string; answers: Record<string, RecordedAnswer> }> {
  const etag = (await fetch(`${base}/feeds/s0.rss`)).headers.get('etag') ?? '';
  const answers: Record<string, RecordedAnswer> = {};
  for (const [key, url, headers] of [
    ['304', '/feeds/s0.rss', { 'if-none-match': etag }],
    ['s0-identity', '/feeds/s0.rss', { 'accept-encoding': 'identity' }],
    ['s0-gzip', '/feeds/s0.rss', { 'accept-encoding': 'gzip' }],
    ['s1-identity', '/feeds/s1.rss', { 'accept-encoding': 'identity' }],
    ['s1-gzip', '/feeds/s1.rss', { 'accept-encoding': 'gzip' }],
  ] as const) {
    const res = await new Promise<{ status: number; headers: string[]; body: Buffer }>((resolve, reject) => {
      const r = httpGet(`${base}${url}`, { headers }, (m) => {
        const chunks: Buffer[] = [];
        m.on('data', (d: Buffer) => chunks.push(d));
        m.on('end', () => resolve({ status: m.statusCode!, headers: m.rawHeaders.filter((_, i) => !['date', 'connection', 'keep-alive'].includes(m.rawHeaders[i - (i % 2)]!.toLowerCase())), body: Buffer.concat(chunks) }));
      });
      r.on('error', reject);
    });
    answers[key] = { ...res, body: res.body.toString('base64') };
  }
  return { etag, answers };
}

/** nginx's worker processes (children of the master). */
function nginxWorkers(master: number): number[] {
  try {
    return readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Runs every case. `log` gets a line per case; `cases` filters by `<size>-<kind>` names such as "16KB-gzip" or
 * "304". `nodeArgs` go to the daemon (e.g. --cpu-prof).
 */
export async function measureServing(opts: { seconds: number; rounds: number; connections?: number[]; cases?: string[]; nodeArgs?: string[]; before?: string; log?: (l: string) => void; notes?: string[] }): Promise<ServeCase[]> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const farm = await startFarm(20, 60);
  const dir = mkdtempSync(join(tmpdir(), 'warta-bench-serve-'));
  const extra = SIZES.map((s, i) => `  - id: s${i}\n    title: Size ${i}\n    tags: [Putin, Minsk]\n    limit: ${s.limit}\n`).join('');
  const startDaemon = async (sub: string, bin: string | undefined, nodeArgs: string[]) => {
    mkdirSync(join(dir, sub));
    const port = await freePort();
    const config = writeConfig(join(dir, sub), farm.urls, { port }); // log level info: the daemon's refresh lines are counted
    writeFileSync(config, readFileSync(config, 'utf8').replace('outputs:\n', `outputs:\n${extra}`));
    const d = new BenchDaemon(config, `http://127.0.0.1:${port}`, nodeArgs, bin);
    return d;
  };
  const daemon = await startDaemon('warta', undefined, opts.nodeArgs ?? []);
  const before = opts.before ? await startDaemon('before', opts.before, []) : null;
  const base = daemon.base;
  let nginx: ChildProcess | null = null;
  const nginxMissing = missing(NGINX, 'apt-get install -y nginx-light');
  const out: ServeCase[] = [];
  try {
    for (const d of before ? [daemon, before] : [daemon]) {
      await d.ready();
      await d.refreshed(20, undefined, 100);
    }
    const bodies: { name: string; file: string; path: string; bytes: number; etag: string }[] = [];
    for (const [i, s] of SIZES.entries()) {
      const res = await fetch(`${base}/feeds/s${i}.rss`, { headers: { 'accept-encoding': 'identity' } });
      const body = Buffer.from(await res.arrayBuffer());
      writeFileSync(join(dir, `s${i}.rss`), body);
      bodies.push({ name: s.name, file: `s${i}.rss`, path: `/feeds/s${i}.rss`, bytes: body.length, etag: res.headers.get('etag') ?? '' });
    }
    const nginxPort = await freePort();
    if (!nginxMissing) nginx = await startNginx(dir, nginxPort);
    else opts.notes?.push(nginxMissing);
    const beforeEtags = before ? await Promise.all(bodies.map(async (b) => (await fetch(`${before.base}${b.path}`)).headers.get('etag') ?? '')) : [];
    type Round = { rps: number; cpuUs: number; failed: number };
    // Failed requests are counted and reported, not fatal: one run of the suite should not end on nginx dropping
    // two connections of 200,000 on a loaded machine. Only answers of the expected status count as served.
    const cannon = async (url: string, connections: number, headers: Record<string, string>, pids: number[], expect: number): Promise<Round> => {
      const cpu0 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
      const r = await autocannon({ url, connections, duration: opts.seconds, headers });
      const cpu = pids.reduce((s, p) => s + cpuSeconds(p), 0) - cpu0;
      const wrong = expect === 304 ? r['2xx'] : r.non2xx;
      const failed = r.errors + r.timeouts + wrong;
      if (failed) log(`serve: ${url}: ${r.errors} errors, ${r.timeouts} timeouts, ${wrong} answers other than ${expect} (counted, not served)`);
      const served = Math.max(0, r.requests.total - wrong);
      return { rps: (r.requests.average * served) / Math.max(1, r.requests.total), cpuUs: (cpu * 1e6) / Math.max(1, r.requests.total), failed };
    };
    const wanted = (name: string) => !opts.cases || opts.cases.includes(name);
    for (const connections of opts.connections ?? [16, 128]) {
      const plan: { b: (typeof bodies)[number]; kind: ServeCase['kind'] }[] = [];
      for (const b of bodies) for (const kind of ['identity', 'gzip'] as const) if (wanted(`${b.name.replace(' ', '')}-${kind}`)) plan.push({ b, kind });
      if (wanted('304')) plan.push({ b: bodies[0]!, kind: '304' });
      for (const { b, kind } of plan) {
        const w: Round[] = [];
        const n: Round[] = [];
        const bf: Round[] = [];
        const wartaHeaders: Record<string, string> = kind === '304' ? { 'if-none-match': b.etag } : { 'accept-encoding': kind };
        for (let round = 0; round < opts.rounds; round++) {
          if (before) bf.push(await cannon(`${before.base}${b.path}`, connections, kind === '304' ? { 'if-none-match': beforeEtags[bodies.indexOf(b)]! } : { 'accept-encoding': kind }, [before.pid], kind === '304' ? 304 : 200));
          w.push(await cannon(`${base}${b.path}`, connections, wartaHeaders, [daemon.pid], kind === '304' ? 304 : 200));
          if (nginx) n.push(await cannon(`http://127.0.0.1:${nginxPort}/${b.file}`, connections, { 'accept-encoding': kind === '304' ? 'identity' : kind }, nginxWorkers(nginx.pid!), 200));
        }
        const m = (xs: { rps: number; cpuUs: number }[]) => ({ rps: median(xs.map((x) => x.rps)), cpuUs: median(xs.map((x) => x.cpuUs)) });
        const what = kind === '304' ? `conditional GET that matches (304), ${connections} connections (req/s)` : `${b.name} (${b.bytes.toLocaleString('en-US')} B) ${kind}, ${connections} connections (req/s)`;
        const sum = (xs: Round[]) => xs.reduce((t, x) => t + x.failed, 0);
        const failed = Object.fromEntries(([['warta', w], ['nginx', n], ['before', bf]] as const).map(([k, xs]) => [k, sum(xs)]).filter(([, f]) => f));
        const c: ServeCase = { what, bytes: b.bytes, connections, kind, warta: m(w), nginx: n.length ? m(n) : null, ...(bf.length ? { before: m(bf) } : {}), ...(Object.keys(failed).length ? { failed } : {}) };
        if (c.failed) opts.notes?.push(`${what}: failed requests ${Object.entries(c.failed).map(([k, f]) => `${k} ${f}`).join(', ')} (req/s count only answers of the expected status)`);
        out.push(c);
        log(`serve: ${what}: ${c.before ? `before ${Math.round(c.before.rps)} (${c.before.cpuUs.toFixed(1)} µs CPU/req), ` : ''}warta ${Math.round(c.warta.rps)} (${c.warta.cpuUs.toFixed(1)} µs CPU/req)` + (c.nginx ? `, nginx ${Math.round(c.nginx.rps)} (${c.nginx.cpuUs.toFixed(1)} µs CPU/req), ratio ${(c.warta.rps / c.nginx.rps).toFixed(2)}` : '') + `; rounds warta ${w.map((x) => Math.round(x.rps)).join(' ')}${n.length ? `, nginx ${n.map((x) => Math.round(x.rps)).join(' ')}` : ''}`);
      }
    }
  } finally {
    nginx?.kill('SIGTERM');
    await daemon.stop();
    await before?.stop();
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const [seconds = 5, rounds = 3] = args.filter((a) => !a.startsWith('--')).map(Number);
  const prof = flag('prof');
  const notes: string[] = [];
  const cases = await measureServing({
    seconds,
    rounds,
    connections: flag('connections')?.split(',').map(Number),
    cases: flag('cases')?.split(','),
    nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    before: flag('before'),
    notes,
  });
  const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '-');
  console.log('| case | before req/s (µs CPU/req) | warta req/s (µs CPU/req) | nginx req/s (µs CPU/req) | before/nginx | warta/nginx |\n|---|---|---|---|---|---|');
  const cell = (x: { rps: number; cpuUs: number } | null | undefined) => (x ? `${Math.round(x.rps)} (${x.cpuUs.toFixed(1)})` : '-');
  for (const c of cases) console.log(`| ${c.what} | ${cell(c.before)} | ${cell(c.warta)} | ${cell(c.nginx)} | ${c.before ? ratio(c.before.rps, c.nginx?.rps) : '-'} | ${ratio(c.warta.rps, c.nginx?.rps)} |`);
  for (const n of notes) console.log(`note: ${n}`);
  if (prof) console.log(`profiles: ${readdirSync(prof).join(', ')}`);
}
