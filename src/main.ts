import type { Server } from 'node:http';
import type { Logger } from 'pino';
import cron from 'node-cron';
import type { Config } from './config/load.js';
import { makeFeedRenderer } from './http/feeds.js';
import { startServer, stopServer } from './http/server.js';
import { refreshSource } from './pipeline/refresh.js';
import { retagIfRulesChanged, rulesFingerprint } from './retag.js';
import { openRuntime } from './runtime.js';
import { makeHostGate } from './host-gate.js';
import { makeScheduler, nextRunOf } from './scheduler.js';
import { sourceStatuses, type NextTick } from './source-status.js';

// Cron ticks of many sources fall on the same second; spreading them keeps hosts from being hit together.
const CRON_JITTER_MS = 20_000;

/** A running daemon, for the CLI to stop on a signal and for tests to drive in-process. */
export interface Daemon {
  server: Server;
  stop(): Promise<void>;
}

/**
 * The composition root: open the database → apply the tag rules → start serving → schedule the sources.
 * Serving starts before the first poll so outputs are available at once, even with no network.
 */
export async function runDaemon(config: Config, log: Logger): Promise<Daemon> {
  routeCronLogs(log);
  const runtime = openRuntime(config, log);
  const { store, refreshDeps } = runtime;
  const now = () => new Date();

  const feeds = makeFeedRenderer(store, config, now);
  // The scheduler exists below; the server only asks for next ticks once requests arrive.
  let nextTick: NextTick = (s, t) => nextRunOf(s.schedule, config.fetch.timezone, t);
  const sources = () => sourceStatuses(config, store, (s, t) => nextTick(s, t), now());
  const server = await startServer({ feeds: () => feeds, sources, log }, config.server.host, config.server.port);
  log.info({ listen: `${config.server.host}:${config.server.port}`, base_url: config.server.baseUrl, db: config.storage.path, sources: config.sources.length, tags: config.tags.length, outputs: config.outputs.length }, 'warta started');

  const retag = retagIfRulesChanged(store, refreshDeps.tagger(), rulesFingerprint(config), now)
    .then((r) => r && log.info({ changed: r.changed }, 'tag rules changed: stored items re-tagged'))
    .catch((err: unknown) => log.error({ err }, 're-tagging failed'));

  const gate = makeHostGate({
    perHost: config.fetch.perHost,
    concurrency: config.fetch.concurrency,
    pauseMaxMs: config.fetch.hostPauseMaxMs,
    now,
  });
  const scheduler = makeScheduler({
    refresh: (source, opts) => refreshSource(refreshDeps, source, opts),
    gate,
    log,
    timezone: config.fetch.timezone,
    jitterMs: CRON_JITTER_MS,
  });
  scheduler.start(config.sources);
  nextTick = (s, t) => {
    const tick = scheduler.nextTick(s.id);
    return tick && tick >= t ? tick : nextRunOf(s.schedule, config.fetch.timezone, t);
  };

  let stopping: Promise<void> | null = null;
  return {
    server,
    stop() {
      stopping ??= (async () => {
        log.info('stopping');
        await Promise.all([scheduler.stop(), stopServer(server)]);
        await retag;
        await runtime.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
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

export type { Config };
