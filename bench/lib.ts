/**
 * What the benchmarks share: the daemon and the CLI as child processes (the built bin/warta.js, as a user runs
 * them), configs over a farm, memory read from /proc, medians. Never used by `npm test`: figures, not assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/warta.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../', import.meta.url));

/**
 * One `warta fetch --config FILE` as an async child under /usr/bin/time (a sync spawn would starve a farm living
 * in this process): wall seconds, new items summed over its lines, its stdout, and its peak RSS in MB.
 */
export async function timedFetch(config: string): Promise<{ secs: number; inserted: number; stdout: string; rssMb: number }> {
  const t = process.hrtime.bigint();
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'fetch', '--config', config]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`warta fetch exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const inserted = r.stdout.split('\n').reduce((n, l) => n + Number(/\tnew (\d+)/.exec(l)?.[1] ?? 0), 0);
  return { secs, inserted, stdout: r.stdout, rssMb: Number(r.stderr.trim().split('\n').at(-1)) / 1024 };
}

export const median = (xs: readonly number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (the tests' helper). */
export { freePort } from '../test/helpers/daemon.js';

/** A process's memory from /proc (MiB): resident now, its peak, and resident anonymous vs file-backed (mmap). */
export function procMemory(pid: number): { rss: number; hwm: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat (clock ticks of 1/100 s). */
export function procCpuSecs(pid: number): number {
  // The fields after the command name (which may hold spaces, hence from the last ')'): utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The tag rules every benchmark config carries (the shipped example's shape). */
const TAGS = `tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Putin\n    match: Putin\n  - name: Minsk\n    match: Minsk\n`;

/** Writes a config over `urls` into `dir`/w.yaml and returns its path. */
export function writeConfig(dir: string, urls: readonly string[], opts: { port?: number; extra?: string; logLevel?: string; schedule?: string } = {}): string {
  const path = join(dir, 'w.yaml');
  writeFileSync(
    path,
    (opts.port ? `server:\n  listen: "127.0.0.1:${opts.port}"\n  rate_limit:\n    requests_per_minute: 0\n` : '') +
      `storage:\n  path: "${join(dir, 'w.db')}"\nfetch:\n  concurrency: 32\n  per_host: 32\n  timeout: 10m\n${opts.schedule ? `  schedule: "${opts.schedule}"\n` : ''}` +
      `sources:\n${urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}${TAGS}` +
      `outputs:\n  - id: all\n    title: All\n    tags: [Putin, Minsk]\n    limit: 50\n${opts.extra ?? ''}log:\n  level: ${opts.logLevel ?? 'info'}\n`,
  );
  return path;
}

/** `warta fetch --config` as a child, timed; items inserted are summed from its report. */
export async function runFetch(config: string, bin: string = BIN): Promise<{ secs: number; inserted: number; peakMb: number; cpuSecs: number }> {
  const t = process.hrtime.bigint();
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', process.execPath, bin, 'fetch', '--config', config], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-100_000)));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`warta fetch exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const inserted = r.stdout.trim().split('\n').reduce((n, l) => n + Number(/new (\d+)/.exec(l)?.[1] ?? 0), 0);
  const [user = NaN, sys = NaN, kb = NaN] = (r.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { secs, inserted, peakMb: kb / 1024, cpuSecs: user + sys };
}

/** The node flags (`--x=y` before bin/warta.js) in the `start` script of the checkout at `repo`'s package.json. */
export function startFlags(repo: string): string[] {
  const start = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  return /\bnode((?:\s+--\S+)*)\s+bin\/warta\.js/.exec(start)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/** The daemon as a child process, counting the start-up poll's refresh log lines (log level info). */
export class BenchDaemon {
  readonly child: ChildProcess;
  refreshes = 0;
  /** The daemon's "heap given back after a burst of refreshes" lines (its heap reducer's last step, daemon/heap.ts). */
  heapGivenBack = 0;
  /** Called with every log line on stdout (JSON), for benches that follow more than the start-up poll. */
  onLine?: (line: string) => void;
  private tail = '';
  private partial = '';
  readonly startedAt = Date.now();

  constructor(readonly config: string, readonly base: string, nodeArgs: string[] = [], bin: string = BIN) {
    // MALLOC_ARENA_MAX=2 as `npm start` and the Docker image run the daemon (README), unless the caller's env sets it.
    const env = { MALLOC_ARENA_MAX: '2', ...process.env };
    // And node's flags as that checkout's `npm start` gives them (a base build without them runs without them).
    const flags = startFlags(join(dirname(bin), '..'));
    this.child = spawn(process.execPath, [...flags, ...nodeArgs, bin, 'start', '--config', config, '--log-format', 'json'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const count = (d: Buffer) => {
      const text = this.partial + d.toString();
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      // Only the start-up poll's refreshes: a slow poll overlaps cron ticks, whose refreshes would count too.
      for (const l of lines) {
        this.onLine?.(l);
        if (l.includes('"msg":"refresh ') && l.includes('"why":"startup"')) this.refreshes++;
        else if (l.includes('"msg":"heap given back')) this.heapGivenBack++;
      }
      this.tail = (this.tail + d).slice(-5000);
    };
    this.child.stdout!.on('data', count);
    this.child.stderr!.on('data', (d) => (this.tail = (this.tail + d).slice(-5000)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves when /healthz answers. */
  async ready(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.child.exitCode !== null) throw new Error(`the daemon exited: ${this.tail}`);
      if (await fetch(`${this.base}/healthz`).then((r) => r.ok, () => false)) return;
      await sleep(50);
    }
    throw new Error(`the daemon did not answer /healthz: ${this.tail}`);
  }

  /** Resolves when `n` start-up refreshes have been logged, calling `tick` every `everyMs` meanwhile. */
  async refreshed(n: number, tick?: () => void | Promise<void>, everyMs = 250, timeoutMs = 1_800_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.refreshes < n) {
      if (this.child.exitCode !== null) throw new Error(`the daemon exited: ${this.tail}`);
      if (Date.now() > until) throw new Error(`only ${this.refreshes}/${n} refreshes in ${timeoutMs} ms`);
      await tick?.();
      await sleep(everyMs);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
}
