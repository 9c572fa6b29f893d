import type { Command } from 'commander';
import { WartaError } from '../base/errors.js';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';

/** `warta backup FILE [--force]`: an online copy of the database. */
export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('copy the database to FILE while the daemon runs (an online, consistent snapshot)')
    .argument('<file>', 'where to write the copy')
    .addOption(ctx.configOption())
    .option('--force', 'overwrite FILE if it exists')
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.backup))
    .action(async (file: string, opts: { config?: string; force?: boolean }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      // Loaded when the command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
      const { backupStore } = await import('../store/open.js');
      try {
        const r = await backupStore(config.storage, file, { force: opts.force ?? false });
        console.log(`${file}: ${r.pages} pages, ${r.bytes} bytes`);
        if (r.staleRemoved > 0) process.stderr.write(`warta backup: removed ${r.staleRemoved} temp file(s) left beside ${file} by an interrupted backup\n`);
      } catch (err) {
        if (!(err instanceof WartaError)) throw err;
        // The store's messages name the operation ("backup: …"); the command's prefix already does.
        process.stderr.write(`warta backup: ${err.message.replace(/^backup: /, '')}\n`);
        ctx.exit(EXIT.config);
      }
    });
}
