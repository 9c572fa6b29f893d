import { Option } from 'commander';
import { ConfigError, formatProblem, loadConfig, resolveConfigPath, type Config } from '../config/load.js';

/** Exit codes: 0 ok, 1 config error, 2 usage error, 3 some source failed (warta fetch). */
export const EXIT = { ok: 0, config: 1, usage: 2, sourceFailed: 3 } as const;

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
  readConfig(flag: string | undefined): Config | null;
  configOption(): Option;
  levelOption(): Option;
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
    readConfig(flag) {
      const file = resolveConfigPath(flag, env);
      try {
        return loadConfig(file, env);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
        return null;
      }
    },
    configOption: () => new Option('-c, --config <file>', 'config file (default: $WARTA_CONFIG or config/warta.yaml)'),
    levelOption: () => new Option('--log-level <level>', 'log level').choices(LEVELS),
  };
  return ctx;
}
