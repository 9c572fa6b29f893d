/**
 * The WAL checkpoint thread (checkpointer.ts starts it): its own connection to the database file, and on each
 * `checkpoint` message a PASSIVE checkpoint (copies what it can of the WAL into the database file and syncs
 * both, never waiting for a reader or a writer), answered with SQLite's three figures. `close` closes the
 * connection and lets the thread end.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadPriority } from '../../base/thread-priority.js';

/** What the thread is started with. */
export interface CheckpointWorkerData {
  path: string;
}
export type CheckpointRequest = { checkpoint: number } | { close: true };
/** `log`: frames in the WAL; `checkpointed`: of those, in the database file now; `busy`: 1 when a lock stopped it early. */
export type CheckpointReply = { ready: true } | { seq: number; busy: number; log: number; checkpointed: number } | { seq: number; error: string; busy: boolean };

// Copying pages and syncing files can wait behind HTTP and commits.
lowerThisThreadPriority();

const { path } = workerData as CheckpointWorkerData;
const db = new Database(path, { fileMustExist: true });
// A lock held elsewhere fails this round at once (the next write asks again), rather than blocking the thread.
db.pragma('busy_timeout = 0');

parentPort!.on('message', (req: CheckpointRequest) => {
  if ('close' in req) {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: CheckpointReply;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    reply = { seq: req.checkpoint, busy: row!.busy, log: row!.log, checkpointed: row!.checkpointed };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { seq: req.checkpoint, error: err instanceof Error ? err.message : String(err), busy: code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true } satisfies CheckpointReply);
