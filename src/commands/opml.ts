import type { Command } from 'commander';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ConfigError, formatProblem, parseConfig } from '../config/load.js';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';
import { withReadOnlyStore } from './with-store.js';
import { isPostgres } from '../store/spec.js';
import { redactUrl } from '../base/redact.js';

/** `warta opml export|import`: the subscribed sources to and from OPML 2.0. */
export function registerOpml(program: Command, ctx: CliContext): void {
  const opml = program.command('opml').description('the subscribed sources as OPML 2.0, to and from feed readers (not /opml, which lists warta\'s own feeds)');
  opml
    .command('export')
    .description('print the sources as OPML 2.0 (credentials and API keys in URLs as *** unless --show-secrets)')
    .addOption(ctx.configOption())
    .option('--show-secrets', 'keep credentials and API keys in the URLs, for a feed reader that needs them')
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.opmlExport))
    .action(async (opts: { config?: string; showSecrets?: boolean }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      // Loaded when the command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
      const { exportSourcesOpml } = await import('../publish/opml-sources.js');
      let known = new Map<string, { title: string | null; siteUrl: string | null }>();
      // Titles learned from the feeds, where warta has run; the config alone is enough to export.
      if (isPostgres(config.storage) || existsSync(config.storage.path)) {
        await withReadOnlyStore(ctx, 'opml export', config, async (store) => {
          known = new Map((await store.sources.all()).map((r) => [r.id, { title: r.title, siteUrl: r.siteUrl }]));
        });
        if (ctx.code !== EXIT.ok) return;
      }
      const url = (u: string) => (opts.showSecrets ? u : redactUrl(u, config.redact.queryParams));
      const list = config.sources.map((s) => ({ id: s.id, url: url(s.url), title: s.title ?? known.get(s.id)?.title ?? null, siteUrl: known.get(s.id)?.siteUrl ?? null }));
      process.stdout.write(exportSourcesOpml(list, new Date()));
    });
  opml
    .command('import')
    .description('add the feeds of an OPML file to the config file as sources, keeping its comments')
    .argument('<file>', 'an OPML file exported by a feed reader')
    .addOption(ctx.configOption())
    .option('--dry-run', 'print the change to the config file as a unified diff instead of writing it')
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.opmlImport))
    .action(async (file: string, opts: { config?: string; dryRun?: boolean }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      const { addSourcesToConfig, parseSourcesOpml } = await import('../publish/opml-sources.js');
      let xml: string;
      try {
        xml = readFileSync(file, 'utf8');
      } catch (err) {
        process.stderr.write(`warta opml import: cannot read ${file}: ${(err as Error).message}\n`);
        return ctx.exit(EXIT.usage);
      }
      const { sources, problems } = parseSourcesOpml(xml, new Set(config.sources.map((s) => s.id)));
      for (const p of problems) process.stderr.write(`${file}: ${p}\n`);
      const result = addSourcesToConfig(readFileSync(config.file, 'utf8'), sources);
      // The edited file must still be a valid config before it replaces the old one.
      try {
        parseConfig(result.text, config.file, ctx.env);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
        process.stderr.write('warta opml import: the config with these sources would be invalid; nothing written\n');
        return ctx.exit(EXIT.config);
      }
      for (const s of result.skipped) process.stderr.write(`skipped ${s.source.url}: ${s.reason}\n`);
      if (opts.dryRun) {
        // stdout is the patch alone (`| patch -p0` applies it); the summary goes to stderr.
        process.stdout.write(await configDiff(config.file, readFileSync(config.file, 'utf8'), result.text));
        process.stderr.write(`${config.file}: ${result.added.length} source${result.added.length === 1 ? '' : 's'} would be added, ${result.skipped.length} skipped (dry run: nothing written)\n`);
        return;
      }
      if (result.added.length > 0) {
        const tmp = `${config.file}.${process.pid}.tmp`;
        writeFileSync(tmp, result.text);
        renameSync(tmp, config.file);
      }
      console.log(`${config.file}: ${result.added.length} source${result.added.length === 1 ? '' : 's'} added, ${result.skipped.length} skipped${result.added.length ? ' (a running daemon reloads it)' : ''}`);
      if (problems.length > 0 && result.added.length === 0) ctx.exit(EXIT.usage);
    });
}

/** The change from `before` to `after` as a unified diff of `file` (empty when nothing changes). */
export async function configDiff(file: string, before: string, after: string): Promise<string> {
  if (before === after) return '';
  const { createTwoFilesPatch } = await import('diff');
  // jsdiff starts with "Index:" and "=====" lines; a plain unified diff begins at "---".
  const patch = createTwoFilesPatch(file, file, before, after, undefined, undefined, { context: 3 });
  return patch.slice(patch.indexOf('--- '));
}
