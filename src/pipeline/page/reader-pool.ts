/**
 * Page reading in worker threads (issue 12): parsing and extracting a page is synchronous CPU work — tens of
 * milliseconds for a news page, seconds for a hostile one (100,000 elements of links) — and on the daemon's
 * event loop it stalled serving for as long. Each read runs in a reader thread, one page at a time per thread:
 * - at most `size()` threads (the caller passes min(fetch.page_concurrency, cores)), started when pages come and
 *   stopped after IDLE_MS without work, so an idle daemon pays no memory for them;
 * - a read that takes longer than `timeLimitMs()` (fetch.page_time_limit) terminates its thread, rejects with
 *   `extract_timeout`, and the next read gets a new thread; the clock starts when the page reaches a thread, not
 *   while it waits for one;
 * - each thread has a V8 heap limit (resourceLimits): a page that needs more rejects with `too_large`. Node stops
 *   a thread at its limit on a best-effort basis only: one huge allocation can abort the whole process instead
 *   (nodejs/node#47224). So the limit sits well above what a bounded page needs (dom.ts: 32–48 MB measured for
 *   the worst shapes), and a body too big to decode within it (over 1/8 of the heap) is refused before it is sent;
 * - an aborted signal (shutdown) rejects its read with `aborted`, and close() stops every thread without waiting
 *   for reads in progress.
 * Hand-written rather than piscina (5.3, Node ≥ 20, well kept): piscina's per-task abort counts the time a task
 * waits in its queue, and our time limit must count reading alone; the tsx start-up for tests (module-worker.ts)
 * and this bookkeeping are all the rest a pool needs here.
 */
import type { Worker } from 'node:worker_threads';
import { WartaError, type ErrorCode } from '../../base/errors.js';
import { siblingModule, startModuleWorker } from '../../base/module-worker.js';
import type { ExtractOptions, PageReading } from './index.js';
import type { Listing, PageReader, ReadRequest } from './reader.js';
import type { WorkerReply, WorkerRequest } from './reader-worker.js';

/** A reader thread's V8 heap limit: a bounded page (dom.ts) needs a few tens of MB; a bigger need is a hostile page. */
export const READER_HEAP_MB = 160;
/** A reader thread without work for this long is stopped (a new one starts in ~100 ms when pages come). */
export const IDLE_MS = 30_000;

const WORKER_URL = siblingModule(import.meta.url, 'reader-worker');

/** How the pool is bounded; functions, so a config reload applies to the next read. */
export interface ReaderPoolLimits {
  size: () => number;
  timeLimitMs: () => number;
  heapMb?: number;
  idleMs?: number;
}

interface Task {
  seq: number;
  request: ReadRequest;
  resolve: (value: unknown) => void;
  reject: (err: WartaError) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
  timer: NodeJS.Timeout | null;
  thread: Thread | null;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  task: Task | null;
  idle: NodeJS.Timeout | null;
  exited: Promise<void>;
}

/** What a pool reports about itself (tests, logs). */
export interface ReaderPoolStats {
  threads: number;
  busy: number;
  queued: number;
  /** Threads started since the pool was made (a replaced thread counts again). */
  started: number;
}

/** A PageReader whose reads run in worker threads, bounded in number, time and memory. */
export function makeReaderPool(limits: ReaderPoolLimits): PageReader & { stats(): ReaderPoolStats } {
  const heapMb = limits.heapMb ?? READER_HEAP_MB;
  const idleMs = limits.idleMs ?? IDLE_MS;
  const threads = new Set<Thread>();
  const queue: Task[] = [];
  let seq = 0;
  let started = 0;
  let closed = false;

  function submit<T>(request: ReadRequest, signal: AbortSignal | undefined): Promise<T> {
    if (closed || signal?.aborted) return Promise.reject(aborted());
    // Decoding makes one string of the whole body (two bytes a character past Latin-1), then copies of it.
    if (request.body.length > (heapMb * 1024 * 1024) / 8) {
      return Promise.reject(new WartaError('too_large', `the page is ${(request.body.length / 1048576).toFixed(1)} MiB, more than the page reader takes (${heapMb / 8} MiB)`));
    }
    return new Promise<T>((resolve, reject) => {
      const task: Task = { seq: ++seq, request, resolve: resolve as (v: unknown) => void, reject, signal, onAbort: null, timer: null, thread: null };
      if (signal) {
        task.onAbort = () => cancel(task);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      // A section page is a poll's (type: html): it goes before the article pages waiting (feed polls first).
      const at = request.kind === 'listing' ? queue.findIndex((t) => t.request.kind !== 'listing') : -1;
      if (at >= 0) queue.splice(at, 0, task);
      else queue.push(task);
      dispatch();
    });
  }

  // Idle ready threads take queued reads; threads are started for what is left, up to the size.
  function dispatch(): void {
    if (closed) return;
    for (const t of threads) {
      if (queue.length === 0) break;
      if (t.ready && t.task === null) run(t, queue.shift()!);
    }
    let starting = 0;
    for (const t of threads) if (!t.ready) starting++;
    for (let want = Math.min(queue.length - starting, limits.size() - threads.size); want > 0; want--) spawn();
  }

  function spawn(): void {
    const worker = startModuleWorker(WORKER_URL, null, { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 });
    started++;
    let exit!: () => void;
    const thread: Thread = { worker, ready: false, task: null, idle: null, exited: new Promise((r) => (exit = r)) };
    threads.add(thread);
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        thread.ready = true;
        rest(thread);
        return dispatch();
      }
      const task = thread.task;
      if (!task || task.seq !== reply.seq) return;
      thread.task = null;
      settle(task, 'error' in reply ? new WartaError(reply.error.code as ErrorCode, reply.error.message) : null, 'value' in reply ? reply.value : undefined);
      rest(thread);
      dispatch();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const error = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new WartaError('too_large', `reading the page needed more than the page reader's ${heapMb} MB of memory; the reader was stopped`)
        : new WartaError('parse_error', `the page reader failed: ${err.message}`, { cause: err });
      // A thread that fails before it is ready fails for every page (a module that does not load): the reads
      // waiting now fail with it instead of starting thread after thread.
      if (!thread.ready) for (const task of queue.splice(0)) settle(task, error);
      stop(thread, error);
    });
    worker.on('exit', (code) => {
      exit();
      if (threads.has(thread)) stop(thread, new WartaError('parse_error', `the page reader exited (code ${code})`));
    });
  }

  function run(thread: Thread, task: Task): void {
    if (thread.idle) clearTimeout(thread.idle);
    thread.idle = null;
    thread.task = task;
    task.thread = thread;
    thread.worker.ref();
    const limitMs = limits.timeLimitMs();
    task.timer = setTimeout(() => {
      stop(thread, new WartaError('extract_timeout', `reading the page took longer than ${formatSeconds(limitMs)} (fetch.page_time_limit); its reader was stopped`));
      dispatch();
    }, limitMs);
    const message: WorkerRequest = { ...task.request, seq: task.seq };
    thread.worker.postMessage(message);
  }

  // An idle thread does not keep the process alive, and is stopped after idleMs.
  function rest(thread: Thread): void {
    thread.worker.unref();
    if (thread.idle) clearTimeout(thread.idle);
    thread.idle = setTimeout(() => {
      if (thread.task === null) stop(thread, null);
    }, idleMs);
    thread.idle.unref();
  }

  /** Terminates a thread; its read, if any, rejects with `error`. */
  function stop(thread: Thread, error: WartaError | null): void {
    if (!threads.delete(thread)) return;
    if (thread.idle) clearTimeout(thread.idle);
    const task = thread.task;
    thread.task = null;
    if (task) settle(task, error ?? aborted());
    void thread.worker.terminate().catch(() => {});
  }

  function settle(task: Task, error: WartaError | null, value?: unknown): void {
    if (task.timer) clearTimeout(task.timer);
    if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
    task.timer = null;
    task.onAbort = null;
    if (error) task.reject(error);
    else task.resolve(value);
  }

  function cancel(task: Task): void {
    const at = queue.indexOf(task);
    if (at >= 0) {
      queue.splice(at, 1);
      return settle(task, aborted());
    }
    if (task.thread && task.thread.task === task) {
      stop(task.thread, aborted());
      dispatch();
    }
  }

  return {
    article: (body, contentType, url, options: ExtractOptions, signal) => submit<PageReading>({ kind: 'article', body, contentType, url, options }, signal),
    listing: (body, contentType, url, items, signal) => submit<Listing>({ kind: 'listing', body, contentType, url, items }, signal),
    async close() {
      closed = true;
      for (const task of queue.splice(0)) settle(task, aborted());
      const exits = [...threads].map((t) => t.exited);
      for (const t of [...threads]) stop(t, aborted());
      await Promise.all(exits);
    },
    stats() {
      let busy = 0;
      for (const t of threads) if (t.task) busy++;
      return { threads: threads.size, busy, queued: queue.length, started };
    },
  };
}

function aborted(): WartaError {
  return new WartaError('aborted', 'page reading stopped (shutting down)');
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
