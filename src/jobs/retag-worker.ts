/**
 * A re-tag worker thread: builds the classifier from the spec it is given, reads ranges of items through its
 * own read-only store, and answers with the changes (src/retag-pool.ts sends the ranges). Classifying
 * is the CPU-heavy part of a re-tag; here it runs beside the event loop, on every core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeClassifier, type ClassifierSpec } from '../tagging/classify.js';
import { openStore, type StorageSpec } from '../store/open.js';
import { retagChanges } from '../tagging/retag-diff.js';
import { lowerThisThreadPriority } from '../base/thread-priority.js';

/** What the pool gives a worker when it starts. */
export interface RetagWorkerData {
  storage: StorageSpec;
  spec: ClassifierSpec;
}

/** One range to classify, and the answer. */
export interface RetagRequest {
  seq: number;
  afterId: number;
  lastId: number;
}

// A re-tag runs beside a live daemon: its HTTP and refreshes come first when the cores are busy.
lowerThisThreadPriority();

const { storage, spec } = workerData as RetagWorkerData;
const store = await openStore(storage, { readonly: true });
const classifier = makeClassifier(spec);

parentPort!.on('message', (req: RetagRequest) => {
  store.retag.readRange(req.afterId, req.lastId).then(
    (rows) => parentPort!.postMessage({ seq: req.seq, changes: retagChanges(rows, classifier) }),
    (err: unknown) => parentPort!.postMessage({ seq: req.seq, error: err instanceof Error ? err.message : String(err) }),
  );
});
parentPort!.postMessage({ ready: true });
