import type { Config } from '../config/load.js';

/** The settings a reload cannot apply to a running daemon: they change only after a restart. */
export function settingsNeedingRestart(running: Config, next: Config): string[] {
  return [
    next.storage.path !== running.storage.path && 'storage.path',
    (next.storage.url !== running.storage.url || next.storage.poolSize !== running.storage.poolSize || next.storage.statementTimeoutMs !== running.storage.statementTimeoutMs || next.storage.leaseMs !== running.storage.leaseMs) && 'storage.url/pool_size/statement_timeout/lease',
    (next.server.host !== running.server.host || next.server.port !== running.server.port) && 'server.listen',
  ].filter((k): k is string => typeof k === 'string');
}
