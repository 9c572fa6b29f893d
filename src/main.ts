import { watch, type FSWatcher } from 'node:fs';
import type { Server } from 'node:http';
import { basename, dirname } from 'node:path';
import cron from 'node-cron';
import type { Logger } from 'pino';
import { ConfigError, formatProblem, loadConfig, type Config } from './config/load.js';
import { hostKey, makeHostGate } from './schedule/host-gate.js';
import { renderIndexPage } from './http/index-page.js';
import { indexPageData } from './daemon/index-page-data.js';
import { makeReloadStatus } from './daemon/reload-status.js';
import { errorCodeLabel, makeMetrics, outcomeLabel, type Metrics } from './base/metrics.js';
import type { RefreshOutcome } from './pipeline/refresh.js';
import { makeItemsApi, type ItemsApi } from './http/api-items.js';
import { makeFeedRenderer, type FeedRenderer } from './publish/catalogue.js';
import { startServer, stopServer } from './http/server.js';
import { refreshSource } from './pipeline/refresh.js';
import { retagIfRulesChanged } from './jobs/retag.js';
import { startRetagPool } from './jobs/retag-pool.js';
import { openRuntime } from './daemon/runtime.js';
import { makeScheduler, nextRunOf } from './schedule/scheduler.js';
import { sourceStatuses, type UnrecordedFailure } from './daemon/source-status.js';

// Cron ticks of many sources fall on the same second; spreading them keeps hosts from being hit together.
const CRON_JITTER_MS = 20_000;
const PRUNE_EVERY_MS = 3_600_000;
// Timers (cron ticks included) that fire this late mean the process cannot keep its schedule.
const MAX_READY_LAG_MS = 5_000;
// Editors save in bursts (write, rename, chmod): one reload per burst.
const RELOAD_DEBOUNCE_MS = 300;

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
}

/**
 * The composition root: open the database → apply the tag rules → start serving → schedule the sources.
 * Serving starts before the first poll so outputs are available at once, even with no network.
 */
export async function runDaemon(initial: Config, opts: DaemonOptions): Promise<Daemon> {
  const { log } = opts;
  routeCronLogs(log);
  let config = initial;
  const now = () => new Date();
  const runtime = await openRuntime(config, log);
  const { store, refreshDeps } = runtime;

  let feeds: FeedRenderer = makeFeedRenderer(store, config, now);
  let items: ItemsApi = makeItemsApi(store, config);
  const gate = makeHostGate({ perHost: config.fetch.perHost, concurrency: config.fetch.concurrency, pauseMaxMs: config.fetch.hostPauseMaxMs, now });
  const lag = monitorLag();
  // One registry for the daemon's life: reloads keep counting.
  const metrics = makeMetrics({
    collect: () => {
      metrics.schedulerLag.set(lag.maxMs() / 1000);
      const failing = store.sources.all().filter((r) => r.state === 'failing' || r.state === 'gone').length;
      return { itemsPerTag: store.items.countsByTag(), failingSources: failing };
    },
  });
  const reloads = makeReloadStatus(config.file, now(), metrics);
  // Refresh failures the store could not write (a full disk), shown on the sources' status until the source's
  // next outcome; lost on restart, like the condition that caused them.
  const unrecorded = new Map<string, UnrecordedFailure>();
  const scheduler = makeScheduler({
    refresh: (source, o) => refreshSource(refreshDeps, source, o),
    gate,
    log,
    timezone: config.fetch.timezone,
    jitterMs: CRON_JITTER_MS,
    onOutcome: (source, o) => {
      countRefresh(metrics, source, o);
      if (o.unrecorded && o.error) unrecorded.set(source.id, { at: now(), error: o.error });
      else if (o.result !== 'skipped' && o.result !== 'aborted') unrecorded.delete(source.id);
    },
  });
  const nextTick = (s: { id: string; schedule: string }, notBefore: Date) => {
    const tick = scheduler.nextTick(s.id);
    return tick && tick >= notBefore ? tick : nextRunOf(s.schedule, config.fetch.timezone, notBefore);
  };
  // A host pause lives in the gate only: the daemon's view of sources knows it, the CLI's cannot.
  const statuses = () => sourceStatuses(config, store, nextTick, now(), unrecorded, (url) => gate.pausedUntil(url));
  const ready = () => {
    const database = store.ping();
    const lagMs = lag.maxMs();
    return { ok: database && lagMs < MAX_READY_LAG_MS, checks: { database, config: config.file, event_loop_lag_ms: lagMs } };
  };
  const server = await startServer(
    {
      feeds: () => feeds,
      items: () => items,
      sources: statuses,
      indexPage: () => renderIndexPage(indexPageData(config, feeds, statuses(), reloads.current(), now())),
      metrics,
      ready,
      log,
    },
    config.server.host,
    config.server.port,
  );
  log.info({ listen: `${config.server.host}:${config.server.port}`, base_url: config.server.baseUrl, db: config.storage.path, sources: config.sources.length, tags: config.tags.length, outputs: config.outputs.length }, 'warta started');

  // Ends the background writes' waits for a database lock (db/busy.ts) when the daemon stops.
  const stopped = new AbortController();
  // Re-tagging runs in the background, one pass at a time: a reload during a pass queues the next.
  let retag: Promise<unknown> = Promise.resolve();
  const startRetag = () => {
    retag = retag
      .then(() => {
        const classifier = refreshDeps.classifier();
        // Worker threads need a file to open; an in-memory database is re-tagged on this thread.
        const startPool = config.storage.path === ':memory:' ? null : (size: number) => startRetagPool(config.storage.path, classifier.spec, size);
        return retagIfRulesChanged(store, classifier, now, { signal: stopped.signal, startPool }, (err) =>
          log.warn({ err }, 're-tag workers could not start; re-tagging on the main thread'),
        );
      })
      .then((r) => r && (r.changed > 0 || r.explained > 0) && log.info({ changed: r.changed, explained: r.explained, workers: r.workers }, 'tag rules changed: stored items re-tagged'))
      .catch((err: unknown) => stopped.signal.aborted || log.error({ err }, 're-tagging failed'));
  };
  startRetag();
  scheduler.start(config.sources);

  // Retention is off unless configured; a pass is cheap (indexed deletes), so hourly is plenty.
  const prune = async () => {
    const maxItems = new Map(config.sources.filter((s) => s.maxItems !== null).map((s) => [s.id, s.maxItems!]));
    if (config.storage.retentionDays === null && maxItems.size === 0) return;
    try {
      const r = await store.write(() => store.retention.prune(now(), config.storage.retentionDays, maxItems), stopped.signal);
      if (r.byAge + r.byCount > 0) log.info({ ...r }, 'retention: items pruned');
    } catch (err) {
      if (!stopped.signal.aborted) log.error({ err }, 'retention pass failed');
    }
  };
  let pruning = prune();
  const pruneTimer = setInterval(() => (pruning = pruning.then(prune)), PRUNE_EVERY_MS).unref();

  async function reload(reason: string): Promise<boolean> {
    let next: Config;
    try {
      next = loadConfig(opts.configPath, opts.env);
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems.map(formatProblem) : [String(err)];
      log.error({ reason, problems }, `config reload rejected, the running config stays in force:\n${problems.join('\n')}`);
      reloads.rejected(now(), reason, problems);
      return false;
    }
    const needRestart = [
      next.storage.path !== config.storage.path && 'storage.path',
      (next.server.host !== config.server.host || next.server.port !== config.server.port) && 'server.listen',
      (next.fetch.perHost !== config.fetch.perHost || next.fetch.concurrency !== config.fetch.concurrency) && 'fetch.per_host/concurrency',
    ].filter(Boolean);
    if (needRestart.length) log.warn({ keys: needRestart }, 'these settings change only after a restart');
    try {
      await runtime.reconfigure(next);
    } catch (err) {
      log.error({ reason, err }, 'config reload failed (database unavailable), the running config stays in force');
      reloads.rejected(now(), reason, [`database unavailable: ${String(err)}`]);
      return false;
    }
    config = next;
    feeds = makeFeedRenderer(store, config, now);
    items = makeItemsApi(store, config);
    scheduler.reschedule(config.sources, config.fetch.timezone);
    if (!opts.fixedLogLevel) log.level = config.log.level;
    startRetag();
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
        clearInterval(pruneTimer);
        stopped.abort();
        lag.stop();
        await Promise.all([scheduler.stop(), stopServer(server)]);
        await Promise.all([retag, pruning]);
        await runtime.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Watches the config file's directory (editors replace files by rename, which a watch on the file itself
 * loses) and calls `onChange` once per burst of changes to that file.
 */
function watchConfigFile(path: string, onChange: () => void, log: Logger): FSWatcher | null {
  const name = basename(path);
  let timer: NodeJS.Timeout | null = null;
  try {
    const w = watch(dirname(path), (_event, file) => {
      if (file !== null && file.toString() !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, RELOAD_DEBOUNCE_MS);
    });
    w.on('error', (err) => log.warn({ err }, 'config watch failed; reload with SIGHUP'));
    return w;
  } catch (err) {
    log.warn({ err }, 'cannot watch the config file; reload with SIGHUP');
    return null;
  }
}

function countRefresh(metrics: Metrics, source: { id: string; url: string }, o: RefreshOutcome): void {
  metrics.fetches.inc({ source: source.id, host: hostKey(source.url), outcome: outcomeLabel(o.result) });
  if (o.result === 'skipped' || o.result === 'aborted') return;
  metrics.fetchDuration.observe({ source: source.id }, o.durationMs / 1000);
  if (o.error) metrics.fetchErrors.inc({ source: source.id, code: errorCodeLabel(o.error.code) });
  if (o.bytes) metrics.fetchBytes.inc({ source: source.id }, o.bytes);
  if (o.parseMs) metrics.parseDuration.observe({ source: source.id }, o.parseMs / 1000);
  if (o.inserted) metrics.itemsNew.inc({ source: source.id }, o.inserted);
  if (o.updated) metrics.itemsUpdated.inc({ source: source.id }, o.updated);
}

/** Measures how late a 1-second timer fires: the scheduler's lag (its ticks are timers too). */
function monitorLag() {
  let expected = Date.now() + 1000;
  let worst = 0;
  let windowStart = Date.now();
  const timer = setInterval(() => {
    const t = Date.now();
    // Keep the worst lag of the last minute, so a stall is visible for a while after it ends.
    if (t - windowStart > 60_000) {
      worst = 0;
      windowStart = t;
    }
    worst = Math.max(worst, t - expected);
    expected = t + 1000;
  }, 1000).unref();
  return { maxMs: () => Math.max(worst, Date.now() - expected), stop: () => clearInterval(timer) };
}

/** node-cron prints coloured lines to the console by default; send them through the JSON log instead. */
function routeCronLogs(log: Logger) {
  const child = log.child({ component: 'cron' });
  const text = (m: string | Error) => (m instanceof Error ? m.message : m);
  cron.setLogger({
    info: (m) => child.debug(m),
    warn: (m) => child.warn(m),
    error: (m, err) => child.error({ err: err ?? (m instanceof Error ? m : undefined) }, text(m)),
    debug: (m) => child.debug(text(m)),
  });
}
