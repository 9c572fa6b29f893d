import { Option } from 'commander';
import { ConfigError, formatProblem, loadConfig, resolveConfigPath, type Config, type LoadOptions } from '../config/load.js';

/** Exit codes: 0 ok, 1 config error, 2 usage error, 3 some source failed (warta fetch). */
export const EXIT = { ok: 0, config: 1, usage: 2, sourceFailed: 3 } as const;

/** Each command's exit codes as `--help` and the README's CLI table state them (a test keeps the two equal). */
export const EXIT_TEXT = {
  start: '0 after SIGTERM/SIGINT · 1 config error, cannot listen, or another daemon runs on the SQLite file',
  fetch: '0 all answered 200/304 · 3 a source failed · 1 config error · 2 usage',
  sources: '0 · 1 config error',
  checkConfig: '0 valid · 1 invalid',
  tagsTest: '0 · 1 config error · 2 unknown tag or bad date',
  tagsExplain: '0 · 1 config error · 2 no such item',
  storiesExplain: '0 · 1 config error · 2 no such item',
  backup: '0 · 1 on error',
  opmlExport: '0 · 1 config error',
  opmlImport: '0 · 1 invalid result · 2 unreadable file',
  schema: '0',
  migrateStore: '0 copied, counts match · 1 cannot read the source or write the target, the target is not empty (without --force), or counts differ · 2 usage',
  extract: '0 · 3 page not fetched (error code on stderr) · 2 usage · 1 config error',
} as const;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** What every command gets: the environment, shared options, config loading and the exit code. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  /** The exit code so far. */
  code: number;
  /** Sets the exit code. */
  exit(code: number): void;
  /** Prints `message` on stderr and sets the exit code. */
  fail(code: number, message: string): void;
  /** Loads the config (--config, else WARTA_CONFIG, else config/warta.yaml), printing every problem on failure. */
  readConfig(flag: string | undefined, options?: LoadOptions): Config | null;
  configOption(): Option;
  levelOption(): Option;
  /** `--log-format pretty|json`: pretty for a person, json for a collector (default: pretty on a terminal). */
  logFormatOption(): Option;
  /** Text after a command's options in --help: an optional note, then its exit codes. */
  helpFooter(note: string | null, exitCodes: string): string;
}

/** A fresh context for one CLI run. */
export function makeContext(env: NodeJS.ProcessEnv): CliContext {
  const ctx: CliContext = {
    env,
    code: EXIT.ok,
    exit(code) {
      ctx.code = code;
    },
    fail(code, message) {
      process.stderr.write(`${message}\n`);
      ctx.code = code;
    },
    readConfig(flag, options) {
      const file = resolveConfigPath(flag, env);
      try {
        return loadConfig(file, env, options);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
        return null;
      }
    },
    configOption: () => new Option('-c, --config <file>', 'config file (default: $WARTA_CONFIG or config/warta.yaml)'),
    levelOption: () => new Option('--log-level <level>', 'log level').choices(LEVELS),
    logFormatOption: () => new Option('--log-format <format>', 'log lines: pretty for a person, json for a collector (default: pretty on a terminal, else json)').choices(['pretty', 'json']),
    helpFooter: (note, exitCodes) => `${note ? `\n${note[0]!.toUpperCase()}${note.slice(1)}.\n` : ''}\nExit status: ${exitCodes}\n`,
  };
  return ctx;
}
