import type { Command } from 'commander';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';
import { itemRef } from './tags.js';
import { withReadOnlyStore } from './with-store.js';

/** `warta stories explain ITEM`: an item's story, its members, and why they are one story. */
export function registerStories(program: Command, ctx: CliContext): void {
  const stories = program.command('stories').description('stories: items of several sources reporting one event');
  stories
    .command('explain')
    .description('show an item\'s story: its members, and for each the similarity and the names and numbers shared and differing')
    .argument('<item>', 'the item: its number as /api/items shows it, its urn:uuid: id (the id feed readers see), or its link')
    .addOption(ctx.configOption())
    .addHelpText('after', ctx.helpFooter('times are in fetch.timezone', EXIT_TEXT.storiesExplain))
    .action(async (ref: string, opts: { config?: string }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      // Loaded when the command runs (test/integration/cli-startup.test.ts).
      const { explainStory, formatStoryExplanation } = await import('../jobs/story-explain.js');
      await withReadOnlyStore(ctx, 'stories explain', config, async (store) => {
        const item = await store.items.find(itemRef(ref));
        if (!item) return ctx.fail(EXIT.usage, `warta stories explain: no item ${ref} (give its number, its urn:uuid: id or its link)`);
        const cluster = item.clusterId ?? item.id;
        const members = (await store.stories.clusters([cluster])).get(cluster) ?? [];
        // An appearance (a relay of another source's article) is no member itself: show it with its article's story.
        if (!members.some((m) => m.id === item.id)) members.unshift(item);
        const explained = explainStory(item, members, config.stories.threshold);
        console.log(formatStoryExplanation(item, explained, { threshold: config.stories.threshold, windowMs: config.stories.windowMs, timeZone: config.fetch.timezone }));
      });
    });
}
