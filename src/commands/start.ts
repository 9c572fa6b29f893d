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
    .addOption(ctx.logFormatOption())
    .addHelpText('after', ctx.helpFooter('SIGHUP or a change to the config file reloads it', EXIT_TEXT.start))
    .action(async (opts: { config?: string; logLevel?: string; logFormat?: string }) => {
      ctx.exit(await startCommand(opts, ctx));
    });

}

async function startCommand(opts: { config?: string; logLevel?: string; logFormat?: string }, ctx: CliContext): Promise<number> {
  // Everything check-config reports, start refuses the same way (and before opening anything).
  const config = ctx.readConfig(opts.config, { checkHost: true });
  if (!config) return EXIT.config;
  const [{ makeLogger, resolveLogFormat }, { makeRedactor }, { configSecrets }] = await Promise.all([
    import('../base/log.js'),
    import('../base/redact.js'),
    import('../config/secrets.js'),
  ]);
  const redactor = makeRedactor();
  redactor.learn(configSecrets(config));
  const pretty = resolveLogFormat(opts.logFormat, process.stdout.isTTY === true) === 'pretty';
  // Colours only on a terminal that has not asked for none (https://no-color.org).
  const color = process.stdout.isTTY === true && !ctx.env.NO_COLOR;
  const log = makeLogger(opts.logLevel ?? config.log.level, 1, { redact: redactor.text, pretty: pretty ? { zone: config.fetch.timezone, color } : null });
  // Loaded here, not at the top: the daemon's modules (HTTP server, renderers, sanitizer …) took ~0.4 s to
  // load, which every other command (`warta fetch`, `check-config`, `--help`) paid for nothing.
  const [{ runDaemon }, { lockStoreForDaemon }, { WartaError }] = await Promise.all([
    import('../main.js'),
    import('../store/open.js'),
    import('../base/errors.js'),
  ]);
  // Before anything polls: a second daemon on the same SQLite file would poll every source again. Held until
  // this process exits (the kernel drops it on any exit, SIGKILL included).
  let lock: ReturnType<typeof lockStoreForDaemon>;
  try {
    lock = lockStoreForDaemon(config.storage);
  } catch (err) {
    if (!(err instanceof WartaError)) throw err;
    ctx.fail(EXIT.config, `warta start: ${err.message}`);
    return EXIT.config;
  }
  let daemon: Awaited<ReturnType<typeof runDaemon>>;
  try {
    daemon = await runDaemon(config, { configPath: config.file, env: ctx.env, log, fixedLogLevel: opts.logLevel !== undefined, watchConfig: true, redactor });
  } catch (err) {
    lock?.release();
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
      void daemon.stop().then(() => {
        lock?.release();
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return EXIT.ok;
}
