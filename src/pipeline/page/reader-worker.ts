/**
 * A page reader thread (reader-pool.ts starts it): decodes and reads one page per message and answers with the
 * reading, or with the error's code and message (errors cross the thread boundary as plain values).
 */
import { parentPort } from 'node:worker_threads';
import { WartaError } from '../../base/errors.js';
import { lowerThisThreadPriority } from '../../base/thread-priority.js';
import { readRequest, type ReadRequest } from './reader.js';

/** A request as the pool numbers it. */
export type WorkerRequest = ReadRequest & { seq: number };
/** A worker's answer. */
export type WorkerReply = { ready: true } | { seq: number; value: unknown } | { seq: number; error: { code: string; message: string } };

// The main thread (HTTP, commits) comes first when the cores are busy.
lowerThisThreadPriority();

parentPort!.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { seq: req.seq, value: readRequest(req) };
  } catch (err) {
    reply = err instanceof WartaError
      ? { seq: req.seq, error: { code: err.code, message: err.message } }
      : { seq: req.seq, error: { code: 'parse_error', message: `reading the page failed: ${err instanceof Error ? err.message : String(err)}` } };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true } satisfies WorkerReply);
