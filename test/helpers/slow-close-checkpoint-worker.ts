/**
 * The real checkpoint thread (src/store/sqlite/checkpoint-worker.ts), except that the FIRST thread of a database to
 * be closed takes 2 s to end (a slow disk syncing the file): checkpointer.test.ts proves close() waits for a thread
 * stopped for idleness that is still closing while a later one already runs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const marker = `${(workerData as { path: string }).path}.first-close`;
// Registered before the real thread's listener, so it runs first on the same message.
parentPort!.on('message', (req: object) => {
  if (!('close' in req) || existsSync(marker)) return;
  writeFileSync(marker, '');
  const end = Date.now() + 2000;
  while (Date.now() < end);
});
await import('../../src/store/sqlite/checkpoint-worker.js');
