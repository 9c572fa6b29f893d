import type { Command } from 'commander';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';
import { withReadOnlyStore } from './with-store.js';

/** `warta sources [--json]`: every source's state, last and next poll, last error. */
export function registerSources(program: Command, ctx: CliContext): void {
  program
    .command('sources')
    .description('list every source with its state, last poll, next poll and last error')
    .addOption(ctx.configOption())
    .option('--json', 'print JSON (the same as GET /api/sources; times in UTC, RFC 3339)')
    .option('--show-secrets', 'show URLs and errors as they are, credentials and API keys included (else ***)')
    .addHelpText('after', ctx.helpFooter('times are in fetch.timezone, with their UTC offset', EXIT_TEXT.sources))
    .action(async (opts: { config?: string; json?: boolean; showSecrets?: boolean }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      // Loaded when the command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
      const [{ nextRunOf }, { formatStatusTable, readStoredSources, sourceStatuses }, { makeRedactor, redactSourceStatus }, { configSecrets }] = await Promise.all([
        import('../schedule/scheduler.js'),
        import('../daemon/source-status.js'),
        import('../base/redact.js'),
        import('../config/secrets.js'),
      ]);
      await withReadOnlyStore(ctx, 'sources', config, async (store) => {
        const redactor = makeRedactor();
        redactor.learn(configSecrets(config));
        const all = sourceStatuses(config, await readStoredSources(store), (s, t) => nextRunOf(s.schedule, config.fetch.timezone, t), new Date());
        const list = opts.showSecrets ? all : all.map((s) => redactSourceStatus(s, redactor));
        console.log(opts.json ? JSON.stringify(list, null, 2) : formatStatusTable(list, config.fetch.timezone));
      });
    });
}
