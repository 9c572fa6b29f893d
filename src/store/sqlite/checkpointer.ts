/**
 * WAL checkpoints off the event loop (issue 15). SQLite checkpoints automatically inside the COMMIT that takes
 * the WAL past 1,000 pages: it copies those pages into the database file and syncs both files, on the thread
 * that committed. In the daemon that is the event loop, and the commit that pays it took 20-120 ms (bench/stall.ts
 * over a start-up poll: the slowest /healthz probes waited on `sqliteTransaction`, whose own time is BEGIN and
 * COMMIT). Here:
 * - the connection's automatic checkpoint is raised to SAFETY_PAGES, a net for a thread that falls behind;
 * - after a write (`wrote()`), a thread with a connection of its own runs a PASSIVE checkpoint, at most once per
 *   `intervalMs` and one at a time; the thread starts with the first write and stops after `idleMs` without any,
 *   so an idle daemon pays nothing for it;
 * - when the thread cannot start or dies, the connection checkpoints itself again as SQLite does by default
 *   (`fellBack`), for good: never a WAL that grows without bound.
 * A PASSIVE checkpoint never blocks the writer; what it cannot copy yet (a reader's snapshot still needs it) the
 * next one copies. SQLite restarts the WAL from its beginning at the first write after a complete checkpoint.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../base/module-worker.js';
import type { CheckpointReply, CheckpointRequest, CheckpointWorkerData } from './checkpoint-worker.js';
import type { Db } from './open.js';

/** SQLite's own automatic checkpoint, in pages (its default). */
export const SQLITE_AUTOCHECKPOINT = 1000;
/** The connection's automatic checkpoint while the thread checkpoints: 64 MiB of 4 KiB pages. */
export const SAFETY_PAGES = 16_384;
const INTERVAL_MS = 1000;
const WAL_SIZE_LIMIT = 16 * 2 ** 20;
const IDLE_MS = 30_000;
// A thread asked to close that has not ended by then is terminated.
const CLOSE_WAIT_MS = 2000;

const WORKER_URL = siblingModule(import.meta.url, 'checkpoint-worker');

export interface CheckpointerOptions {
  intervalMs?: number;
  idleMs?: number;
  /** The worker module (tests: one that cannot start). */
  workerUrl?: URL;
  /** Told once when checkpoints go back to the connection for good, and why. */
  onFallback?: (reason: string) => void;
}

export interface CheckpointerStats {
  /** Threads not yet exited: 1 while the thread runs; 2 for a moment when one stopped for idleness is still closing. */
  threads: number;
  /** Threads started (a thread stopped when idle and started again counts again). */
  started: number;
  checkpoints: number;
  /** Frames in the WAL at the last checkpoint, and how many of them were in the database file after it. */
  lastLog: number;
  lastCheckpointed: number;
  /** Checkpoints went back to the connection (the thread could not start, or died). */
  fellBack: boolean;
}

export interface Checkpointer {
  /** A transaction was committed on the connection: a checkpoint follows within `intervalMs`. */
  wrote(): void;
  /** Resolves when the checkpoint asked for (if any) is done (tests). */
  idle(): Promise<void>;
  /** Stops the thread (its last checkpoint finished or not); the connection's own close checkpoints the rest. */
  close(): Promise<void>;
  stats(): CheckpointerStats;
}

/** Checkpoints `db` (the file at `path`, in WAL mode) on a thread of its own. */
export function startCheckpointer(db: Db, path: string, opts: CheckpointerOptions = {}): Checkpointer {
  const intervalMs = opts.intervalMs ?? INTERVAL_MS;
  const idleMs = opts.idleMs ?? IDLE_MS;
  db.pragma(`wal_autocheckpoint = ${SAFETY_PAGES}`);
  // The WAL can now grow past SQLite's usual ~4 MiB between checkpoints; once it restarts, its file is cut back to this.
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  let worker: Worker | null = null;
  let ready = false;
  /** Threads not yet exited: the current one, and one stopped for idleness that may still be closing. */
  let alive = 0;
  const exitWaiters: (() => void)[] = [];
  /** A checkpoint asked for and not answered (sent, or waiting for the thread to be ready). */
  let pending = false;
  /** A write came while a checkpoint was pending: another follows it (the last writes of a burst are copied too). */
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let lastAt = -Infinity;
  let seq = 0;
  let closed = false;
  const waiters: (() => void)[] = [];
  const stats: Omit<CheckpointerStats, 'threads'> = { started: 0, checkpoints: 0, lastLog: 0, lastCheckpointed: 0, fellBack: false };

  function settle(): void {
    pending = false;
    for (const w of waiters.splice(0)) w();
  }

  function fallBack(reason: string): void {
    if (stats.fellBack) return;
    stats.fellBack = true;
    if (timer) clearTimeout(timer);
    timer = null;
    stop();
    try {
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    } catch {
      // A connection being closed: nothing left to checkpoint from here.
    }
    settle();
    opts.onFallback?.(reason);
  }

  function spawn(): Worker {
    const w = startModuleWorker(opts.workerUrl ?? WORKER_URL, { path } satisfies CheckpointWorkerData);
    w.unref();
    stats.started++;
    alive++;
    ready = false;
    w.on('message', (reply: CheckpointReply) => {
      if (w !== worker) return;
      if ('ready' in reply) {
        ready = true;
        if (pending) send();
        return;
      }
      if ('error' in reply) {
        // A lock held elsewhere (another process's checkpoint, a schema read) skips this round: a later one copies
        // it. Anything else (an I/O error): the connection's own checkpoints take over.
        if (!reply.busy) return fallBack(`the checkpoint failed: ${reply.error}`);
      } else {
        stats.checkpoints++;
        stats.lastLog = reply.log;
        stats.lastCheckpointed = reply.checkpointed;
      }
      lastAt = performance.now();
      settle();
      if (again) {
        again = false;
        schedule();
      } else restIdle();
    });
    w.on('error', (err) => {
      if (w === worker) fallBack(`the checkpoint thread failed: ${err.message}`);
    });
    w.on('exit', (code) => {
      if (--alive === 0) for (const r of exitWaiters.splice(0)) r();
      if (w !== worker) return;
      worker = null;
      if (!closed) fallBack(`the checkpoint thread exited (code ${code})`);
    });
    return w;
  }

  function send(): void {
    if (!worker) {
      try {
        worker = spawn();
      } catch (err) {
        // No thread to be had (a container's thread limit: ERR_WORKER_INIT_FAILED is thrown here, not emitted).
        return fallBack(`the checkpoint thread could not start: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!ready) return; // sent when the thread says it is ready
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    worker.postMessage({ checkpoint: ++seq } satisfies CheckpointRequest);
  }

  function restIdle(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (!pending && !timer) stop();
    }, idleMs);
    idleTimer.unref();
  }

  /** Ends the thread (asked to close its connection; terminated if it does not). */
  function stop(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const w = worker;
    if (!w) return;
    worker = null;
    // Referenced until it exits: close() awaits that exit, and an unreferenced thread is no reason for the event
    // loop to wait (a daemon's last await would be left unsettled: exit code 13).
    w.ref();
    w.postMessage({ close: true } satisfies CheckpointRequest);
    const kill = setTimeout(() => void w.terminate().catch(() => {}), CLOSE_WAIT_MS);
    kill.unref();
    w.once('exit', () => clearTimeout(kill));
  }

  /** The next checkpoint: now, or when `intervalMs` has passed since the last one. */
  function schedule(): void {
    const fire = () => {
      pending = true;
      send();
    };
    const wait = lastAt + intervalMs - performance.now();
    if (wait <= 0) return fire();
    timer = setTimeout(() => {
      timer = null;
      if (!closed && !stats.fellBack) fire();
    }, wait);
    timer.unref();
  }

  async function idle(): Promise<void> {
    while (pending || timer) await new Promise<void>((resolve) => waiters.push(resolve));
  }

  return {
    wrote() {
      if (closed || stats.fellBack || timer) return;
      if (pending) again = true;
      else schedule();
    },
    idle,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      stop();
      settle();
      // Every thread, the one stopped for idleness too: none outlives the store.
      if (alive > 0) await new Promise<void>((resolve) => exitWaiters.push(resolve));
    },
    stats: () => ({ ...stats, threads: alive }),
  };
}
