import { Option, type Command } from 'commander';
import { configJsonSchema } from '../config/json-schema.js';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';
import { formatProblem } from '../config/load.js';

/** `warta schema` and `warta check-config`. */
export function registerConfigCommands(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of the config file, for editors (warta schema > warta.schema.json)')
    // Accepted like every other command's, so `warta --config FILE <any command>` wrappers work; the schema is
    // the same for every config.
    .addOption(new Option('-c, --config <file>', 'accepted like everywhere; the schema is the same for every config'))
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.schema))
    .action(() => {
      console.log(JSON.stringify(configJsonSchema(), null, 2));
    });

  program
    .command('check-config')
    .description('validate the config as `warta start` would (also: database path writable, listen address usable); print every problem as FILE:LINE:COL: message')
    .addOption(ctx.configOption())
    .addHelpText('after', ctx.helpFooter(null, EXIT_TEXT.checkConfig))
    .action((opts: { config?: string }) => {
      const config = ctx.readConfig(opts.config, { checkHost: true });
      if (!config) return ctx.exit(EXIT.config);
      // Warnings do not fail the check: the config works, perhaps not as meant.
      for (const w of config.warnings) process.stderr.write(`${formatProblem(w)}\n`);
      console.log(`${config.file}: ok (${config.sources.length} sources, ${config.tags.length} tags, ${config.outputs.length} outputs)`);
    });
}
