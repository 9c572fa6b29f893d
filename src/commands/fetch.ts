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
  const [{ hostKey, makeHostGate }, { makeLogger, resolveLogFormat }, { makeRedactor }, { configSecrets }, { refreshSource }, { retagIfRulesChanged }, { openRuntime }, { makePageQueue }] = await Promise.all([
    import('../schedule/host-gate.js'),
    import('../base/log.js'),
    import('../base/redact.js'),
    import('../config/secrets.js'),
    import('../pipeline/refresh.js'),
    import('../jobs/retag.js'),
    import('../daemon/runtime.js'),
    import('../jobs/pages.js'),
  ]);
  const redactor = makeRedactor();
  redactor.learn(configSecrets(config));
  // Log lines go to stderr (stdout is the report): pretty when stderr is a terminal, unless asked otherwise.
  const pretty = resolveLogFormat(opts.logFormat, process.stderr.isTTY === true) === 'pretty';
  const color = process.stderr.isTTY === true && !ctx.env.NO_COLOR;
  const log = makeLogger(opts.logLevel ?? 'warn', 2, { redact: redactor.text, pretty: pretty ? { zone: config.fetch.timezone, color } : null });
  const runtime = await openRuntime(config, log);
  try {
    await retagIfRulesChanged(runtime.store, runtime.refreshDeps.classifier(), runtime.refreshDeps.now);
    const named = new Set(ids);
    const chosen = ids.length ? config.sources.filter((s) => named.has(s.id)) : config.sources;
    const gate = makeHostGate({ perHost: config.fetch.perHost, concurrency: config.fetch.concurrency, pauseMaxMs: config.fetch.hostPauseMaxMs, now: () => new Date() });
    // A host that answered 429/503 with Retry-After: its other sources are reported skipped, not waited for.
    const pausedHosts = new Map<string, Date>();
    // Article pages of full_text sources are read before the command ends (retries that come due later are left
    // to the daemon or the next `warta fetch`).
    const fullText = chosen.some((s) => s.fullText);
    const stopPages = new AbortController();
    const { makeMetrics } = fullText ? await import('../base/metrics.js') : { makeMetrics: null };
    const pageMetrics = makeMetrics?.();
    const pages = fullText
      ? makePageQueue({ store: runtime.store, config: () => config, fetchPage: runtime.fetchPage, reader: runtime.reader, classifier: runtime.refreshDeps.classifier, gate, now: runtime.refreshDeps.now, log, metrics: pageMetrics, signal: stopPages.signal })
      : null;
    if (pages) runtime.refreshDeps.pagesQueued = () => pages.wake();
    const outcomes = await Promise.all(
      chosen.map((s) =>
        gate.run(s.url, async () => {
          const paused = pausedHosts.get(hostKey(s.url));
          const o: RefreshOutcome = paused
            ? { sourceId: s.id, result: 'skipped', httpStatus: null, inserted: 0, updated: 0, error: null, skipped: { reason: 'host_paused', until: paused }, retryAfter: null, url: null, bytes: 0, parseMs: 0, durationMs: 0 }
            : await refreshSource(runtime.refreshDeps, s, { force: named.has(s.id), ignoreHints: true });
          if (o.retryAfter) pausedHosts.set(hostKey(s.url), o.retryAfter);
          process.stdout.write(`${redactor.text(formatOutcome(o, config.fetch.timezone))}\n`);
          return o;
        }),
      ),
    );
    if (pages && pageMetrics) {
      await pages.backfill();
      await pages.idle();
      stopPages.abort();
      await pages.stop();
      const counts = new Map<string, number>();
      for (const v of (await pageMetrics.pages.get()).values) counts.set(String(v.labels.outcome), (counts.get(String(v.labels.outcome)) ?? 0) + v.value);
      process.stdout.write(`pages\tread ${counts.get('done') ?? 0}\tfailed ${counts.get('failed') ?? 0}\tto retry ${counts.get('retry') ?? 0}\n`);
    }
    return outcomes.some((o) => o.result === 'failed') ? EXIT.sourceFailed : EXIT.ok;
  } finally {
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
    }[o.skipped?.reason ?? 'held'];
    return `${base}\t${why}`;
  }
  const tail = `new ${o.inserted}\tupdated ${o.updated}\t${o.durationMs} ms`;
  return o.error ? `${base}\t${tail}\t${o.error.code}: ${o.error.message}` : `${base}\t${tail}`;
}
