import type { Command } from 'commander';
import type { RefreshOutcome } from '../pipeline/refresh.js';
import { formatLocalTime } from '../base/zoned-time.js';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';

/** `warta fetch [ID…]`: refresh sources once, one line each; exit 3 when a polled source failed. */
export function registerFetch(program: Command, ctx: CliContext): void {
  program
    .command('fetch')
    .description('refresh sources now, whatever their schedule, and report one line each')
    .argument('[source...]', 'source ids (default: every source, except gone ones and those held back after failures or a Retry-After; a named source is refreshed anyway)')
    .addOption(ctx.configOption())
    .addOption(ctx.levelOption())
    .addOption(ctx.logFormatOption())
    .addHelpText('after', ctx.helpFooter('each line: id, result, HTTP status, new and updated items, time taken; times are in fetch.timezone', EXIT_TEXT.fetch))
    .action(async (ids: string[], opts: { config?: string; logLevel?: string; logFormat?: string }) => {
      ctx.exit(await fetchCommand(ids, opts, ctx));
    });

}

async function fetchCommand(ids: string[], opts: { config?: string; logLevel?: string; logFormat?: string }, ctx: CliContext): Promise<number> {
  const config = ctx.readConfig(opts.config);
  if (!config) return EXIT.config;
  const unknown = ids.filter((id) => !config.sources.some((s) => s.id === id));
  if (unknown.length) {
    process.stderr.write(`warta fetch: unknown source${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n`);
    return EXIT.usage;
  }
  // The command's modules load when it runs, not when the CLI starts: `warta --help` or another command
  // should not pay for them (see test/integration/cli-startup.test.ts).
  const [{ hostKey, makeHostGate }, { makeLogger, resolveLogFormat }, { makeRedactor }, { configSecrets }, { refreshSource }, { retagIfRulesChanged }, { openRuntime }, { makeClaims, makeDatabaseClock, makeNodeName }, { makeSharedHosts }, { makeRetagQueue }, { makeReclusterQueue }, { feedAll }] = await Promise.all([
    import('../schedule/host-gate.js'),
    import('../base/log.js'),
    import('../base/redact.js'),
    import('../config/secrets.js'),
    import('../pipeline/refresh.js'),
    import('../jobs/retag.js'),
    import('../daemon/runtime.js'),
    import('../schedule/claims.js'),
    import('../schedule/shared-hosts.js'),
    import('../jobs/retag-queue.js'),
    import('../jobs/recluster.js'),
    import('../schedule/feeder.js'),
  ]);
  const redactor = makeRedactor();
  redactor.learn(configSecrets(config));
  // Log lines go to stderr (stdout is the report): pretty when stderr is a terminal, unless asked otherwise.
  const pretty = resolveLogFormat(opts.logFormat, process.stderr.isTTY === true) === 'pretty';
  const color = process.stderr.isTTY === true && !ctx.env.NO_COLOR;
  const log = makeLogger(opts.logLevel ?? 'warn', 2, { redact: redactor.text, pretty: pretty ? { zone: config.fetch.timezone, color } : null });
  const runtime = await openRuntime(config, log);
  const { store } = runtime;
  const now = () => new Date();
  // Beside daemons on a shared database (PostgreSQL) this command is one more node for as long as it runs: it
  // claims each source before polling it (one a daemon polls at this moment is reported and left to it), keeps
  // its leases alive with a heartbeat, takes its host slots from the shared ones, and releases all at the end.
  const node = store.nodes.shared ? makeNodeName() : null;
  const stopShared = new AbortController();
  const classifier = runtime.refreshDeps.classifier;
  const dbClock = node ? makeDatabaseClock(store.nodes, now, log) : null;
  const dbNow = dbClock?.now ?? now;
  const claims = node
    ? makeClaims({ nodes: store.nodes, node, leaseMs: config.storage.leaseMs, startupWindowMs: () => 0, fingerprint: () => classifier().fingerprint, now: dbNow, syncClock: dbClock!.sync, log })
    : null;
  try {
    await claims?.start();
    if (node) {
      // Re-tagging as a daemon does it there: under the job lock, and not while a live daemon runs other rules.
      const retag = makeRetagQueue(store, { config: () => config, classifier, now: dbNow, log, signal: stopShared.signal, node });
      retag.request();
      await retag.idle();
      const r = retag.status();
      if (r.detail) process.stderr.write(`warta fetch: stored items not re-tagged: ${r.detail}\n`);
    } else {
      await retagIfRulesChanged(store, classifier(), runtime.refreshDeps.now);
    }
    // Stories as the daemon keeps them: after a change of stories.threshold (or of the sketch algorithm) the
    // window is re-clustered before the new items are placed, so they join the stories the new threshold
    // makes. Under the job lock on a shared database; a pass another process runs is left to it.
    const recluster = makeReclusterQueue(store, { settings: () => config.stories, now: dbNow, log, signal: stopShared.signal, done: () => runtime.stories.reset() });
    recluster.request();
    await recluster.idle();
    const reclustered = recluster.lastWritten();
    if (reclustered) process.stderr.write(`warta fetch: stories re-clustered over the window (threshold ${config.stories.threshold}, ${reclustered} items written)\n`);
    if (recluster.waiting()) process.stderr.write('warta fetch: stories not re-clustered here: another process is re-clustering the window\n');
    const named = new Set(ids);
    const chosen = ids.length ? config.sources.filter((s) => named.has(s.id)) : config.sources;
    const shared = node ? makeSharedHosts({ nodes: store.nodes, node, perHost: config.fetch.perHost, leaseMs: config.storage.leaseMs, now: dbNow, signal: stopShared.signal, log }) : undefined;
    const gate = makeHostGate({ perHost: config.fetch.perHost, concurrency: config.fetch.concurrency, pauseMaxMs: config.fetch.hostPauseMaxMs, now, shared });
    // A host that answered 429/503 with Retry-After: its other sources are reported skipped, not waited for.
    const pausedHosts = new Map<string, Date>();
    // Article pages of full_text sources are read before the command ends (retries that come due later are left
    // to the daemon or the next `warta fetch`).
    const fullText = chosen.some((s) => s.fullText);
    const stopPages = new AbortController();
    // The page queue, the article reader and Prometheus's client load only for such sources.
    const { makeMetrics } = fullText ? await import('../base/metrics.js') : { makeMetrics: null };
    const { makePageQueue } = fullText ? await import('../jobs/pages.js') : { makePageQueue: null };
    const pageMetrics = makeMetrics?.();
    const pages = makePageQueue
      ? makePageQueue({ store: runtime.store, config: () => config, fetchPage: runtime.fetchPage, reader: runtime.reader, classifier: runtime.refreshDeps.classifier, gate, now: runtime.refreshDeps.now, log, metrics: pageMetrics, signal: stopPages.signal })
      : null;
    if (pages) runtime.refreshDeps.pagesQueued = () => pages.wake();
    // The polls wait their turn in a feeder (fetch.concurrency, per_host), not all in the host gate at once.
    const outcomes = await feedAll(chosen, { window: () => config.fetch.concurrency, perHost: () => config.fetch.perHost }, (s) => hostKey(s.url), (s) =>
        gate.run(s.url, async () => {
          const paused = pausedHosts.get(hostKey(s.url));
          const skip = (skipped: RefreshOutcome['skipped']): RefreshOutcome =>
            ({ sourceId: s.id, result: 'skipped', httpStatus: null, inserted: 0, updated: 0, error: null, skipped, retryAfter: null, url: null, bytes: 0, parseMs: 0, durationMs: 0 });
          const poll = () => refreshSource(runtime.refreshDeps, s, { force: named.has(s.id), ignoreHints: true });
          let o: RefreshOutcome;
          if (paused) o = skip({ reason: 'host_paused', until: paused });
          else if (!claims) o = await poll();
          else if ((await claims.take([s.id], 'fetch')).length === 0) o = skip({ reason: 'elsewhere', until: null });
          else {
            try {
              o = await poll();
            } finally {
              await claims.release([s.id]);
            }
          }
          if (o.retryAfter) pausedHosts.set(hostKey(s.url), o.retryAfter);
          process.stdout.write(`${redactor.text(formatOutcome(o, config.fetch.timezone))}\n`);
          return o;
        }),
    );
    // The daemons on the database hold these hosts too (recorded at the end: this command's own sources on them
    // are reported skipped above, not made to wait the pause out).
    if (node) {
      for (const [host, until] of pausedHosts) {
        const capped = new Date(Math.min(until.getTime(), dbNow().getTime() + config.fetch.hostPauseMaxMs));
        await store.nodes.pauseHost(host, capped).catch((err: unknown) => log.warn({ err, host }, 'could not share a host pause with the daemons'));
      }
    }
    if (pages && pageMetrics) {
      await pages.backfill();
      await pages.idle();
      stopPages.abort();
      await pages.stop();
      const counts = pageMetrics.pages.sumBy('outcome');
      process.stdout.write(`pages\tread ${counts.get('done') ?? 0}\tfailed ${counts.get('failed') ?? 0}\tto retry ${counts.get('retry') ?? 0}\n`);
    }
    return outcomes.some((o) => o.result === 'failed') ? EXIT.sourceFailed : EXIT.ok;
  } finally {
    stopShared.abort();
    await claims?.stop();
    await runtime.close();
  }
}

/** One line per source: id, what happened, HTTP status, new/updated items, time; dates in `timeZone`. */
export function formatOutcome(o: RefreshOutcome, timeZone = 'UTC'): string {
  const status = o.httpStatus === null ? '-' : String(o.httpStatus);
  const base = `${o.sourceId}\t${o.result}\t${status}`;
  if (o.result === 'skipped') {
    const until = o.skipped?.until ? formatLocalTime(o.skipped.until, timeZone) : 'further notice';
    const why = {
      gone: `gone (HTTP 410); change its URL or run \`warta fetch ${o.sourceId}\``,
      held: `held back until ${until} (backoff or Retry-After)`,
      hint: `not due until ${until} (feed's own interval)`,
      host_paused: `host paused until ${until} (Retry-After from another source on it)`,
      elsewhere: 'another warta daemon on this database is polling it now',
    }[o.skipped?.reason ?? 'held'];
    return `${base}\t${why}`;
  }
  const tail = `new ${o.inserted}\tupdated ${o.updated}\t${o.durationMs} ms`;
  return o.error ? `${base}\t${tail}\t${o.error.code}: ${o.error.message}` : `${base}\t${tail}`;
}
