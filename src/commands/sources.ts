import type { Command } from 'commander';
import { nextRunOf } from '../schedule/scheduler.js';
import { formatStatusTable, readStoredSources, sourceStatuses } from '../daemon/source-status.js';
import { makeRedactor, redactSourceStatus } from '../base/redact.js';
import { configSecrets } from '../config/secrets.js';
import { EXIT, type CliContext } from './context.js';
import { withReadOnlyStore } from './with-store.js';

/** `warta sources [--json]`: every source's state, last and next poll, last error. */
export function registerSources(program: Command, ctx: CliContext): void {
  program
    .command('sources')
    .description('list every source with its state, last poll, next poll and last error')
    .addOption(ctx.configOption())
    .option('--json', 'print JSON (the same as GET /api/sources)')
    .option('--show-secrets', 'show URLs and errors as they are, credentials and API keys included (else ***)')
    .action(async (opts: { config?: string; json?: boolean; showSecrets?: boolean }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      await withReadOnlyStore(ctx, 'sources', config, async (store) => {
        const redactor = makeRedactor();
        redactor.learn(configSecrets(config));
        const all = sourceStatuses(config, await readStoredSources(store), (s, t) => nextRunOf(s.schedule, config.fetch.timezone, t), new Date());
        const list = opts.showSecrets ? all : all.map((s) => redactSourceStatus(s, redactor));
        console.log(opts.json ? JSON.stringify(list, null, 2) : formatStatusTable(list));
      });
    });
}
