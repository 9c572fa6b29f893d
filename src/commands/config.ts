import type { Command } from 'commander';
import { configJsonSchema } from '../config/json-schema.js';
import { EXIT, type CliContext } from './context.js';
import { formatProblem } from '../config/load.js';

/** `warta schema` and `warta check-config`. */
export function registerConfigCommands(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of the config file, for editors (warta schema > warta.schema.json)')
    .action(() => {
      console.log(JSON.stringify(configJsonSchema(), null, 2));
    });

  program
    .command('check-config')
    .description('validate the config; print every problem as FILE:LINE:COL: message')
    .addOption(ctx.configOption())
    .action((opts: { config?: string }) => {
      const config = ctx.readConfig(opts.config);
      if (!config) return ctx.exit(EXIT.config);
      // Warnings do not fail the check: the config works, perhaps not as meant.
      for (const w of config.warnings) process.stderr.write(`${formatProblem(w)}\n`);
      console.log(`${config.file}: ok (${config.sources.length} sources, ${config.tags.length} tags, ${config.outputs.length} outputs)`);
    });
}
