import type { Command } from 'commander';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';

/** `warta sources [--json]`: every source's state, last and next poll, last error. */
export function registerSources(program: Command, ctx: CliContext): void {
  program
    .command('sources')
    .description('list every source with its state, last poll, next poll and last error')
    .addOption(ctx.configOption())
    .option('--json', 'print JSON (the same as GET /api/sources; times in UTC, RFC 3339)')
    .addHelpText('after', ctx.helpFooter('times are in fetch.timezone, with their UTC offset', EXIT_TEXT.sources))
    .action(async (opts: { config?: string; json?: boolean }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      // Loaded when the command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
      const [{ openDatabase }, { makeStore }, { nextRunOf }, { formatStatusTable, sourceStatuses }] = await Promise.all([
        import('../store/sqlite/open.js'),
        import('../store/sqlite/store.js'),
        import('../schedule/scheduler.js'),
        import('../daemon/source-status.js'),
      ]);
      const db = openDatabase(config.storage.path);
      try {
        const list = sourceStatuses(config, makeStore(db), (s, t) => nextRunOf(s.schedule, config.fetch.timezone, t), new Date());
        console.log(opts.json ? JSON.stringify(list, null, 2) : formatStatusTable(list, config.fetch.timezone));
      } finally {
        db.close();
      }
    });
}
