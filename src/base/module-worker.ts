/** Starting a worker thread on one of warta's own modules, compiled or (tests, benches) as TypeScript source. */
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** A worker running the module at `url`: compiled .js as is, a .ts source (tests, benches) through tsx. */
export function startModuleWorker(url: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const limits = resourceLimits ? { resourceLimits } : {};
  if (url.pathname.endsWith('.js')) return new Worker(url, { workerData, ...limits });
  // Under tsx, Node 20 does not apply the parent's --import hooks in workers: the worker registers tsx itself.
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData, ...limits });
}
