/**
 * The catalogue of error codes warta reports. Codes are lower-case strings and are shown unchanged in the
 * API, the CLI, logs and metric labels, so scripts can rely on them.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'query_syntax'
  | 'timeout'
  | 'too_large'
  | 'network'
  | 'dns'
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'bad_url'
  | 'blocked_address'
  | 'rate_limited'
  | 'not_a_feed'
  | 'not_html'
  | 'selector_empty'
  | 'no_article'
  | 'extract_timeout'
  | 'parse_error'
  | 'decode_error'
  | 'gone'
  | 'aborted'
  | 'storage'
  | 'busy'
  | 'bad_request'
  | `http_${number}`;

/** An expected failure with a stable code; `cause` keeps the original error. */
export class WartaError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WartaError';
    this.code = code;
  }
}

/** Turns anything thrown into an Error (graphile-worker's coerceError). */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

/** Whether `err` is the store's own failure (`storage`, or `busy`: another process holds a lock). */
export function isStoreFailure(err: unknown): err is WartaError {
  return err instanceof WartaError && (err.code === 'storage' || err.code === 'busy');
}
