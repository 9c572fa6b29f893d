import type { Command } from 'commander';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';

/** `warta migrate-store --from sqlite:PATH --to postgres://… [--force]`: every row of one store into another. */
export function registerMigrateStore(program: Command, ctx: CliContext): void {
  program
    .command('migrate-store')
    .description('copy everything from a SQLite database into a PostgreSQL one (ids, tags with their explanations, outputs, tombstones, meta), verifying the rows per table')
    .requiredOption('--from <sqlite:PATH>', 'the SQLite database to copy (read only; a running daemon may keep writing to it: the copy is a snapshot)')
    .requiredOption('--to <postgres://…>', 'the PostgreSQL database to fill (created and migrated as a daemon would); `?options=-c%20search_path%3DSCHEMA` picks a schema')
    .option('--force', 'replace what the target already holds')
    .addOption(ctx.configOption())
    .addHelpText('after', ctx.helpFooter('--config changes nothing: both stores are named by --from and --to. The target is filled in one transaction: a failed copy leaves it as it was', EXIT_TEXT.migrateStore))
    .action(async (opts: { from: string; to: string; force?: boolean }) => {
      const from = /^sqlite:(.+)$/.exec(opts.from)?.[1];
      if (!from) return ctx.fail(EXIT.usage, `warta migrate-store: --from must be sqlite:PATH, not ${JSON.stringify(opts.from)}`);
      // Loaded when the command runs, not when the CLI starts (test/integration/cli-startup.test.ts).
      const [{ isPostgres }, { WartaError }] = await Promise.all([import('../store/spec.js'), import('../base/errors.js')]);
      if (!isPostgres({ path: '', url: opts.to })) return ctx.fail(EXIT.usage, 'warta migrate-store: --to must be a postgres:// URL');
      const { copySqliteToPostgres } = await import('../store/copy.js');
      try {
        const summary = await copySqliteToPostgres(from, opts.to, { force: opts.force ?? false });
        const width = Math.max(...summary.map((s) => s.table.length));
        for (const s of summary) console.log(`${s.table.padEnd(width)}  ${String(s.rows).padStart(9)} rows copied, counts match`);
      } catch (err) {
        if (!(err instanceof WartaError)) throw err;
        ctx.fail(EXIT.config, `warta migrate-store: ${err.message}`);
      }
    });
}
