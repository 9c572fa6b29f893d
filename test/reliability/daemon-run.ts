/**
 * A daemon under test: the real built `bin/warta.js start` as a child process, with the moments a check needs
 * (first answer, refreshes logged, a log line) and a SIGKILL that waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, REPO } from '../helpers/daemon.js';
import { bounded, get, sleep } from './lib.js';

/** How long a SIGKILLed daemon gets to be reaped, and a SIGTERMed one to stop before it is killed. */
const KILLED_EXIT_MS = 10_000;
const STOP_MS = 15_000;

// Every daemon still running when the suite's process exits (a check that failed on a bound before its kill, an
// exception) is killed then, so no run leaves a daemon behind on a machine others share.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The child process and what it printed (test/helpers' DaemonProcess, plus a uid to run as). */
interface Child {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<void>;
}

/** One start of the daemon. */
export class DaemonRun {
  readonly daemon: Child;
  readonly started = Date.now();
  /** ms after start when /healthz first answered, or null. */
  servedAt: number | null = null;
  private watching = true;

  /** Starts `warta start --config configPath`; `uid` runs it as another user (root reads any file); `nodeArgs` go to node itself (e.g. --inspect). */
  constructor(readonly base: string, configPath: string, extraArgs: string[] = [], opts: { uid?: number; nodeArgs?: string[] } = {}) {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, 'start', '--config', configPath, ...extraArgs], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
    });
    running.add(child);
    const d: Child = {
      child,
      stdout: '',
      stderr: '',
      exited: new Promise((resolve) =>
        child.on('exit', () => {
          running.delete(child);
          resolve();
        }),
      ),
    };
    child.stdout!.on('data', (x) => (d.stdout += x));
    child.stderr!.on('data', (x) => (d.stderr += x));
    this.daemon = d;
    void (async () => {
      while (this.watching && child.exitCode === null && child.signalCode === null) {
        const r = await get(`${base}/healthz`, 1000);
        if (r.status === 200) {
          this.servedAt = Date.now() - this.started;
          return;
        }
        await sleep(25);
      }
    })();
  }

  get pid(): number {
    return this.daemon.child.pid!;
  }

  get alive(): boolean {
    return this.daemon.child.exitCode === null && this.daemon.child.signalCode === null;
  }

  /** Parsed JSON log lines so far (a line cut by a kill is skipped). */
  logs(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.daemon.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* the last line of a killed process may be cut */
      }
    }
    return out;
  }

  /** Distinct sources whose refresh finished (any outcome) so far. */
  refreshedSources(): Set<string> {
    return new Set(this.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('refresh ')).map((l) => String(l.source)));
  }

  hasLog(pattern: RegExp): boolean {
    return pattern.test(this.daemon.stdout);
  }

  async untilServing(timeoutMs = 15_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && this.servedAt === null) {
      if (!this.alive) return false;
      await sleep(20);
    }
    return this.servedAt !== null;
  }

  /** SIGKILL and wait for the exit (bounded: a kill that is never reaped fails, naming the daemon). */
  async kill(): Promise<void> {
    this.watching = false;
    if (this.alive) this.daemon.child.kill('SIGKILL');
    await bounded(`daemon pid ${this.pid} to exit after SIGKILL`, KILLED_EXIT_MS, this.daemon.exited);
  }

  /**
   * SIGTERM; resolves with the exit code (a clean stop is 0). A daemon still running STOP_MS later is killed: the
   * code is then null, which no caller takes for a clean stop.
   */
  async stop(): Promise<number | null> {
    this.watching = false;
    if (this.alive) this.daemon.child.kill('SIGTERM');
    try {
      await bounded(`daemon pid ${this.pid} to stop after SIGTERM`, STOP_MS, this.daemon.exited);
    } catch {
      await this.kill();
      return null;
    }
    return this.daemon.child.exitCode;
  }
}
