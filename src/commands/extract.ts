import type { Command } from 'commander';
import { EXIT_TEXT, type CliContext } from './context.js';
import type { ExtractOpts } from './extract-run.js';

/** `warta extract URL [--json] [--selector CSS]`: what warta would store from one page, storing nothing. */
export function registerExtract(program: Command, ctx: CliContext): void {
  program
    .command('extract')
    .description('fetch one page and print the article warta would store from it (title, date, keywords, text), storing nothing')
    .argument('<url>', 'page URL (http or https, public addresses only)')
    .option('--json', 'print JSON: url, canonical, title, published, keywords, text, html, pages, is_article, links')
    .option('--selector <css>', 'CSS selector of the article container (as a source\'s content_selector)')
    .addOption(ctx.configOption())
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.extract))
    .action(async (url: string, opts: ExtractOpts) => {
      // Loaded when the command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
      const { extractCommand } = await import('./extract-run.js');
      ctx.exit(await extractCommand(url, opts, ctx));
    });
}

