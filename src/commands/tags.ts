import type { Command } from 'commander';

// Loaded when a command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
const loadModules = async () => {
  const [{ makeClassifier }, { openDatabase }, { makeStore }, { parseSince }, { explainItem, formatTagTest, testTags }] = await Promise.all([
    import('../tagging/classify.js'),
    import('../store/sqlite/open.js'),
    import('../store/sqlite/store.js'),
    import('../http/api-items.js'),
    import('../jobs/tag-dryrun.js'),
  ]);
  return { makeClassifier, openDatabase, makeStore, parseSince, explainItem, formatTagTest, testTags };
};
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';

/** `warta tags test|explain`: dry runs of the rules and explanations of an item's tags. */
export function registerTags(program: Command, ctx: CliContext): void {
  const tags = program.command('tags').description('dry runs and explanations of the tag rules');
  tags
    .command('test')
    .description('evaluate the config\'s rules against stored items without writing: matched, gained and lost per tag')
    .addOption(ctx.configOption())
    .option('--tag <name...>', 'only these tags (name or slug)')
    .option('--since <date>', 'only items published since (YYYY-MM-DD or RFC 3339)')
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.tagsTest))
    .action(async (opts: { config?: string; tag?: string[]; since?: string }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      const { makeClassifier, openDatabase, makeStore, parseSince, formatTagTest, testTags } = await loadModules();
      const names = (opts.tag ?? []).map((t) => config.tags.find((x) => x.name === t || x.slug === t)?.name ?? t);
      const unknown = names.filter((n) => !config.tags.some((t) => t.name === n));
      if (unknown.length) return ctx.fail(EXIT.usage, `warta tags test: unknown tag ${unknown.map((u) => `"${u}"`).join(', ')}`);
      const since = opts.since === undefined ? null : parseSince(opts.since);
      if (since === null && opts.since !== undefined) return ctx.fail(EXIT.usage, 'warta tags test: --since takes YYYY-MM-DD or an RFC 3339 date-time');
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
    .addOption(ctx.configOption())
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.tagsExplain))
    .action(async (id: string, opts: { config?: string }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      const { makeClassifier, openDatabase, makeStore, explainItem } = await loadModules();
      const db = openDatabase(config.storage.path);
      try {
        const item = /^\d+$/.test(id) ? makeStore(db).items.byId(Number(id)) : null;
        if (!item) return ctx.fail(EXIT.usage, `warta tags explain: no item ${id}`);
        console.log(explainItem(item, makeClassifier(config)));
      } finally {
        db.close();
      }
    });
}
