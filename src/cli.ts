import { Command, CommanderError } from 'commander';
import { registerBackup } from './commands/backup.js';
import { registerConfigCommands } from './commands/config.js';
import { EXIT, makeContext } from './commands/context.js';
import { registerExtract } from './commands/extract.js';
import { registerFetch } from './commands/fetch.js';
import { registerMigrateStore } from './commands/migrate-store.js';
import { registerOpml } from './commands/opml.js';
import { registerSources } from './commands/sources.js';
import { registerStart } from './commands/start.js';
import { registerTags } from './commands/tags.js';
import { registerStories } from './commands/stories.js';
import { VERSION } from './base/version.js';

export { EXIT } from './commands/context.js';

/** Runs one CLI command and resolves to its exit code (see EXIT). Each command lives in src/commands/. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const ctx = makeContext(env);
  const program = new Command('warta')
    .description('Self-hosted news aggregator: polls feeds, tags items, publishes filtered feeds')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', `\nExit status: ${EXIT.ok} ok · ${EXIT.config} config error · ${EXIT.usage} usage · ${EXIT.sourceFailed} a source failed (fetch); each command's --help lists its own.\nEvery command takes --config FILE (default: $WARTA_CONFIG, else config/warta.yaml).\n`);
  registerStart(program, ctx);
  registerFetch(program, ctx);
  registerExtract(program, ctx);
  registerSources(program, ctx);
  registerTags(program, ctx);
  registerStories(program, ctx);
  registerBackup(program, ctx);
  registerMigrateStore(program, ctx);
  registerOpml(program, ctx);
  registerConfigCommands(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  return ctx.code;
}
