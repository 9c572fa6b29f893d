import type { Config } from './load.js';

/**
 * What a Redactor (base/redact.ts) must learn from a config: the extra secret parameter names, the source URLs
 * whose secrets it masks, and the bare tokens (admin, private outputs) that must never reach a log line.
 */
export function configSecrets(config: Config): { params: readonly string[]; urls: readonly string[]; values: readonly string[] } {
  return {
    params: config.redact.queryParams,
    urls: config.sources.map((s) => s.url),
    values: [config.server.adminToken, ...config.outputs.map((o) => o.token)].filter((t): t is string => t !== null),
  };
}
