/**
 * PostgreSQL failures as warta's catalogued errors: `busy` where the database waited for a lock or ran past
 * the statement timeout (retrying later may work), `storage` for everything else, with a message that says
 * what to do. SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
import { WartaError } from '../../base/errors.js';

/** A code the server (or the socket under it) attached to an error. */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Conflicts a transaction can simply be run again after (its reads were stale, nothing was written). */
export function isRetryable(err: unknown): boolean {
  const code = codeOf(err);
  // serialization_failure, deadlock_detected, unique_violation (a key another transaction stored meanwhile)
  return code === '40001' || code === '40P01' || code === '23505';
}

/**
 * The connection under a statement was lost (the backend was terminated, the server restarted, the socket
 * reset): nothing of an unfinished transaction stays, and a new connection from the pool may well work.
 */
export function isConnectionLost(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined) return /^(57P0[123]|08\d{3}|ECONNRESET|EPIPE)$/.test(code);
  // pg reports a socket closed under a query without a code.
  return err instanceof Error && /Connection terminated|connection lost|Client has encountered a connection error/i.test(err.message);
}

/** A failure of the PostgreSQL store as WartaError `storage` or `busy`; `where` names the database. */
export function storageError(err: unknown, where: string): WartaError {
  if (err instanceof WartaError) return err;
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case '57014': // query_canceled: statement_timeout
    case '55P03': // lock_not_available: lock_timeout
      return new WartaError('busy', `the database at ${where} did not answer in time (${code}: ${message}); raise storage.statement_timeout or look for a long transaction holding locks`, { cause: err });
    case '40001':
    case '40P01':
      return new WartaError('busy', `the database at ${where} kept aborting this write for conflicts with other writers (${code}: ${message})`, { cause: err });
    case '53100':
      return new WartaError('storage', `the disk holding the database at ${where} is full (${code}: ${message}); free space and ingest resumes on its own`, { cause: err });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return new WartaError('storage', `cannot reach PostgreSQL at ${where} (${code}: ${message}); is the server running and storage.url right?`, { cause: err });
    case '28P01':
    case '28000':
      return new WartaError('storage', `PostgreSQL at ${where} refused the login (${code}: ${message}); check the user and password in storage.url`, { cause: err });
    case '3D000':
      return new WartaError('storage', `PostgreSQL at ${where} has no such database (${code}: ${message}); create it first (createdb)`, { cause: err });
    default:
      return new WartaError('storage', `database error at ${where}${code ? ` (${code})` : ''}: ${message}`, { cause: err });
  }
}
