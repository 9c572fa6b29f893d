import type { Command } from 'commander';
import { makeClassifier } from '../tagging/classify.js';
import { openDatabase } from '../store/sqlite/open.js';
import { makeStore } from '../store/sqlite/store.js';
import { parseSince } from '../http/api-items.js';
import { explainItem, formatTagTest, testTags } from '../jobs/tag-dryrun.js';
import { EXIT, type CliContext } from './context.js';

/** `warta tags test|explain`: dry runs of the rules and explanations of an item's tags. */
export function registerTags(program: Command, ctx: CliContext): void {
  const tags = program.command('tags').description('dry runs and explanations of the tag rules');
  tags
    .command('test')
    .description('evaluate the config\'s rules against stored items without writing: matched, gained and lost per tag')
    .addOption(ctx.configOption())
    .option('--tag <name...>', 'only these tags (name or slug)')
    .option('--since <date>', 'only items published since (YYYY-MM-DD or RFC 3339)')
    .action((opts: { config?: string; tag?: string[]; since?: string }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
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
    .action((id: string, opts: { config?: string }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
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
