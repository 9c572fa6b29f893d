import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ConfigError, formatProblem, loadConfig, type Config } from './config/load.js';
import { hostKey, makeHostGate } from './schedule/host-gate.js';
import { routeCronLogs } from './schedule/cron-log.js';
import { countRefresh } from './daemon/refresh-metrics.js';
import { renderIndexPage } from './http/index-page.js';
import { indexPageData } from './daemon/index-page-data.js';
import { makeLastRefresh } from './daemon/last-refresh.js';
import { makeReloadStatus } from './daemon/reload-status.js';
import { makeMetrics } from './base/metrics.js';
import { makeItemsApi, type ItemsApi } from './http/api-items.js';
import { makeFeedRenderer, type FeedRenderer } from './publish/catalogue.js';
import { startServer, stopServer } from './http/server.js';
import { refreshSource } from './pipeline/refresh.js';
import { makeRetagQueue } from './jobs/retag-queue.js';
import { makeReclusterQueue } from './jobs/recluster.js';
import { makePageQueue } from './jobs/pages.js';
import { runRetention } from './jobs/retention.js';
import { watchConfigFile } from './daemon/config-watch.js';
import { monitorEventLoopLag } from './daemon/lag.js';
import { boundHeapGrowth, makeHeapReducer } from './daemon/heap.js';
import { trimMalloc } from './store/sqlite/malloc-trim.js';
import { settingsNeedingRestart } from './daemon/reload.js';
import { openRuntime } from './daemon/runtime.js';
import { makeScheduler, nextRunOf } from './schedule/scheduler.js';
import { makeClaims, makeDatabaseClock, makeNodeName } from './schedule/claims.js';
import { makeSharedHosts } from './schedule/shared-hosts.js';
import { readStoredSources, sourceStatuses, type UnrecordedFailure } from './daemon/source-status.js';
import { makeRedactor, redactSourceStatus, type Redactor } from './base/redact.js';
import { configSecrets } from './config/secrets.js';
import { makeAccess } from './http/access.js';

// Cron ticks of many sources fall on the same second; spreading them keeps hosts from being hit together.
const CRON_JITTER_MS = 20_000;
/**
 * A benchmark switch: the cron ticks' spread in ms instead of CRON_JITTER_MS (bench/changed-daemon.ts sets 0, so a
 * tick's changed poll measures the daemon's throughput, not the 20 s spread). Not a user setting.
 */
export const CRON_JITTER_ENV = 'WARTA_BENCH_CRON_JITTER_MS';

/** The cron ticks' spread from the environment: CRON_JITTER_MS unless the bench switch holds a number ≥ 0. */
export function cronJitterMs(env: NodeJS.ProcessEnv): number {
  const raw = env[CRON_JITTER_ENV];
  if (raw === undefined) return CRON_JITTER_MS;
  const ms = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${CRON_JITTER_ENV}=${JSON.stringify(raw)}: expected a number of milliseconds ≥ 0`);
  return ms;
}
// A burst of at least this many refreshes ends with a compacting GC (daemon/heap.ts); smaller ones are cheap.
// The start-up poll always does, whatever its size: it leaves the heap the daemon then idles with.
const COMPACT_AFTER_REFRESHES = 100;
// Timers (cron ticks included) that fire this late mean the process cannot keep its schedule.
const MAX_READY_LAG_MS = 5_000;
// Counting the items of each tag reads the whole item_tags table (the explanations too): 41 MiB at 1,300
// sources × 50 items, 0.3-1 s of blocked event loop per scrape on a loaded machine, ~10× that at 10,000 sources.
// A scrape reuses the counts of the last minute.
const TAG_COUNTS_MS = 60_000;

/** A running daemon, for the CLI to signal and for tests to drive. */
export interface Daemon {
  server: Server;
  /** Re-reads the config file; an invalid one is logged and the running config stays. Resolves true if applied. */
  reload(reason: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** How the daemon was started. */
export interface DaemonOptions {
  configPath: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** A --log-level given on the command line wins over the config's, also after reloads. */
  fixedLogLevel?: boolean;
  /** Watch the config file and reload when it changes (SIGHUP always reloads). */
  watchConfig?: boolean;
  /** The redactor the log writes through; the daemon teaches it each config's secrets. */
  redactor?: Redactor;
}

/**
 * The composition root: open the database → apply the tag rules → start serving → schedule the sources.
 * Serving starts before the first poll so outputs are available at once, even with no network.
 */
export async function runDaemon(initial: Config, opts: DaemonOptions): Promise<Daemon> {
  const { log } = opts;
  // A bench switch with a typo is refused before anything opens.
  const jitterMs = cronJitterMs(opts.env);
  routeCronLogs(log);
  // The peak of a burst of refreshes is mostly garbage V8 lets pile up (daemon/heap.ts).
  boundHeapGrowth();
  let config = initial;
  const redactor = opts.redactor ?? makeRedactor();
  redactor.learn(configSecrets(config));
  for (const w of config.warnings) log.warn(formatProblem(w));
  let access = makeAccess(config, opts.env);
  const now = () => new Date();
  const runtime = await openRuntime(config, log, 'daemon', process.env, { checkpointThread: true });
  const { store, refreshDeps } = runtime;

  // A feed whose re-render failed on the database is served from its last rendered copy (catalogue.ts staleOr):
  // said once per feed and outage in the log, and counted for each render that fell back.
  const renderer = (c: Config) =>
    makeFeedRenderer(store, c, now, undefined, (key, err, first) => {
      metrics.feedsServedStale.inc();
      if (first) log.warn({ feed: key, err }, 'serving the last rendered copy of a feed (marked stale): rendering it failed on the database');
    });
  let feeds: FeedRenderer = renderer(config);
  let items: ItemsApi = makeItemsApi(store, config);
  // Ends the background writes' waits for a database lock, and waits for shared host slots, when the daemon stops.
  const stopped = new AbortController();
  // Several daemons on one database (PostgreSQL): this one's name there, and what it shares with the others.
  const node = store.nodes.shared ? makeNodeName() : null;
  const leaseMs = config.storage.leaseMs;
  // Leases, host slots and pauses, and which daemons live, go by the database's clock (claims.ts).
  const dbClock = node ? makeDatabaseClock(store.nodes, now, log) : null;
  const dbNow = dbClock?.now ?? now;
  const shared = node ? makeSharedHosts({ nodes: store.nodes, node, perHost: config.fetch.perHost, leaseMs, now: dbNow, signal: stopped.signal, log }) : undefined;
  const gate = makeHostGate({ perHost: config.fetch.perHost, concurrency: config.fetch.concurrency, pauseMaxMs: config.fetch.hostPauseMaxMs, now, shared });
  const lag = monitorEventLoopLag();
  // One registry for the daemon's life: reloads keep counting.
  let tagCounts: { at: number; counts: Promise<Map<string, number>> } | null = null;
  const countsByTag = () => {
    if (!tagCounts || Date.now() - tagCounts.at >= TAG_COUNTS_MS) {
      const counts = store.items.countsByTag();
      tagCounts = { at: Date.now(), counts };
      counts.catch(() => tagCounts?.counts === counts && (tagCounts = null)); // a failure is not kept: asked again next scrape
    }
    return tagCounts.counts;
  };
  const metrics = makeMetrics({
    collect: async () => {
      metrics.eventLoopLag.set(lag.maxMs() / 1000);
      // Counted by the database: reading every row for it allocated ~33 MB per scrape at 10,000 sources, which
      // regrew V8's young generation to 2 × 16 MiB after the daemon had shrunk it (BENCHMARKS.md, fifth pass).
      return { itemsPerTag: await countsByTag(), failingSources: await store.sources.countFailing(), pool: store.poolStats() };
    },
  });
  const reloads = makeReloadStatus(config.file, now(), metrics);
  // Refresh failures the store could not write (a full disk), shown on the sources' status until the source's
  // next outcome; lost on restart, like the condition that caused them.
  const unrecorded = new Map<string, UnrecordedFailure>();
  const lastRefresh = makeLastRefresh();
  const mib = (n: number) => Math.round(n / 2 ** 20);
  const heap = makeHeapReducer({
    idle: () => scheduler.pending() === 0,
    onShrunk: (r) => {
      // The database's page cache too: the burst filled it, and the daemon's quiet time needs little of it.
      store.releaseMemory?.();
      // Then what malloc holds free (those pages, the burst's bodies) goes back to the OS: glibc keeps it otherwise.
      // (It lives in store/sqlite/ as it calls glibc through SQLite's extension loader; any store's daemon runs it.)
      const trimStart = performance.now();
      const malloc = trimMalloc();
      const mallocMs = Math.round(performance.now() - trimStart);
      log.info({ heap_mib_before: mib(r.committedBefore), heap_mib_after: mib(r.committedAfter), heap_used_mib: mib(r.usedAfter), malloc, malloc_ms: mallocMs }, 'heap given back after a burst of refreshes');
    },
  });
  let startupPolled = false;
  const privateSources = (c: Config) => new Set(c.sources.filter((s) => s.private).map((s) => s.id));
  lastRefresh.seed(await store.sources.all(), privateSources(config));
  const retag = makeRetagQueue(store, { config: () => config, classifier: refreshDeps.classifier, now: dbNow, log, signal: stopped.signal, node: node ?? undefined });
  const recluster = makeReclusterQueue(store, { settings: () => config.stories, now, log, signal: stopped.signal, done: () => runtime.stories.reset() });
  const claims = node
    ? makeClaims({
        nodes: store.nodes,
        node,
        leaseMs,
        // Daemons started together (a deploy) poll each source once: within a lease of each other, or min_interval.
        startupWindowMs: () => Math.max(config.fetch.minIntervalMs, leaseMs),
        fingerprint: () => refreshDeps.classifier().fingerprint,
        now: dbNow,
        syncClock: dbClock!.sync,
        log,
        onTakenOver: (ids) => scheduler.takeOver(ids),
        onBeat: () => {
          retag.retryIfWaiting();
          recluster.retryIfWaiting();
        },
        counters: {
          claimed: (granted, taken, seconds) => {
            metrics.claimDuration.observe(seconds);
            metrics.claims.inc({ result: 'granted' }, granted);
            metrics.claims.inc({ result: 'taken' }, taken);
          },
          expired: (n) => metrics.leaseExpiries.inc(n),
          held: (n) => metrics.leasesHeld.set(n),
        },
      })
    : undefined;
  const scheduler = makeScheduler({
    claims,
    concurrency: () => config.fetch.concurrency,
    perHost: () => config.fetch.perHost,
    refresh: (source, o) => refreshSource(refreshDeps, source, o),
    gate,
    log,
    timezone: config.fetch.timezone,
    jitterMs,
    onOutcome: (source, o) => {
      countRefresh(metrics, source, o);
      if (o.result !== 'skipped' && o.result !== 'aborted') lastRefresh.polled(source.id, now());
      if (o.unrecorded && o.error) unrecorded.set(source.id, { at: now(), error: o.error });
      else if (o.result !== 'skipped' && o.result !== 'aborted') unrecorded.delete(source.id);
    },
    // After a burst of many refreshes (the start-up poll, a big tick) hand the heap V8 grew for it back to the OS.
    onIdle: (refreshes) => {
      if (refreshes < COMPACT_AFTER_REFRESHES && startupPolled) return;
      startupPolled = true;
      const c = heap.afterBurst();
      log.debug({ refreshes, heap_mib_before: mib(c.committedBefore), heap_mib_after: mib(c.committedAfter), heap_used_mib: mib(c.usedAfter) }, 'heap compacted after a burst of refreshes');
    },
  });
  const nextTick = (s: { id: string; schedule: string }, notBefore: Date) => {
    const tick = scheduler.nextTick(s.id);
    return tick && tick >= notBefore ? tick : nextRunOf(s.schedule, config.fetch.timezone, notBefore);
  };
  const ready = async () => {
    const database = await store.ping();
    const lagMs = lag.maxMs();
    const r = retag.status();
    const nodes = node ? { node, leases_held: claims!.held() } : {};
    return {
      ok: database && lagMs < MAX_READY_LAG_MS,
      checks: { database, store: store.kind, config: config.file, event_loop_lag_ms: lagMs, retag: r.detail ? `${r.state}: ${r.detail}` : r.state, ...nodes },
    };
  };
  // Every configured source's status, URLs and errors redacted (for /api/sources and the page). A host pause
  // lives in the gate (the daemon's view of sources knows it, the CLI's cannot) and, on a shared database, in the
  // database too: there a pause another daemon met holds this one's sources as well.
  const statuses = async () => {
    const at = now();
    const elsewhere = node ? await store.nodes.hostPauses(at).catch(() => null) : null;
    const hostPause = (url: string) => {
      const here = gate.pausedUntil(url);
      const there = elsewhere?.get(hostKey(url)) ?? null;
      return here && there ? (here > there ? here : there) : (here ?? there);
    };
    return sourceStatuses(config, await readStoredSources(store), nextTick, at, unrecorded, hostPause).map((s) => redactSourceStatus(s, redactor));
  };
  const server = await startServer(
    {
      feeds: () => feeds,
      items: () => items,
      sources: statuses,
      // Source health is the admin's; the public page gets none of it.
      indexPage: async (admin) =>
        renderIndexPage(await indexPageData(config, feeds, admin ? { admin, statuses: await statuses() } : { admin, lastPublicRefresh: lastRefresh.current() }, reloads.current(), now())),
      access: () => access,
      metrics,
      ready,
      log,
    },
    config.server.host,
    config.server.port,
  );
  log.info({ listen: `${config.server.host}:${config.server.port}`, base_url: config.server.baseUrl, db: store.location, node, sources: config.sources.length, tags: config.tags.length, outputs: config.outputs.length }, 'warta started');

  // Registered (with its tag rules) before re-tagging looks at the other daemons' rules.
  await claims?.start();
  retag.request();
  // Stories: items stored before stories existed get their sketch and story; a new threshold re-clusters the window.
  recluster.request();
  // Article pages of full_text sources: queued by refreshes, read beside them (never inside one).
  const pages = makePageQueue({
    store, config: () => config, fetchPage: runtime.fetchPage, reader: runtime.reader, classifier: refreshDeps.classifier, gate, now, log, metrics, signal: stopped.signal,
  });
  refreshDeps.pagesQueued = () => pages.wake();
  void pages.backfill().catch((err: unknown) => log.error({ err }, 'full_text: queueing the pages of stored items failed'));
  await scheduler.start(config.sources);
  const retention = runRetention(store, () => config, now, log, stopped.signal);

  async function reload(reason: string): Promise<boolean> {
    // What this reload reads: the file watcher's event for the same save (SIGHUP after saving) reloads nothing.
    watcher?.remember();
    let next: Config;
    try {
      next = loadConfig(opts.configPath, opts.env);
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems.map(formatProblem) : [String(err)];
      log.error({ reason, problems }, `config reload rejected, the running config stays in force:\n${problems.join('\n')}`);
      reloads.rejected(now(), reason, problems);
      return false;
    }
    const needRestart = settingsNeedingRestart(config, next);
    if (needRestart.length) log.warn({ keys: needRestart }, 'these settings change only after a restart');
    try {
      await runtime.reconfigure(next);
      tagCounts = null; // tags may have been added or removed
    } catch (err) {
      log.error({ reason, err }, 'config reload failed (database unavailable), the running config stays in force');
      reloads.rejected(now(), reason, [`database unavailable: ${String(err)}`]);
      return false;
    }
    redactor.learn(configSecrets(next));
    for (const w of next.warnings) log.warn(formatProblem(w));
    config = next;
    // Which sources are private may have changed: count the public last refresh afresh (once per reload).
    const rows = await store.sources.all().catch(() => null); // the database just answered reconfigure(); if not, keep the figure
    if (rows) lastRefresh.seed(rows, privateSources(config));
    access = makeAccess(config, opts.env);
    feeds = renderer(config);
    items = makeItemsApi(store, config);
    gate.configure({ perHost: config.fetch.perHost, concurrency: config.fetch.concurrency });
    scheduler.reschedule(config.sources, config.fetch.timezone);
    if (!opts.fixedLogLevel) log.level = config.log.level;
    retag.request();
    recluster.request();
    // full_text turned on for a source: its stored items of the last days get their pages.
    void pages.backfill().catch((err: unknown) => log.error({ err }, 'full_text: queueing the pages of stored items failed'));
    // A lowered max_items or retention_days applies now, not at the next hourly pass.
    void retention.now();
    reloads.applied(now(), reason);
    log.info({ reason, sources: config.sources.length, tags: config.tags.length, outputs: config.outputs.length }, 'config reloaded');
    return true;
  }

  const watcher = opts.watchConfig ? watchConfigFile(opts.configPath, () => void reload('config file changed'), log) : null;

  let stopping: Promise<void> | null = null;
  return {
    server,
    reload,
    stop() {
      stopping ??= (async () => {
        log.info('stopping');
        watcher?.close();
        stopped.abort();
        lag.stop();
        heap.stop();
        await Promise.all([scheduler.stop(), stopServer(server), pages.stop()]);
        await Promise.all([retag.idle(), recluster.idle(), retention.stop()]);
        // Leases go after the polls that held them ended: another daemon may take the sources at once.
        await claims?.stop();
        await runtime.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
