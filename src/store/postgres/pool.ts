/**
 * The connection pool: one `pg` Pool per store. Its settings come from the URL and from warta's own keys
 * (pool size, statement timeout); a read-only store's sessions refuse every write at the server.
 */
import pg from 'pg';

/** How to reach the database and how its sessions behave. */
export interface PoolSpec {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  readonly: boolean;
}

// int8 (count(*), bigint ids) arrives as a string by default; warta's ids and counts stay far below 2^53.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A pool over `spec.url`. Session settings travel in the startup packet's `options` (one round trip less per
 * connection than SET after connect); an `options` query parameter of the URL (e.g. `-c search_path=warta`)
 * is kept and combined with warta's own.
 */
export function makePool(spec: PoolSpec): pg.Pool {
  const url = new URL(spec.url);
  const options = [url.searchParams.get('options') ?? ''];
  url.searchParams.delete('options');
  if (spec.readonly) options.push('-c default_transaction_read_only=on');
  // A lock wait counts against the statement's own timeout; say it so the error names the lock.
  options.push(`-c lock_timeout=${Math.round(spec.statementTimeoutMs)}`);
  const pool = new pg.Pool({
    connectionString: url.href,
    options: options.filter(Boolean).join(' '),
    max: spec.poolSize,
    statement_timeout: Math.round(spec.statementTimeoutMs),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // The pid tells an admin (and pg_terminate_backend) which daemon a connection belongs to.
    application_name: `warta${spec.readonly ? ' (read-only)' : ''} pid ${process.pid}`,
    types,
  });
  // An idle connection that dies (server restart, terminated backend) emits here; without a listener the
  // process would crash. The pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  return pool;
}
