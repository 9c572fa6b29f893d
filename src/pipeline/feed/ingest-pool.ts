/**
 * Feed reading in worker threads (issue 15): decoding, parsing and normalizing a document, and sketching its items
 * for the story stage (`sketch`), is pure CPU work, a third of a cold ingest, and on the main thread it ran in turn
 * with the SQLite transaction, classifying and judging stories. Here it runs on the other cores while the main
 * thread keeps HTTP, the store, the plan and the commits:
 * - `size` threads at most (the runtime: one fewer than the cores, at least one), started with the first
 *   document — a poll answered 304 starts none — and stopped after `idleMs` without work, so a settled daemon
 *   pays no memory for them;
 * - each thread holds at most DEPTH documents (its next one waits in its message port, not behind a round trip);
 *   the rest queue here in arrival order (a read whose skim a thread kept goes to that thread past DEPTH);
 * - a thread that dies (a V8 heap limit reached, a crash) fails the document it was reading with parse_error and
 *   is replaced; the documents queued behind that one go to the next thread;
 * - errors come back as the WartaErrors ingestDocument throws (code and message), so a refresh records what it
 *   recorded when it parsed on its own thread;
 * - close() rejects what waits with `aborted` and terminates every thread without waiting for a document.
 * The body is copied into a buffer of its own and transferred (a Buffer can be a view of a larger pooled one,
 * which a structured clone would copy whole); a decoded string is cloned; the feed comes back as a structured
 * clone (Dates stay Dates).
 */
import type { Worker } from 'node:worker_threads';
import { WartaError, type ErrorCode } from '../../base/errors.js';
import type { IngestedFeed } from '../../base/model.js';
import { siblingModule, startModuleWorker } from '../../base/module-worker.js';
import type { IngestControl, IngestReply, IngestRequest, IngestRules, IngestWorkerData } from './ingest-worker.js';
import type { CutMeta, CutRead, SkimmedBody, SkimmedCut } from './skim-body.js';

// Loaded only when the pool skims on this thread (it fell back): `warta fetch` of 304s loads no reading code
// (test/integration/cli-startup.test.ts).
const skimBodyHere = async () => import('./skim-body.js');

/** A parser thread's V8 heap limit: rss-parser's trees of a 10 MiB feed (fetch.max_body's default) fit in it. */
export const INGEST_HEAP_MB = 512;
/**
 * A parser thread's young generation (MB): a document's garbage is short-lived and its live set small, and V8's
 * default let a thread hold ~35 MiB more at the daemon's peak (bench/memory.ts 1000 50 20: 249 against 213 MiB).
 */
const YOUNG_MB = 8;
/** A parser thread without work for this long is stopped (one starts again in ~50-100 ms with the next body). */
export const INGEST_IDLE_MS = 10_000;
/** Documents sent to one thread at once. */
const DEPTH = 2;

const WORKER_URL = siblingModule(import.meta.url, 'ingest-worker');

export interface IngestPoolOptions {
  size: number;
  /** Sketch each item for the story stage (IncomingItem.sketched) on the thread. */
  sketch?: boolean;
  /** With `sketch`, the tracking parameters in force (stories.ignore_params): each link's canonical URL is made there too. */
  ignoreParams?: () => readonly string[];
  /** The rules to classify items by (IncomingItem.classified) on the thread; setRules() replaces them. */
  rules?: IngestRules | null;
  idleMs?: number;
  /**
   * After `idleMs` without work the last thread is not stopped but told to rest (a full GC, its kept skims dropped)
   * and stopped after this much longer without work: a tick minutes later finds its code loaded and optimised.
   * 0 (the default): stopped after `idleMs` like the others.
   */
  warmMs?: number;
  heapMb?: number;
  /**
   * Reads a document on this thread (ingestDocument) once no parser thread can start (a container's thread limit,
   * a module that does not load): from then on every document is read here, as before the pool, instead of every
   * changed feed failing. Absent: the documents waiting fail with the thread's error.
   */
  fallback?: (body: Uint8Array | string, meta: IngestMeta) => Promise<IngestedFeed>;
  /** Told once, when the pool falls back to `fallback` for good, and why. */
  onFallback?: (error: WartaError) => void;
  /** The worker module (tests: one that cannot start). */
  workerUrl?: URL;
}

/** What a pool reports about itself (tests, benches). */
export interface IngestPoolStats {
  threads: number;
  /** Documents sent to threads and not answered yet. */
  reading: number;
  queued: number;
  /** Threads started since the pool was made (a replaced thread counts again). */
  started: number;
}

export type IngestMeta = { contentType: string | null; url: string; now: Date; sourceId?: string };
/** What skim() needs besides the body: `guessSite` as skimBody takes it. */
export type SkimMeta = { contentType: string | null; url: string; guessSite: string | null | false };

export interface IngestPool {
  /**
   * ingestDocument on a parser thread: the same feed (with `sketch`, its items sketched; with rules and
   * `meta.sourceId`, classified), or the same WartaError.
   */
  ingest(body: Uint8Array | string, meta: IngestMeta): Promise<IngestedFeed>;
  /**
   * skimBody (skim-body.ts) on a parser thread: the number of items cut and their digests; the decoded text and
   * the cut stay on that thread for the read() given `kept` (which goes to the same thread while it lives).
   */
  skim(body: Uint8Array, meta: SkimMeta): Promise<SkimmedCut>;
  /**
   * readSkimmed on a parser thread, of the text a skim kept there or of the bytes skimmed again: a first read
   * (nothing to skip) is decoded, cut, read and digested in one answer.
   */
  read(body: Uint8Array, meta: IngestMeta & CutMeta): Promise<CutRead>;
  /** Rules for the documents sent from now on (a reload); those already sent keep the old ones' fingerprint. */
  setRules(rules: IngestRules | null): void;
  close(): Promise<void>;
  stats(): IngestPoolStats;
}

/**
 * A document to read; with `skim` only to skim (resolved with the cut's count and digests), with `cut` to read as
 * readSkimmed does (resolved with a CutRead), preferably on `on`, the thread that kept its skim.
 */
interface Task {
  seq: number;
  body: Uint8Array | string;
  meta: IngestMeta;
  skim?: { guessSite: string | null | false };
  /** A skim's token: told where the skim's text is kept once it is sent. */
  keep?: object;
  cut?: CutMeta;
  on?: Thread;
  resolve: (value: IngestedFeed | Omit<SkimmedCut, 'kept'> | CutRead) => void;
  reject: (err: WartaError) => void;
}

/** The thread a skim's text is kept on, and the skim's seq there. */
interface Kept {
  thread: Thread;
  seq: number;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  /** Sent and not answered, oldest first: a thread reads its messages in order. */
  tasks: Task[];
  idle: NodeJS.Timeout | null;
  exited: Promise<void>;
}

/** Reads feed documents in up to `size` worker threads. */
export function makeIngestPool(opts: IngestPoolOptions): IngestPool {
  const size = Math.max(1, opts.size);
  const idleMs = opts.idleMs ?? INGEST_IDLE_MS;
  const warmMs = opts.warmMs ?? 0;
  const heapMb = opts.heapMb ?? INGEST_HEAP_MB;
  const threads = new Set<Thread>();
  const queue: Task[] = [];
  let seq = 0;
  let started = 0;
  let closed = false;
  let rules = opts.rules ?? null;
  /** Why threads are given up for `fallback`; null while they are used. */
  let fellBack: WartaError | null = null;
  /** skim()'s tokens: where each skim's text was kept (forgotten with the token). */
  const keptAt = new WeakMap<object, Kept>();

  function dispatch(): void {
    if (closed || fellBack) return;
    while (queue.length > 0) {
      // The read of a skim goes to the thread that kept its text even past DEPTH (it is next to nothing to read).
      const on = queue[0]!.on;
      let best: Thread | null = on && threads.has(on) && on.ready ? on : null;
      if (!best) for (const t of threads) if (t.ready && t.tasks.length < DEPTH && (best === null || t.tasks.length < best.tasks.length)) best = t;
      if (!best) break;
      send(best, queue.shift()!);
    }
    let starting = 0;
    for (const t of threads) if (!t.ready) starting++;
    for (let want = Math.min(Math.ceil(queue.length / DEPTH) - starting, size - threads.size); want > 0; want--) spawn();
  }

  function spawn(): void {
    const data: IngestWorkerData = { sketch: opts.sketch ?? false, rules };
    const worker = startModuleWorker(opts.workerUrl ?? WORKER_URL, data, { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: YOUNG_MB });
    started++;
    let exit!: () => void;
    const thread: Thread = { worker, ready: false, tasks: [], idle: null, exited: new Promise((r) => (exit = r)) };
    threads.add(thread);
    worker.on('message', (reply: IngestReply) => {
      if ('ready' in reply) {
        thread.ready = true;
        rest(thread);
        return dispatch();
      }
      const at = thread.tasks.findIndex((t) => t.seq === reply.seq);
      if (at < 0) return;
      const [task] = thread.tasks.splice(at, 1);
      if ('error' in reply) task!.reject(new WartaError(reply.error.code as ErrorCode, reply.error.message));
      else task!.resolve('skimmed' in reply ? reply.skimmed : 'cut' in reply ? reply.cut : reply.feed);
      if (thread.tasks.length === 0) rest(thread);
      dispatch();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const error = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new WartaError('parse_error', `reading the feed needed more than the parser thread's ${heapMb} MB of memory; the thread was stopped`)
        : new WartaError('parse_error', `the feed parser thread failed: ${err.message}`, { cause: err });
      stop(thread, error);
    });
    // A reply that cannot be deserialized would leave its document unanswered (and shutdown waiting on it).
    worker.on('messageerror', (err: Error) => stop(thread, new WartaError('parse_error', `a reply of the feed parser thread could not be read: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      exit();
      stop(thread, new WartaError('parse_error', `the feed parser thread exited (code ${code})`));
    });
  }

  function send(thread: Thread, task: Task): void {
    if (thread.idle) clearTimeout(thread.idle);
    thread.idle = null;
    thread.tasks.push(task);
    // A thread reading keeps the process alive (`warta fetch` awaits its answer); an idle one does not.
    thread.worker.ref();
    const { body, meta } = task;
    if (task.keep) keptAt.set(task.keep, { thread, seq: task.seq });
    const cut = task.cut && { guessSite: task.cut.guessSite, skip: task.cut.skip, kept: kept(task.cut.kept, thread) };
    const request: IngestRequest = { seq: task.seq, body, contentType: meta.contentType, url: meta.url, now: meta.now, sourceId: meta.sourceId ?? null, ignoreParams: opts.ignoreParams?.() ?? [], ...(task.skim && { skim: task.skim }), ...(cut && { cut }) };
    if (typeof body === 'string') return thread.worker.postMessage(request);
    // Its own copy, moved rather than cloned: the caller keeps the body (it hashes it, reads it again on failure).
    const own = new Uint8Array(body);
    thread.worker.postMessage({ ...request, body: own }, [own.buffer]);
  }

  /** The seq under which `thread` keeps the skim `token` names; null: not there (that thread skims again). */
  function kept(token: object | null, thread: Thread): number | null {
    const at = token && keptAt.get(token);
    return at && at.thread === thread ? at.seq : null;
  }

  function rest(thread: Thread): void {
    thread.worker.unref();
    if (thread.idle) clearTimeout(thread.idle);
    thread.idle = setTimeout(() => {
      if (thread.tasks.length > 0) return;
      if (warmMs <= 0 || threads.size > 1) return stop(thread, null);
      thread.worker.postMessage({ rest: true } satisfies IngestControl);
      thread.idle = setTimeout(() => thread.tasks.length === 0 && stop(thread, null), warmMs);
      thread.idle.unref();
    }, idleMs);
    thread.idle.unref();
  }

  /**
   * Terminates a thread. The document it was reading (its oldest) fails with `error`; those sent behind it go
   * back to the head of the queue. A thread that died before it was ready (a module that does not load, no
   * thread to be had) is not started again and again: with a `fallback` every document from now on is read on this
   * thread; without one every document waiting fails with its error.
   */
  function stop(thread: Thread, error: WartaError | null): void {
    if (!threads.delete(thread)) return;
    if (thread.idle) clearTimeout(thread.idle);
    const [reading, ...behind] = thread.tasks.splice(0);
    void thread.worker.terminate().catch(() => {});
    if (closed || error === null) {
      for (const t of [reading, ...behind]) t?.reject(aborted());
      return;
    }
    if (reading) reading.reject(error);
    queue.unshift(...behind);
    if (!thread.ready && opts.fallback) {
      fellBack = error;
      opts.onFallback?.(error);
      // Documents already with a working thread are read here too (in order), rather than failed.
      for (const t of [...threads]) {
        threads.delete(t);
        if (t.idle) clearTimeout(t.idle);
        queue.unshift(...t.tasks.splice(0));
        void t.worker.terminate().catch(() => {});
      }
      for (const t of queue.splice(0)) doHere(t).then(t.resolve, t.reject);
      return;
    }
    if (!thread.ready) for (const t of queue.splice(0)) t.reject(error);
    dispatch();
  }

  function readHere(body: Uint8Array | string, meta: IngestMeta): Promise<IngestedFeed> {
    return opts.fallback!(body, meta);
  }

  /** Skims done on this thread (the pool fell back): the token of such a skim is the skim itself, read without a second decode. */
  const skimmedHere = new WeakSet<object>();

  /** A task on this thread (the pool fell back): a skim is pure and synchronous, a read is `fallback`'s. */
  async function doHere(t: Task): Promise<IngestedFeed | Omit<SkimmedCut, 'kept'> | CutRead | SkimmedCut> {
    const { contentType, url } = t.meta;
    if (t.skim) {
      const skimmed = (await skimBodyHere()).skimBody(t.body as Uint8Array, contentType, url, t.skim.guessSite);
      skimmedHere.add(skimmed);
      return { items: skimmed.doc?.items.length ?? null, guessed: skimmed.guessed, kept: skimmed };
    }
    if (!t.cut) return readHere(t.body, t.meta);
    const { skimBody, readSkimmed } = await skimBodyHere();
    const body = t.body as Uint8Array;
    const { guessSite, skip, kept } = t.cut;
    const skimmed = kept && skimmedHere.has(kept) ? (kept as SkimmedBody) : skimBody(body, contentType, url, guessSite);
    return readSkimmed(skimmed, body, { contentType, url, guessSite, skip }, (input, ct) => readHere(input, { ...t.meta, contentType: ct }));
  }

  /** Queues a task (done here once the pool fell back). */
  function enqueue<T>(task: Omit<Task, 'seq' | 'resolve' | 'reject'>): Promise<T> {
    if (closed) return Promise.reject(aborted());
    return new Promise<T>((resolve, reject) => {
      const t: Task = { ...task, seq: ++seq, resolve: resolve as Task['resolve'], reject };
      if (fellBack) return void doHere(t).then(t.resolve, t.reject);
      queue.push(t);
      dispatch();
    });
  }

  return {
    ingest(body, meta) {
      return enqueue<IngestedFeed>({ body, meta });
    },
    async skim(body, { contentType, url, guessSite }) {
      // `now` is not read by a skim; the request carries one as every request does.
      const token = {};
      const got = await enqueue<Omit<SkimmedCut, 'kept'> & { kept?: object }>({ body, meta: { contentType, url, now: new Date(0) }, skim: { guessSite }, keep: token });
      // Sent to a thread: its text is kept there; done here after a fallback: the skim itself.
      return { items: got.items, guessed: got.guessed, kept: keptAt.has(token) ? token : (got.kept ?? null) };
    },
    read(body, meta) {
      const { guessSite, skip, kept: token, ...ingestMeta } = meta;
      const at = token && keptAt.get(token);
      return enqueue<CutRead>({ body, meta: ingestMeta, cut: { guessSite, skip, kept: token }, ...(at && { on: at.thread }) });
    },
    setRules(next) {
      rules = next;
      // A thread reads its messages in order: documents sent before this keep the rules they were sent under.
      for (const t of threads) t.worker.postMessage({ rules } satisfies IngestControl);
    },
    async close() {
      closed = true;
      for (const t of queue.splice(0)) t.reject(aborted());
      const exits = [...threads].map((t) => t.exited);
      for (const t of [...threads]) stop(t, null);
      await Promise.all(exits);
    },
    stats() {
      let reading = 0;
      for (const t of threads) reading += t.tasks.length;
      return { threads: threads.size, reading, queued: queue.length, started };
    },
  };
}

function aborted(): WartaError {
  return new WartaError('aborted', 'feed reading stopped (shutting down)');
}
