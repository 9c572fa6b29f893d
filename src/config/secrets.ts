import type { Config } from './load.js';

/**
 * What a Redactor (base/redact.ts) must learn from a config: the extra secret parameter names, the source URLs
 * (and the database URL) whose secrets it masks, and the bare tokens (admin, private outputs) that must never reach a log line.
 */
export function configSecrets(config: Config): { params: readonly string[]; urls: readonly string[]; values: readonly string[] } {
  return {
    params: config.redact.queryParams,
    // The database URL's password too (storage.url), wherever an error message might quote it.
    urls: [...config.sources.map((s) => s.url), ...(config.storage.url ? [config.storage.url] : [])],
    values: [config.server.adminToken, ...config.outputs.map((o) => o.token)].filter((t): t is string => t !== null),
  };
}
