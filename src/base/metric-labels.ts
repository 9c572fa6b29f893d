/**
 * Bounded label values for the Prometheus metrics (base/metrics.ts): routes, fetch outcomes, error codes. Kept
 * apart from metrics.ts so that naming a label does not load prom-client.
 */

/** What a refresh came to (RefreshOutcome['result'] in pipeline/refresh.ts); anything else is counted as `failed`. */
export const FETCH_OUTCOMES = ['updated', 'not_modified', 'failed', 'skipped', 'aborted'] as const;
/** One of FETCH_OUTCOMES. */
export type FetchOutcome = (typeof FETCH_OUTCOMES)[number];

const FEED_ROUTE = /^\/(tags|feeds)\/[^/]+\.(rss|atom|json)$/;
const FIXED_ROUTES = new Set(['/', '/opml', '/healthz', '/readyz', '/metrics', '/api/sources', '/api/items', '/api/clusters', '/api/tags']);

/** Maps a request path to a bounded route template for the `route` label: `/tags/{slug}.{fmt}`, `/api/items/{id}` …, else `other`. */
export function routeLabel(path: string): string {
  const p = path.split(/[?#]/, 1)[0]!;
  if (FIXED_ROUTES.has(p)) return p;
  const feed = FEED_ROUTE.exec(p);
  if (feed) return `/${feed[1]}/{${feed[1] === 'tags' ? 'slug' : 'id'}}.{fmt}`;
  if (/^\/api\/items\/[^/]+$/.test(p)) return '/api/items/{id}';
  return 'other';
}

/** A fetch outcome as a label: one of FETCH_OUTCOMES, anything unexpected counted as `failed`. */
export function outcomeLabel(outcome: string): FetchOutcome {
  return (FETCH_OUTCOMES as readonly string[]).includes(outcome) ? (outcome as FetchOutcome) : 'failed';
}

/** An error code (errors.ts catalogue) as a label: `http_404` becomes `http_4xx` so status codes stay a handful of series. */
export function errorCodeLabel(code: string): string {
  const http = /^http_(\d)\d\d$/.exec(code);
  if (http) return `http_${http[1]}xx`;
  return /^[a-z_]{1,32}$/.test(code) ? code : 'other';
}
