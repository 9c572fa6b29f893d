/**
 * The daemon under test, as a user runs it: the built `bin/warta.js start` as a child process on 127.0.0.1.
 *
 * Integration tests start it through `startDaemon` / `withDaemon`, which write the config into a temp dir (a free
 * port, a database in that dir), wait for /healthz, and stop it (SIGTERM, then SIGKILL after a bound) and remove
 * the dir — also when the test fails. `DaemonProcess`, `freePort` and `runWarta` are the parts it is built on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, stringify } from 'yaml';
import { tempDir } from './tmp.js';
import { waitFor, type WaitOptions } from './wait.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/warta.js', import.meta.url));

/** How long a daemon gets to start answering /healthz (it applies migrations and may re-tag first). */
export const READY_TIMEOUT_MS = 30_000;
/** How long a stopping daemon gets after its signal before SIGKILL (its own shutdown guard is 5 s). */
export const STOP_TIMEOUT_MS = 10_000;

/** A free TCP port on 127.0.0.1 (bound then released; fine for tests on one machine). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** How long one warta command may run in a test before it is killed (a `warta fetch` of a big farm included). */
export const RUN_TIMEOUT_MS = 600_000;

/**
 * Runs a warta command to completion (the built CLI, as a user runs it). One still running after RUN_TIMEOUT_MS
 * is killed and resolves with code null and a last line of stderr saying so: a command that never ends fails the
 * test that ran it instead of hanging it.
 */
export function runWarta(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n[test helper: warta ${args.join(' ')} still running after ${RUN_TIMEOUT_MS} ms: killed]`;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Every daemon child still running when mocha exits (a hook that never ran, --bail, a crash) is killed then, so
// no test leaves a daemon behind on a machine others share. Test-helper state, on purpose: it is the safety net.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The daemon as a real child process. */
export class DaemonProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private exited: Promise<number | null>;

  constructor(readonly baseUrl: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO) {
    this.child = spawn(process.execPath, [BIN, 'start', ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.child);
    this.child.stdout!.on('data', (d) => (this.stdout += d));
    this.child.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        running.delete(this.child);
        resolve(code);
      }),
    );
  }

  /** JSON log lines printed so far (complete lines only: the last may still be arriving). */
  logs(): Record<string, unknown>[] {
    return this.stdout
      .slice(0, this.stdout.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Everything the daemon printed, for failure messages. */
  output(): string {
    return `daemon stderr:\n${this.stderr}\ndaemon stdout:\n${this.stdout}`;
  }

  /** Why waiting on this daemon is pointless (it has exited), or null. */
  private gone = (): string | null =>
    this.child.exitCode !== null || this.child.signalCode !== null ? `the daemon exited (${this.child.exitCode ?? this.child.signalCode})` : null;

  /** Resolves once /healthz answers 200; fails at once if the daemon exits first. */
  async ready(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    await waitFor(async () => (await fetch(`${this.baseUrl}/healthz`)).ok, {
      what: `GET ${this.baseUrl}/healthz to answer 200`,
      timeoutMs,
      giveUpIf: this.gone,
      details: () => this.output(),
    });
  }

  /**
   * Polls until `check` returns true (e.g. the first refresh has landed). The second argument is the bound in ms,
   * or `{ timeoutMs, what }`: say what is awaited and a failure says it too. The daemon's output is added.
   */
  async until(check: () => boolean | Promise<boolean>, opts: number | Partial<Pick<WaitOptions, 'timeoutMs' | 'what' | 'intervalMs'>> = {}): Promise<void> {
    const { timeoutMs, what = 'a condition on the daemon', intervalMs } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
    await waitFor(check, { what, timeoutMs, intervalMs, giveUpIf: this.gone, details: () => this.output() });
  }

  /**
   * Sends a signal and resolves with the exit code and how long the exit took. A process still running
   * `killAfterMs` after the signal is killed (SIGKILL): the code is then null.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = STOP_TIMEOUT_MS): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return { code: this.child.exitCode, ms: 0 };
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    try {
      const code = await this.exited;
      return { code, ms: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Where a harness daemon lives: what a config (or a test) needs to know before it starts. */
export interface DaemonPlace {
  /** Its temp dir: the config file, the database, and anything else the test puts there. */
  dir: string;
  port: number;
  /** `127.0.0.1:<port>`, as `server.listen` takes it. */
  listen: string;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  configPath: string;
  /** `<dir>/warta.db`: the database, unless the config names another. */
  dbPath: string;
}

/** A config, as an object or as YAML text (or a function of where the daemon lives, for one that embeds it). */
export type DaemonConfig = Record<string, unknown> | string | ((at: DaemonPlace) => string);

/** What `startDaemon` starts. */
export interface DaemonOptions {
  /** An object (written as YAML) … */
  config?: Record<string, unknown>;
  /** … or YAML text. Either way `server.listen` and `storage.path` are filled in where it does not set them. */
  yaml?: string | ((at: DaemonPlace) => string);
  /** Added to the environment (WARTA_LISTEN, WARTA_DB and WARTA_BASE_URL are cleared: the config decides). */
  env?: NodeJS.ProcessEnv;
  /** After `start --config FILE`, such as `['--log-level', 'warn']`. */
  args?: string[];
  /** Working directory of the daemon (default: its temp dir, so a relative path cannot land in the repo). */
  cwd?: string;
  /** Runs once the dir and config exist, before the daemon first starts: seed the database, copy a fixture … */
  prepare?: (at: DaemonPlace) => void | Promise<void>;
  readyTimeoutMs?: number;
}

/** The config as written: `server.listen` and `storage.path` filled in where missing, the rest as given. */
function completeConfig(config: DaemonConfig, at: DaemonPlace): { text: string; dbPath: string | null; listen: string | null } {
  const given = typeof config === 'function' ? config(at) : typeof config === 'string' ? config : stringify(config);
  const doc = parseDocument(given);
  // A deliberately broken config is written as given: the test is about the daemon's answer to it.
  if (doc.errors.length > 0) return { text: given, dbPath: null, listen: null };
  const path = doc.getIn(['storage', 'path']);
  const listen = doc.getIn(['server', 'listen']);
  if (listen === undefined) doc.setIn(['server', 'listen'], at.listen);
  if (path === undefined) doc.setIn(['storage', 'path'], at.dbPath);
  // Set keys go at the end, so the lines a test wrote keep their numbers (problems are reported as FILE:LINE:COL).
  return {
    text: listen === undefined || path === undefined ? doc.toString({ lineWidth: 0 }) : given,
    dbPath: typeof path === 'string' ? path : at.dbPath,
    listen: typeof listen === 'string' ? listen : at.listen,
  };
}

/** A daemon in its own temp dir, started and stopped as a test needs (restarts keep the dir, config and port). */
export class Daemon implements DaemonPlace {
  readonly dir: string;
  /** Port, listen address and base URL: the harness's free port, or what the config itself sets. */
  port: number;
  listen: string;
  base: string;
  readonly configPath: string;
  dbPath: string;
  /** Whether the port is the harness's pick (another may be picked) rather than the config's own. */
  portChosen = true;
  private current: DaemonProcess | null = null;
  private removeDir: () => void;

  constructor(
    port: number,
    private readonly opts: DaemonOptions,
  ) {
    const tmp = tempDir('warta-daemon-');
    this.dir = tmp.dir;
    this.removeDir = tmp.cleanup;
    this.port = port;
    this.listen = `127.0.0.1:${port}`;
    this.base = `http://${this.listen}`;
    this.configPath = join(this.dir, 'warta.yaml');
    this.dbPath = join(this.dir, 'warta.db');
  }

  /** Writes `config` to the config file, completed with this daemon's port and database (a reload test's edit). */
  writeConfig(config: DaemonConfig): void {
    const { text, dbPath, listen } = completeConfig(config, this);
    if (dbPath !== null) this.dbPath = isAbsolute(dbPath) ? dbPath : resolve(this.opts.cwd ?? this.dir, dbPath);
    const [, host = '', port = ''] = /^\[?(.*?)\]?:(\d+)$/.exec(listen ?? '') ?? [];
    if (port !== '' && listen !== this.listen) {
      // The config sets its own address: wait for and talk to the daemon there.
      this.portChosen = false;
      this.port = Number(port);
      this.listen = listen!;
      this.base = `http://${host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
    }
    writeFileSync(this.configPath, text);
  }

  /** The running process (the last one started). */
  get process(): DaemonProcess {
    if (!this.current) throw new Error('the daemon has not been started');
    return this.current;
  }
  get child(): ChildProcess {
    return this.process.child;
  }
  get stdout(): string {
    return this.current?.stdout ?? '';
  }
  get stderr(): string {
    return this.current?.stderr ?? '';
  }
  logs(): Record<string, unknown>[] {
    return this.process.logs();
  }
  until(check: () => boolean | Promise<boolean>, opts?: Parameters<DaemonProcess['until']>[1]): Promise<void> {
    return this.process.until(check, opts);
  }

  /** Starts the daemon (again) on the config file and resolves once /healthz answers. */
  async start(): Promise<this> {
    if (this.current && this.current.child.exitCode === null && this.current.child.signalCode === null) throw new Error('the daemon is already running');
    const env = { WARTA_LISTEN: '', WARTA_DB: '', WARTA_BASE_URL: '', ...this.opts.env };
    this.current = new DaemonProcess(this.base, ['--config', this.configPath, ...(this.opts.args ?? [])], env, this.opts.cwd ?? this.dir);
    await this.current.ready(this.opts.readyTimeoutMs);
    // /healthz answers for any daemon: make sure it is this one (/readyz names its config file), not another
    // test's that took the port first while this one failed to bind.
    const answer = (await fetch(`${this.base}/readyz`).then((r) => r.json(), () => null)) as { config?: unknown } | null;
    if (typeof answer?.config === 'string' && resolve(this.opts.cwd ?? this.dir, answer.config) !== this.configPath) {
      throw new Error(`port ${this.port} is taken (EADDRINUSE): the daemon answering there runs ${answer.config}, not ${this.configPath}`);
    }
    return this;
  }

  /** Signals the daemon (SIGTERM by default; SIGKILL after `killAfterMs`), resolving with its exit code and time. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = STOP_TIMEOUT_MS): Promise<{ code: number | null; ms: number }> {
    return this.current ? this.current.stop(signal, killAfterMs) : { code: null, ms: 0 };
  }

  /** Stops the daemon if it runs (SIGTERM, then SIGKILL) and removes its dir. Safe to call twice. */
  async close(): Promise<void> {
    try {
      await this.stop('SIGTERM');
    } finally {
      this.removeDir();
    }
  }
}

/** Writes the config into a fresh temp dir, on a free port, without starting anything (see `Daemon.start`). */
export async function createDaemon(opts: DaemonOptions): Promise<Daemon> {
  const daemon = new Daemon(await freePort(), opts);
  try {
    daemon.writeConfig(opts.yaml ?? opts.config ?? {});
    await opts.prepare?.(daemon);
  } catch (err) {
    await daemon.close();
    throw err;
  }
  return daemon;
}

/**
 * Starts a daemon in a fresh temp dir and resolves once it answers /healthz. Call `close()` when done (in an
 * `after` hook); if starting fails, it has already stopped and cleaned up.
 */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  for (let attempt = 1; ; attempt++) {
    const daemon = await createDaemon(opts);
    try {
      return await daemon.start();
    } catch (err) {
      // freePort's port can be taken by another process before the daemon binds it (the machine is shared):
      // start afresh on another port rather than fail the test.
      const taken = [String(err), daemon.stderr, daemon.stdout].some((text) => text.includes('EADDRINUSE'));
      await daemon.close();
      if (!taken || !daemon.portChosen || attempt === 3) throw err;
    }
  }
}

/** Runs `fn` with a started daemon, then stops it and removes its dir, whether `fn` passed or threw. */
export async function withDaemon<T>(opts: DaemonOptions, fn: (daemon: Daemon) => Promise<T>): Promise<T> {
  const daemon = await startDaemon(opts);
  try {
    return await fn(daemon);
  } finally {
    await daemon.close();
  }
}
