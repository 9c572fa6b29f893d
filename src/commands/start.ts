import type { Command } from 'commander';
import { describeListenError } from './listen-error.js';
import { EXIT, EXIT_TEXT, type CliContext } from './context.js';

/** `warta start`: the daemon, until SIGTERM/SIGINT; SIGHUP reloads the config. */
export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run the daemon: poll sources on their schedules and serve the output feeds')
    .addOption(ctx.configOption())
    .addOption(ctx.levelOption())
    .addHelpText('after', ctx.helpFooter('SIGHUP or a change to the config file reloads it', EXIT_TEXT.start))
    .action(async (opts: { config?: string; logLevel?: string }) => {
      ctx.exit(await startCommand(opts, ctx));
    });

}

async function startCommand(opts: { config?: string; logLevel?: string }, ctx: CliContext): Promise<number> {
  // Everything check-config reports, start refuses the same way (and before opening anything).
  const config = ctx.readConfig(opts.config, { checkHost: true });
  if (!config) return EXIT.config;
  const { makeLogger } = await import('../base/log.js');
  const log = makeLogger(opts.logLevel ?? config.log.level);
  // Loaded here, not at the top: the daemon's modules (HTTP server, renderers, sanitizer …) took ~0.4 s to
  // load, which every other command (`warta fetch`, `check-config`, `--help`) paid for nothing.
  const { runDaemon } = await import('../main.js');
  let daemon: Awaited<ReturnType<typeof runDaemon>>;
  try {
    daemon = await runDaemon(config, { configPath: config.file, env: ctx.env, log, fixedLogLevel: opts.logLevel !== undefined, watchConfig: true });
  } catch (err) {
    const message = await describeListenError(err, config.server);
    if (message === null) throw err;
    ctx.fail(EXIT.config, `warta start: ${message}`);
    return EXIT.config;
  }
  const onHup = () => void daemon.reload('SIGHUP');
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'signal received');
      // A second signal, or a stop that hangs past 5 s, ends the process anyway.
      process.once(signal, () => process.exit(1));
      setTimeout(() => {
        log.error('shutdown took longer than 5 s; exiting');
        process.exit(1);
      }, 5000).unref();
      process.off('SIGHUP', onHup);
      void daemon.stop().then(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return EXIT.ok;
}
