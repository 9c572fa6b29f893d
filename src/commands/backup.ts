import type { Command } from 'commander';
import { backupStore } from '../store/open.js';
import { WartaError } from '../base/errors.js';
import { EXIT, type CliContext } from './context.js';

/** `warta backup FILE [--force]`: an online copy of the database. */
export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('copy the database to FILE while the daemon runs (an online, consistent snapshot)')
    .argument('<file>', 'where to write the copy')
    .addOption(ctx.configOption())
    .option('--force', 'overwrite FILE if it exists')
    .action(async (file: string, opts: { config?: string; force?: boolean }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      try {
        const r = await backupStore(config.storage, file, { force: opts.force ?? false });
        console.log(`${file}: ${r.pages} pages, ${r.bytes} bytes`);
        if (r.staleRemoved > 0) process.stderr.write(`warta backup: removed ${r.staleRemoved} temp file(s) left beside ${file} by an interrupted backup\n`);
      } catch (err) {
        if (!(err instanceof WartaError)) throw err;
        process.stderr.write(`warta backup: ${err.message}\n`);
        ctx.exit(EXIT.config);
      }
    });
}
