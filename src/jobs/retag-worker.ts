/**
 * A re-tag worker thread: builds the classifier from the spec it is given, reads ranges of items through its
 * own read-only connection, and answers with the changes (src/retag-pool.ts sends the ranges). Classifying
 * is the CPU-heavy part of a re-tag; here it runs beside the event loop, on every core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeClassifier, type ClassifierSpec } from '../tagging/classify.js';
import { openDatabase } from '../store/sqlite/open.js';
import { makeRetagReader } from '../store/sqlite/retag-rows.js';

/** What the pool gives a worker when it starts. */
export interface RetagWorkerData {
  dbPath: string;
  spec: ClassifierSpec;
}

/** One range to classify, and the answer. */
export interface RetagRequest {
  seq: number;
  afterId: number;
  lastId: number;
}

const { dbPath, spec } = workerData as RetagWorkerData;
const db = openDatabase(dbPath, { readonly: true });
const reader = makeRetagReader(db);
const classifier = makeClassifier(spec);

parentPort!.on('message', (req: RetagRequest) => {
  try {
    parentPort!.postMessage({ seq: req.seq, changes: reader.changesIn(req.afterId, req.lastId, classifier) });
  } catch (err) {
    parentPort!.postMessage({ seq: req.seq, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort!.postMessage({ ready: true });
