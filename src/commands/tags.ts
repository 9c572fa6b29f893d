import type { Command } from 'commander';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';
import { withReadOnlyStore } from './with-store.js';

// Loaded when a command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
const loadModules = async () => {
  const [{ makeClassifier }, { parseSince }, { explainItem, formatTagTest, testTags }] = await Promise.all([
    import('../tagging/classify.js'),
    import('../http/api-items.js'),
    import('../jobs/tag-dryrun.js'),
  ]);
  return { makeClassifier, parseSince, explainItem, formatTagTest, testTags };
};

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
      const { makeClassifier, parseSince, formatTagTest, testTags } = await loadModules();
      const names = (opts.tag ?? []).map((t) => config.tags.find((x) => x.name === t || x.slug === t)?.name ?? t);
      const unknown = names.filter((n) => !config.tags.some((t) => t.name === n));
      if (unknown.length) return ctx.fail(EXIT.usage, `warta tags test: unknown tag ${unknown.map((u) => `"${u}"`).join(', ')}`);
      const since = opts.since === undefined ? null : parseSince(opts.since);
      if (since === null && opts.since !== undefined) return ctx.fail(EXIT.usage, 'warta tags test: --since takes YYYY-MM-DD or an RFC 3339 date-time');
      await withReadOnlyStore(ctx, 'tags test', config, async (store) => {
        const reports = await testTags(store, makeClassifier(config), config.tags.map((t) => t.name), { tags: names, since });
        console.log(formatTagTest(reports));
      });
    });
  tags
    .command('explain')
    .description('show why an item carries its tags, and what the current rules would give it')
    .argument('<item>', 'the item: its number or uid as /api/items shows them (urn:uuid:…, the id feed readers see), or its link')
    .addOption(ctx.configOption())
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.tagsExplain))
    .action(async (ref: string, opts: { config?: string }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      const { makeClassifier, explainItem } = await loadModules();
      await withReadOnlyStore(ctx, 'tags explain', config, async (store) => {
        const item = await store.items.find(itemRef(ref));
        if (!item) return ctx.fail(EXIT.usage, `warta tags explain: no item ${ref} (give its number, its urn:uuid: id or its link)`);
        console.log(explainItem(item, makeClassifier(config)));
      });
    });
}

/** What a user may name an item by: its number, its uid (with or without `urn:uuid:`), or its link. */
export function itemRef(ref: string): { id: number } | { uid: string } | { link: string } {
  const text = ref.trim();
  if (/^\d{1,15}$/.test(text)) return { id: Number(text) };
  const uuid = /^(?:urn:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(text);
  if (uuid) return { uid: `urn:uuid:${uuid[1]!.toLowerCase()}` };
  return { link: text };
}
