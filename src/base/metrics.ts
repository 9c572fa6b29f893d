/**
 * Prometheus metrics (prom-client) for GET /metrics. Every label has a bounded set of values: sources and tags
 * come from the config, outcomes and error codes from fixed lists, routes from routeLabel's templates. A raw
 * URL path or an error message as a label would create a series per request and exhaust Prometheus.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CounterFamily } from './counter-family.js';
import { isStoreFailure } from './errors.js';

// The label helpers live apart so that code which only names a label (jobs/pages.ts in `warta fetch`) does not
// load prom-client (~280M instructions at start-up).
export { errorCodeLabel, FETCH_OUTCOMES, outcomeLabel, routeLabel, type FetchOutcome } from './metric-labels.js';

/** Database-derived gauges, read once per scrape. */
export interface MetricsSnapshot {
  /** Stored items per tag name; tags missing from the map disappear from the output. */
  itemsPerTag: ReadonlyMap<string, number>;
  /** Sources whose state is `failing` or `gone`. */
  failingSources: number;
  /** The database pool's connections (PostgreSQL), or null. */
  pool?: { total: number; idle: number; waiting: number } | null;
}

/** warta's metrics on their own registry (never prom-client's global one, so tests and reloads start clean). */
export interface Metrics {
  registry: Registry;
  fetches: CounterFamily<'source' | 'host' | 'outcome'>;
  /** Failed fetches by error code (errorCodeLabel), apart from `fetches` so that counter stays small. */
  fetchErrors: CounterFamily<'source' | 'code'>;
  /** By host (hostKey), not by source: a histogram series is ~1.5 KB and 11 lines per scrape. */
  fetchDuration: Histogram<'host'>;
  parseDuration: Histogram<'host'>;
  fetchBytes: CounterFamily<'source'>;
  itemsNew: CounterFamily<'source'>;
  itemsUpdated: CounterFamily<'source'>;
  itemsPerTag: Gauge<'tag'>;
  failingSources: Gauge;
  eventLoopLag: Gauge;
  httpRequests: Counter<'route' | 'status'>;
  /** Feed renders that failed on the database and served the last rendered copy instead (marked stale). */
  feedsServedStale: Counter;
  /**
   * Counts one answered request into httpRequests. Kept as plain numbers and added to the counter at each
   * scrape: prom-client's inc() hashes and validates its labels, a cost on every request of a busy feed.
   */
  countRequest(route: string, status: number): void;
  /** Article pages (full_text sources) by outcome: done, stale (the feed changed the item meanwhile), retry, failed. */
  pages: CounterFamily<'source' | 'outcome'>;
  /** Failed article pages by error code. */
  pageErrors: CounterFamily<'source' | 'code'>;
  pageDuration: Histogram<'source'>;
  /** 1 when the last config load (start or reload) was applied, 0 when it was rejected (daemon/reload-status.ts). */
  configLastReloadSuccessful: Gauge;
  /** Unix time of the last config load that was applied. */
  configLastReloadSuccessTime: Gauge;
  /** Reloads rejected (invalid, unreadable or deleted config, or a database that stayed locked). */
  configReloadFailures: Counter;
  /** Sources this daemon holds a lease on (polling them now), as of its last heartbeat. */
  leasesHeld: Gauge;
  /** Claims on sources asked for, by result: granted, or taken (another daemon polled or polls it). */
  claims: Counter<'result'>;
  /** How long one claim statement took (the latency a poll on a shared database starts with). */
  claimDuration: Histogram;
  /** Sources this daemon took over after another daemon's lease ended unreleased (it died mid-poll). */
  leaseExpiries: Counter;
  /** PostgreSQL pool connections by state (total, idle, waiting: callers waiting for one). */
  poolConnections: Gauge<'state'>;
  /** The exposition text and its media type, after refreshing the database gauges. */
  render(): Promise<{ body: string; contentType: string }>;
}

/** Builds the metrics on a fresh Registry with Node's default process metrics; `collect` feeds the database gauges at each scrape. */
export function makeMetrics(opts: { collect?: () => Promise<MetricsSnapshot> } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const source = ['source'] as const;
  // Answered requests not yet added to httpRequests, by route and status (both bounded: route templates).
  const pendingRequests = new Map<string, { labels: { route: string; status: string }; n: number }>();
  // The families with a series per source (~30,000 at 10,000 sources) are rendered by warta: counter-family.ts.
  const families: CounterFamily<string>[] = [];
  const perSource = <L extends string>(name: string, help: string, labelNames: readonly L[]) => {
    const family = new CounterFamily(name, help, labelNames);
    families.push(family as CounterFamily<string>);
    return family;
  };

  const metrics: Metrics = {
    registry,
    fetches: perSource('warta_fetches_total', 'Source refreshes by outcome (updated, not_modified, failed, skipped, aborted).', ['source', 'host', 'outcome']),
    fetchErrors: perSource('warta_fetch_errors_total', 'Failed source fetches by error code.', ['source', 'code']),
    fetchDuration: new Histogram({
      name: 'warta_fetch_duration_seconds',
      help: 'Time to fetch a source, body included, by registrable domain.',
      labelNames: ['host'],
      // Feeds answer in tens of milliseconds to the whole fetch.timeout (20 s by default).
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30],
      registers,
    }),
    parseDuration: new Histogram({
      name: 'warta_parse_duration_seconds',
      help: 'Time to decode, parse and normalize a fetched feed, by registrable domain.',
      labelNames: ['host'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    fetchBytes: perSource('warta_fetch_bytes_total', 'Decoded feed bytes received.', source),
    itemsNew: perSource('warta_items_new_total', 'Items stored for the first time.', source),
    itemsUpdated: perSource('warta_items_updated_total', 'Stored items whose content changed.', source),
    itemsPerTag: new Gauge({ name: 'warta_items_per_tag', help: 'Stored items carrying each tag.', labelNames: ['tag'], registers }),
    failingSources: new Gauge({ name: 'warta_failing_sources', help: 'Sources in state failing or gone.', registers }),
    eventLoopLag: new Gauge({ name: 'warta_event_loop_lag_seconds', help: 'Worst lateness of a 1-second timer over the last minute (cron ticks are timers: a lagging loop polls late).', registers }),
    httpRequests: new Counter({
      name: 'warta_http_requests_total',
      help: 'HTTP requests by route template and status.',
      labelNames: ['route', 'status'],
      registers,
      collect() {
        for (const p of pendingRequests.values()) {
          if (p.n > 0) this.inc(p.labels, p.n);
          p.n = 0;
        }
      },
    }),
    feedsServedStale: new Counter({
      name: 'warta_feeds_served_stale_total',
      help: 'Feed renders that failed on the database (unreachable, locked) and served the last rendered copy instead, with a Warning header.',
      registers,
    }),
    countRequest(route, status) {
      const key = `${route} ${status}`;
      const p = pendingRequests.get(key);
      if (p !== undefined) p.n++;
      else pendingRequests.set(key, { labels: { route, status: String(status) }, n: 1 });
    },
    pages: perSource('warta_pages_total', 'Article pages of full_text sources by outcome (done, stale, retry, failed).', ['source', 'outcome']),
    pageErrors: perSource('warta_page_errors_total', 'Failed article pages by error code; the feed\'s text stays on the item.', ['source', 'code']),
    pageDuration: new Histogram({
      name: 'warta_page_duration_seconds',
      help: 'Time to fetch and read one article, its own pagination included.',
      labelNames: source,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
      registers,
    }),
    // Named as Prometheus names its own, so alerts written for it read the same.
    configLastReloadSuccessful: new Gauge({ name: 'warta_config_last_reload_successful', help: 'Whether the last config reload was applied (1) or rejected (0).', registers }),
    configLastReloadSuccessTime: new Gauge({ name: 'warta_config_last_reload_success_timestamp_seconds', help: 'Time the config in force was loaded.', registers }),
    configReloadFailures: new Counter({ name: 'warta_config_reload_failures_total', help: 'Config reloads rejected; the running config stayed in force.', registers }),
    leasesHeld: new Gauge({ name: 'warta_leases_held', help: 'Sources this daemon holds a lease on (polling them), as of its last heartbeat.', registers }),
    claims: new Counter({ name: 'warta_claims_total', help: 'Claims on sources by result: granted, or taken (another daemon had it for this tick).', labelNames: ['result'], registers }),
    claimDuration: new Histogram({ name: 'warta_claim_duration_seconds', help: 'Time one claim on sources took in the database.', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers }),
    leaseExpiries: new Counter({ name: 'warta_lease_expiries_total', help: "Sources taken over after another daemon's lease ended unreleased (it died mid-poll).", registers }),
    poolConnections: new Gauge({ name: 'warta_db_pool_connections', help: 'Database pool connections: total, idle, and callers waiting for one (PostgreSQL).', labelNames: ['state'], registers }),
    async render() {
      // Both gauges come from one snapshot, so they describe the same moment and cost one database read.
      // The database unreachable: its gauges keep the last scrape's values and the rest is served, since an
      // outage is when the other figures (requests, stale feeds served, the pool) matter; /readyz says it is down.
      const snap = opts.collect ? await opts.collect().catch((err: unknown) => (isStoreFailure(err) ? null : Promise.reject(err))) : null;
      if (snap) {
        metrics.itemsPerTag.reset(); // a tag removed by a config reload must not linger
        for (const [tag, n] of snap.itemsPerTag) metrics.itemsPerTag.set({ tag }, n);
        metrics.failingSources.set(snap.failingSources);
        if (snap.pool) for (const [state, n] of Object.entries(snap.pool)) metrics.poolConnections.set({ state }, n);
      }
      // prom-client writes NaN as "Nan" (nodejs_eventloop_lag_* before the first sample): Prometheus parses it
      // case-insensitively, OpenMetrics parsers want the spelling "NaN".
      // The per-source families follow, as the Registry would write them had they been registered last.
      let body = (await registry.metrics()).replace(/ Nan$/gm, ' NaN');
      for (const family of families) body += `\n${family.render()}\n`;
      return { body, contentType: registry.contentType };
    },
  };
  return metrics;
}
