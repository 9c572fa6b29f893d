/**
 * Which store the config's `storage` section names: plain data and pure checks, with no driver behind them, so
 * the CLI can ask without loading SQLite or PostgreSQL (test/integration/cli-startup.test.ts).
 */

/** The config's `storage` section, as far as opening a store needs it (plain data: workers get a copy). */
export interface StorageSpec {
  /** The SQLite file, used unless `url` names a PostgreSQL database. */
  path: string;
  /** `postgres://…` (or `postgresql://…`): PostgreSQL. */
  url?: string | null;
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
  /** PostgreSQL: a statement (lock waits included) running longer fails as `busy`. */
  statementTimeoutMs?: number;
}

/** PostgreSQL's defaults, where the config does not say (src/config/schema.ts has the same). */
export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** Whether `spec` names a PostgreSQL database. */
export function isPostgres(spec: StorageSpec): spec is StorageSpec & { url: string } {
  return typeof spec.url === 'string' && /^postgres(ql)?:\/\//i.test(spec.url);
}

/** Whether other threads can open the same store (worker threads re-tag from their own connections). */
export function sharedAcrossThreads(spec: StorageSpec): boolean {
  return isPostgres(spec) || spec.path !== ':memory:';
}

/** The URL as it may be shown: no password, no query. */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
