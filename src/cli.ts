import { Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ConfigError, formatProblem, loadConfig, parseConfig, resolveConfigPath, type Config } from './config/load.js';
import { backupDatabase } from './db/backup.js';
import { WartaError } from './errors.js';
import { addSourcesToConfig, exportSourcesOpml, parseSourcesOpml } from './opml-sources.js';
import { makeClassifier } from './classify.js';
import { configJsonSchema } from './config/json-schema.js';
import { parseSince } from './http/api-items.js';
import { explainItem, formatTagTest, testTags } from './tag-dryrun.js';
import { makeLogger } from './log.js';
import { runDaemon } from './main.js';
import { refreshSource, type RefreshOutcome } from './pipeline/refresh.js';
import { hostKey, makeHostGate } from './host-gate.js';
import { openDatabase } from './db/open.js';
import { makeStore } from './db/store.js';
import { retagIfRulesChanged } from './retag.js';
import { openRuntime } from './runtime.js';
import { nextRunOf } from './scheduler.js';
import { formatStatusTable, sourceStatuses } from './source-status.js';
import { VERSION } from './version.js';

/** Exit codes: 0 ok, 1 config error, 2 usage error, 3 some source failed (warta fetch). */
export const EXIT = { ok: 0, config: 1, usage: 2, sourceFailed: 3 } as const;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Runs one CLI command and resolves to its exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('warta')
    .description('Self-hosted news aggregator: polls feeds, tags items, publishes filtered feeds')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  const configOption = () => new Option('-c, --config <file>', 'config file (default: $WARTA_CONFIG or config/warta.yaml)');
  const levelOption = () => new Option('--log-level <level>', 'log level').choices(LEVELS);

  program
    .command('start')
    .description('run the daemon: poll sources on their schedules and serve the output feeds')
    .addOption(configOption())
    .addOption(levelOption())
    .action(async (opts: { config?: string; logLevel?: string }) => {
      code = await startCommand(opts, env);
    });

  program
    .command('fetch')
    .description('refresh sources once and report one line each (named sources are refreshed even when held back)')
    .argument('[source...]', 'source ids (default: every source that is due)')
    .addOption(configOption())
    .addOption(levelOption())
    .action(async (ids: string[], opts: { config?: string; logLevel?: string }) => {
      code = await fetchCommand(ids, opts, env);
    });

  program
    .command('sources')
    .description('list every source with its state, last poll, next poll and last error')
    .addOption(configOption())
    .option('--json', 'print JSON (the same as GET /api/sources)')
    .action((opts: { config?: string; json?: boolean }) => {
      const config = readConfig(opts.config, env);
      if (!config) return void (code = EXIT.config);
      const db = openDatabase(config.storage.path);
      try {
        const list = sourceStatuses(config, makeStore(db), (s, t) => nextRunOf(s.schedule, config.fetch.timezone, t), new Date());
        console.log(opts.json ? JSON.stringify(list, null, 2) : formatStatusTable(list));
      } finally {
        db.close();
      }
    });

  const tags = program.command('tags').description('dry runs and explanations of the tag rules');
  tags
    .command('test')
    .description('evaluate the config\'s rules against stored items without writing: matched, gained and lost per tag')
    .addOption(configOption())
    .option('--tag <name...>', 'only these tags (name or slug)')
    .option('--since <date>', 'only items published since (YYYY-MM-DD or RFC 3339)')
    .action((opts: { config?: string; tag?: string[]; since?: string }) => {
      const config = readConfig(opts.config, env);
      if (!config) return void (code = EXIT.config);
      const names = (opts.tag ?? []).map((t) => config.tags.find((x) => x.name === t || x.slug === t)?.name ?? t);
      const unknown = names.filter((n) => !config.tags.some((t) => t.name === n));
      if (unknown.length) return void ((code = EXIT.usage), process.stderr.write(`warta tags test: unknown tag ${unknown.map((u) => `"${u}"`).join(', ')}\n`));
      const since = opts.since === undefined ? null : parseSince(opts.since);
      if (since === null && opts.since !== undefined) return void ((code = EXIT.usage), process.stderr.write('warta tags test: --since takes YYYY-MM-DD or an RFC 3339 date-time\n'));
      const db = openDatabase(config.storage.path);
      try {
        const reports = testTags(makeStore(db), makeClassifier(config), config.tags.map((t) => t.name), { tags: names, since });
        console.log(formatTagTest(reports));
      } finally {
        db.close();
      }
    });
  tags
    .command('explain')
    .description('show why an item carries its tags, and what the current rules would give it')
    .argument('<item-id>', 'the item\'s number (as in /api/items)')
    .addOption(configOption())
    .action((id: string, opts: { config?: string }) => {
      const config = readConfig(opts.config, env);
      if (!config) return void (code = EXIT.config);
      const db = openDatabase(config.storage.path);
      try {
        const item = /^\d+$/.test(id) ? makeStore(db).items.byId(Number(id)) : null;
        if (!item) return void ((code = EXIT.usage), process.stderr.write(`warta tags explain: no item ${id}\n`));
        console.log(explainItem(item, makeClassifier(config)));
      } finally {
        db.close();
      }
    });

  program
    .command('backup')
    .description('copy the database to FILE while the daemon runs (an online, consistent snapshot)')
    .argument('<file>', 'where to write the copy')
    .addOption(configOption())
    .option('--force', 'overwrite FILE if it exists')
    .action(async (file: string, opts: { config?: string; force?: boolean }) => {
      const config = readConfig(opts.config, env);
      if (!config) return void (code = EXIT.config);
      try {
        const r = await backupDatabase(config.storage.path, file, { force: opts.force ?? false });
        console.log(`${file}: ${r.pages} pages, ${r.bytes} bytes`);
      } catch (err) {
        if (!(err instanceof WartaError)) throw err;
        process.stderr.write(`warta backup: ${err.message}\n`);
        code = EXIT.config;
      }
    });

  const opml = program.command('opml').description('the subscribed sources as OPML 2.0, to and from feed readers (not /opml, which lists warta\'s own feeds)');
  opml
    .command('export')
    .description('print the sources as OPML 2.0')
    .addOption(configOption())
    .action((opts: { config?: string }) => {
      const config = readConfig(opts.config, env);
      if (!config) return void (code = EXIT.config);
      let known = new Map<string, { title: string | null; siteUrl: string | null }>();
      if (existsSync(config.storage.path)) {
        const db = openDatabase(config.storage.path, { readonly: true });
        try {
          known = new Map(makeStore(db).sources.all().map((r) => [r.id, { title: r.title, siteUrl: r.siteUrl }]));
        } finally {
          db.close();
        }
      }
      const list = config.sources.map((s) => ({ id: s.id, url: s.url, title: s.title ?? known.get(s.id)?.title ?? null, siteUrl: known.get(s.id)?.siteUrl ?? null }));
      process.stdout.write(exportSourcesOpml(list, new Date()));
    });
  opml
    .command('import')
    .description('add the feeds of an OPML file to the config file as sources, keeping its comments')
    .argument('<file>', 'an OPML file exported by a feed reader')
    .addOption(configOption())
    .option('--dry-run', 'print the resulting config instead of writing it')
    .action((file: string, opts: { config?: string; dryRun?: boolean }) => {
      const config = readConfig(opts.config, env);
      if (!config) return void (code = EXIT.config);
      let xml: string;
      try {
        xml = readFileSync(file, 'utf8');
      } catch (err) {
        process.stderr.write(`warta opml import: cannot read ${file}: ${(err as Error).message}\n`);
        return void (code = EXIT.usage);
      }
      const { sources, problems } = parseSourcesOpml(xml, new Set(config.sources.map((s) => s.id)));
      for (const p of problems) process.stderr.write(`${file}: ${p}\n`);
      const result = addSourcesToConfig(readFileSync(config.file, 'utf8'), sources);
      // The edited file must still be a valid config before it replaces the old one.
      try {
        parseConfig(result.text, config.file, env);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
        process.stderr.write('warta opml import: the config with these sources would be invalid; nothing written\n');
        return void (code = EXIT.config);
      }
      for (const s of result.skipped) process.stderr.write(`skipped ${s.source.url}: ${s.reason}\n`);
      if (opts.dryRun) return void process.stdout.write(result.text);
      if (result.added.length > 0) {
        const tmp = `${config.file}.${process.pid}.tmp`;
        writeFileSync(tmp, result.text);
        renameSync(tmp, config.file);
      }
      console.log(`${config.file}: ${result.added.length} source${result.added.length === 1 ? '' : 's'} added, ${result.skipped.length} skipped${result.added.length ? ' (a running daemon reloads it)' : ''}`);
      if (problems.length > 0 && result.added.length === 0) code = EXIT.usage;
    });

  program
    .command('schema')
    .description('print the JSON Schema of the config file, for editors (warta schema > warta.schema.json)')
    .action(() => {
      console.log(JSON.stringify(configJsonSchema(), null, 2));
    });

  program
    .command('check-config')
    .description('validate the config; print every problem as FILE:LINE:COL: message')
    .addOption(configOption())
    .action((opts: { config?: string }) => {
      const config = readConfig(opts.config, env);
      if (!config) return void (code = EXIT.config);
      console.log(`${config.file}: ok (${config.sources.length} sources, ${config.tags.length} tags, ${config.outputs.length} outputs)`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  return code;
}

/** Loads the config, printing every problem to stderr on failure. */
function readConfig(flag: string | undefined, env: NodeJS.ProcessEnv): Config | null {
  const file = resolveConfigPath(flag, env);
  try {
    return loadConfig(file, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return null;
  }
}

async function startCommand(opts: { config?: string; logLevel?: string }, env: NodeJS.ProcessEnv): Promise<number> {
  const config = readConfig(opts.config, env);
  if (!config) return EXIT.config;
  const log = makeLogger(opts.logLevel ?? config.log.level);
  const daemon = await runDaemon(config, { configPath: config.file, env, log, fixedLogLevel: opts.logLevel !== undefined, watchConfig: true });
  const onHup = () => void daemon.reload('SIGHUP');
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'signal received');
      // A second signal, or a stop that hangs past 5 s, ends the process anyway.
      process.once(signal, () => process.exit(1));
      setTimeout(() => {
        log.error('shutdown took longer than 5 s; exiting');
        process.exit(1);
      }, 5000).unref();
      process.off('SIGHUP', onHup);
      void daemon.stop().then(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return EXIT.ok;
}

async function fetchCommand(ids: string[], opts: { config?: string; logLevel?: string }, env: NodeJS.ProcessEnv): Promise<number> {
  const config = readConfig(opts.config, env);
  if (!config) return EXIT.config;
  const unknown = ids.filter((id) => !config.sources.some((s) => s.id === id));
  if (unknown.length) {
    process.stderr.write(`warta fetch: unknown source${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n`);
    return EXIT.usage;
  }
  const log = makeLogger(opts.logLevel ?? 'warn', 2);
  const runtime = openRuntime(config, log);
  try {
    await retagIfRulesChanged(runtime.store, runtime.refreshDeps.classifier(), runtime.refreshDeps.now);
    const named = new Set(ids);
    const chosen = ids.length ? config.sources.filter((s) => named.has(s.id)) : config.sources;
    const gate = makeHostGate({ perHost: config.fetch.perHost, concurrency: config.fetch.concurrency, pauseMaxMs: config.fetch.hostPauseMaxMs, now: () => new Date() });
    // A host that answered 429/503 with Retry-After: its other sources are reported skipped, not waited for.
    const pausedHosts = new Map<string, Date>();
    const outcomes = await Promise.all(
      chosen.map((s) =>
        gate.run(s.url, async () => {
          const paused = pausedHosts.get(hostKey(s.url));
          const o: RefreshOutcome = paused
            ? { sourceId: s.id, result: 'skipped', httpStatus: null, inserted: 0, updated: 0, error: null, skipped: { reason: 'host_paused', until: paused }, retryAfter: null, url: null, bytes: 0, parseMs: 0, durationMs: 0 }
            : await refreshSource(runtime.refreshDeps, s, { force: named.has(s.id), ignoreHints: true });
          if (o.retryAfter) pausedHosts.set(hostKey(s.url), o.retryAfter);
          process.stdout.write(`${formatOutcome(o)}\n`);
          return o;
        }),
      ),
    );
    return outcomes.some((o) => o.result === 'failed') ? EXIT.sourceFailed : EXIT.ok;
  } finally {
    await runtime.close();
  }
}

/** One line per source: id, what happened, HTTP status, new/updated items, time. */
export function formatOutcome(o: RefreshOutcome): string {
  const status = o.httpStatus === null ? '-' : String(o.httpStatus);
  const base = `${o.sourceId}\t${o.result}\t${status}`;
  if (o.result === 'skipped') {
    const until = o.skipped?.until?.toISOString();
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
