/**
 * The request target (RFC 9112 §3.2, origin-form) as a path and its query. A plain path — segments of letters,
 * digits, `-`, `_`, `~` and dots not leading a segment, no query — is its own WHATWG pathname, so it is taken
 * as it is: parsing a URL was a measurable part of answering a cached feed (bench/serve.ts). Anything else
 * (percent-escapes, dot segments, backslashes, a query) goes through `new URL`.
 */
const PLAIN = /^(?:\/[\w~-][\w.~-]*)+$|^\/$/;

/** The parsed target: its path, and its query (empty when none). Null for a target `URL` cannot parse. */
export interface Target {
  path: string;
  /** Whether a non-empty query was given. */
  hasQuery: boolean;
  /** The query's parameters (built on first use). */
  query(): URLSearchParams;
}

const NO_QUERY = (): URLSearchParams => new URLSearchParams();

/** Parses a request target; null when it is malformed (a 400). */
export function parseTarget(target: string): Target | null {
  if (PLAIN.test(target)) return { path: target, hasQuery: false, query: NO_QUERY };
  let url: URL;
  try {
    url = new URL(target, 'http://warta.invalid');
  } catch {
    return null;
  }
  return { path: url.pathname, hasQuery: url.search !== '', query: () => url.searchParams };
}
