/** Starting a worker thread on one of warta's own modules, compiled or (tests, benches) as TypeScript source. */
import { stat } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * The worker module `name` beside the module at `importMetaUrl`: compiled (and bundled: the bundle keeps dist/'s
 * import.meta.url) a .js in dist/, under tsx the .ts source.
 */
export function siblingModule(importMetaUrl: string, name: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(importMetaUrl))}`, importMetaUrl);
}

let poolStarted = false;

/**
 * libuv creates its thread pool in the thread that first queues work, and a thread inherits its creator's nice
 * value: were that a background thread at nice 10 (thread-priority.ts), DNS lookups, fs and gzip would run at nice
 * 10 for the whole process. One asynchronous stat from this (the main) thread starts the pool here first.
 */
function startThreadPoolHere(): void {
  if (poolStarted || !isMainThread) return;
  poolStarted = true;
  stat(process.execPath, () => {});
}

/** A worker running the module at `url`: compiled .js as is, a .ts source (tests, benches) through tsx. */
export function startModuleWorker(url: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  startThreadPoolHere();
  const limits = resourceLimits ? { resourceLimits } : {};
  if (url.pathname.endsWith('.js')) return new Worker(url, { workerData, ...limits });
  // Under tsx, Node 20 does not apply the parent's --import hooks in workers: the worker registers tsx itself.
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData, ...limits });
}
