/**
 * A watcher thread for crash-retag.ts: it reads a re-tag pass's progress from the database (meta
 * `rules_fingerprint` and `retag_progress`, through its own read-only connection) every half millisecond and
 * sends the SIGKILL itself, so a kill aimed at a point of the pass does not wait for the check's event loop,
 * which meanwhile reads the daemon's outputs and parses them. The thread sleeps with Atomics.wait, not timers.
 *
 * Two requests, one at a time: `observe` records every progress value a pass commits (calibration), `aim` waits
 * for this start's pass to commit past a point, waits a little more and kills.
 */
import Database from 'better-sqlite3';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** Every step of the wait: about 0.6 ms on this machine even when busy (p99 1.5 ms at load 12 on 2 cores). */
const POLL_MS = 0.5;

/** A pass's state as meta shows it. */
interface Meta {
  fingerprint: string | null;
  progress: { fingerprint: string; after: number } | null;
}

/** What `observe` saw of one pass away from some rules: each progress value it committed, ms since the request. */
export interface Observed {
  finished: boolean;
  commits: { ms: number; after: number }[];
  ms: number;
}

/** Where to kill: the pass to `target` (a rules fingerprint) of the daemon `pid`. */
export interface Aim {
  pid: number;
  target: string;
  /** Where this start's pass begins: only progress past it was committed by this start. */
  resumeAfter: number;
  /** Kill once this start's pass has committed a range ending at or past this id… */
  threshold: number;
  /**
   * …then after `extraShare` of the time between the last two commits it saw, at most `rangeMs` (the calibrated
   * time a range takes, also used when it saw one commit only)…
   */
  extraShare: number;
  rangeMs: number;
  /** …but at once when the range it saw ends past this id (too few ranges left to wait). */
  waitUpTo: number;
  timeoutMs: number;
}

/** What happened to an aim. */
export interface Aimed {
  /** The SIGKILL was sent (else the pass finished, or the daemon exited or `timeoutMs` passed, first). */
  fired: boolean;
  /** The pass to `target` finished before it reached the threshold. */
  finished: boolean;
  /** The last progress of this pass seen before the kill (0: none). */
  seenAfter: number;
  /** Commits of this pass seen, and the ms waited after the one that reached the threshold. */
  commitsSeen: number;
  extraMs: number;
}

type Body = { db: string } & ({ kind: 'observe'; from: string; timeoutMs: number } | ({ kind: 'aim' } & Aim));
type Request = Body & { id: number; stop: SharedArrayBuffer };

/** The watcher thread, seen from the check. */
export class RetagWatcher {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`retag watcher: ${m.error}`));
      else p.resolve(m.result);
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
    worker.on('exit', (code) => fail(new Error(`retag watcher exited (code ${code})`)));
  }

  /** Starts the thread (this module again, through tsx when the check runs from source). */
  static async start(): Promise<RetagWatcher> {
    const self = import.meta.url;
    const boot = self.endsWith('.ts')
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`
      : `import(${JSON.stringify(self)})`;
    const worker = new Worker(boot, { eval: true, workerData: { role: 'retag-watcher' } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return new RetagWatcher(worker);
  }

  /**
   * Runs a request until it ends or `until` settles (the daemon exited: the thread stops waiting and never
   * signals a pid that may have been reused).
   */
  private request<T>(body: Body, until: Promise<unknown>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const stop = new SharedArrayBuffer(4);
    const id = ++this.seq;
    void until.then(() => Atomics.store(new Int32Array(stop), 0, 1));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id, stop } as Request);
    });
  }

  /**
   * Records a pass away from the rules fingerprinted `from` (to rules whose fingerprint the check does not know
   * yet) until it records its own, the daemon exits or `timeoutMs` passes.
   */
  observe(db: string, from: string, timeoutMs: number, exited: Promise<unknown>): Promise<Observed> {
    return this.request({ kind: 'observe', db, from, timeoutMs }, exited);
  }

  /** Kills the daemon `aim.pid` at the point `aim` describes (see Aim). */
  aim(db: string, aim: Aim, exited: Promise<unknown>): Promise<Aimed> {
    return this.request({ kind: 'aim', db, ...aim }, exited);
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

// ——— the thread ———

function readMeta(stmt: Database.Statement): Meta {
  const rows = stmt.all() as { key: string; value: string }[];
  const get = (k: string) => rows.find((r) => r.key === k)?.value ?? null;
  const progress = get('retag_progress');
  return { fingerprint: get('rules_fingerprint'), progress: progress === null ? null : (JSON.parse(progress) as Meta['progress']) };
}

function serve(req: Request): Observed | Aimed {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const stop = new Int32Array(req.stop);
  const sleep = (ms: number) => void Atomics.wait(nap, 0, 0, ms);
  const t0 = performance.now();
  const db = new Database(req.db, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const stmt = db.prepare("SELECT key, value FROM meta WHERE key IN ('rules_fingerprint', 'retag_progress')");
    if (req.kind === 'observe') {
      const commits: Observed['commits'] = [];
      while (performance.now() - t0 < req.timeoutMs && Atomics.load(stop, 0) === 0) {
        const m = readMeta(stmt);
        const p = m.progress;
        if (p && p.fingerprint !== req.from && p.after !== commits.at(-1)?.after) commits.push({ ms: performance.now() - t0, after: p.after });
        const f = m.fingerprint;
        if (f !== null && f !== req.from && !f.startsWith('pending:')) return { finished: true, commits, ms: performance.now() - t0 };
        sleep(POLL_MS);
      }
      return { finished: false, commits, ms: performance.now() - t0 };
    }
    // This start's pass: meta says it runs to `target` (`pending:` is written before its first range) and its
    // progress is past where it began. Progress an earlier start left is not this pass's.
    const pending = `pending:${req.target}`;
    let seenAfter = 0;
    let commitsSeen = 0;
    let lastAt = 0;
    let interval = 0;
    while (performance.now() - t0 < req.timeoutMs && Atomics.load(stop, 0) === 0) {
      const m = readMeta(stmt);
      if (m.fingerprint === req.target) return { fired: false, finished: true, seenAfter, commitsSeen, extraMs: 0 };
      const p = m.progress;
      if (m.fingerprint === pending && p?.fingerprint === req.target && p.after > req.resumeAfter && p.after !== seenAfter) {
        const now = performance.now();
        if (lastAt > 0) interval = now - lastAt;
        lastAt = now;
        seenAfter = p.after;
        commitsSeen++;
        if (p.after >= req.threshold) {
          const extraMs = p.after > req.waitUpTo ? 0 : req.extraShare * Math.min(interval || req.rangeMs, req.rangeMs);
          if (extraMs > 0) sleep(extraMs);
          if (Atomics.load(stop, 0) !== 0) break;
          try {
            process.kill(req.pid, 'SIGKILL');
          } catch {
            break; // it exited meanwhile (ESRCH): the check finds out from the database and its exit
          }
          return { fired: true, finished: false, seenAfter, commitsSeen, extraMs };
        }
      }
      sleep(POLL_MS);
    }
    return { fired: false, finished: false, seenAfter, commitsSeen, extraMs: 0 };
  } finally {
    db.close();
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'retag-watcher') {
  parentPort!.on('message', (req: Request) => {
    try {
      parentPort!.postMessage({ id: req.id, result: serve(req) });
    } catch (err) {
      parentPort!.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
  parentPort!.postMessage({ ready: true });
}
