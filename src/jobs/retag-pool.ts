/**
 * Worker threads that classify ranges of stored items for a re-tag (retag-worker.ts), so a
 * config change re-applies 1,000 rules to a year of news on every core while the event loop keeps serving.
 * A pool lives for one re-tag pass: workers cost memory and a compile of the rules each, and passes are rare.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../base/module-worker.js';
import type { ClassifierSpec } from '../tagging/classify.js';
import { storageLocation, type StorageSpec } from '../store/open.js';
import type { RetagChange } from '../store/store.js';
import type { RetagRequest, RetagWorkerData } from './retag-worker.js';

export { startModuleWorker } from '../base/module-worker.js';

/** Classifies the stored items with afterId < id <= lastId, answering with what changed. */
export type ClassifyRange = (afterId: number, lastId: number) => Promise<RetagChange[]>;

export interface RetagPool {
  classify: ClassifyRange;
  size: number;
  close(): Promise<void>;
}

type Reply = { ready: true } | { seq: number; changes: RetagChange[] } | { seq: number; error: string };

const WORKER_URL = siblingModule(import.meta.url, 'retag-worker');

/** Starts `size` workers reading the store `storage` names; resolves once every one has compiled the rules. */
export async function startRetagPool(storage: StorageSpec, spec: ClassifierSpec, size: number): Promise<RetagPool> {
  const pending = new Map<number, { worker: Worker; resolve: (c: RetagChange[]) => void; reject: (e: Error) => void }>();
  const load = new Map<Worker, number>();
  const started: Worker[] = [];
  let seq = 0;
  const fail = (worker: Worker, err: Error): void => {
    load.delete(worker);
    for (const [k, p] of pending) {
      if (p.worker !== worker) continue;
      pending.delete(k);
      p.reject(err);
    }
  };
  const workers = await Promise.all(
    Array.from({ length: size }, () => new Promise<Worker>((resolve, reject) => {
      const data: RetagWorkerData = { storage: { path: storage.path, url: storage.url ?? null, poolSize: storage.poolSize, statementTimeoutMs: storage.statementTimeoutMs }, spec };
      const worker = startModuleWorker(WORKER_URL, data);
      started.push(worker);
      worker.on('message', (reply: Reply) => {
        if ('ready' in reply) {
          load.set(worker, 0);
          return resolve(worker);
        }
        const p = pending.get(reply.seq);
        if (!p) return;
        pending.delete(reply.seq);
        load.set(worker, (load.get(worker) ?? 1) - 1);
        if ('error' in reply) p.reject(new Error(`re-tag worker: ${reply.error}`));
        else p.resolve(reply.changes);
      });
      worker.on('error', (thrown: unknown) => {
        // Errors cross the thread boundary as clones: a SqliteError arrives as { code } without its message.
        const { message, code } = (thrown ?? {}) as { message?: string; code?: string };
        const err = new Error(`re-tag worker on ${storageLocation(storage)} failed: ${[code, message].filter(Boolean).join(' ') || String(thrown)}`, { cause: thrown });
        reject(err);
        fail(worker, err);
      });
      worker.on('exit', (code) => {
        const err = new Error(`re-tag worker exited (code ${code})`);
        reject(err);
        fail(worker, err);
      });
    })),
  ).catch(async (err: unknown) => {
    // One failed to start (a database it cannot open, say): none is left running.
    await Promise.all(started.map((w) => w.terminate()));
    throw err;
  });

  return {
    size: workers.length,
    classify(afterId, lastId) {
      // The least busy live worker; ranges queue in its message port.
      let best: Worker | null = null;
      for (const [w, n] of load) if (best === null || n < load.get(best)!) best = w;
      if (best === null) return Promise.reject(new Error('re-tag workers are gone'));
      const worker = best;
      return new Promise((resolve, reject) => {
        const request: RetagRequest = { seq: ++seq, afterId, lastId };
        pending.set(request.seq, { worker, resolve, reject });
        load.set(worker, load.get(worker)! + 1);
        worker.postMessage(request);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
