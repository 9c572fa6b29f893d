import { pino, type DestinationStream, type Logger } from 'pino';
import { makePrettyFormatter } from './log-pretty.js';

/** `json`: one JSON object a line, for collectors. `pretty`: for a person at a terminal (base/log-pretty.ts). */
export type LogFormat = 'json' | 'pretty';

/** What a format left unsaid means: pretty when the destination is a terminal, JSON otherwise (pipes, files, Docker). */
export function resolveLogFormat(given: string | undefined, isTTY: boolean): LogFormat {
  return given === 'json' || given === 'pretty' ? given : isTTY ? 'pretty' : 'json';
}

/** How a logger writes: `redact` rewrites every finished line; `pretty` formats it for a person (else JSON). */
export interface LogOptions {
  redact?: (line: string) => string;
  pretty?: { zone: string; color: boolean } | null;
}

/**
 * JSON lines on stdout (the daemon) or stderr (CLI commands, whose stdout is their report); or pretty lines.
 * `redact` applies to the finished line (base/redact.ts): source URLs and tokens reach log lines inside
 * messages and error texts, where pino's own path-based `redact` cannot see them.
 */
export function makeLogger(level: string, destination: 1 | 2 = 1, opts: LogOptions = {}): Logger {
  const { redact, pretty = null } = opts;
  const options = {
    level,
    base: { service: 'warta' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (pretty === null) return pino({ ...options, ...(redact ? { hooks: { streamWrite: redact } } : {}) }, pino.destination({ fd: destination, sync: destination === 2 }));
  // Synchronous: a person reads at the speed of a few lines a second, and nothing is lost at exit.
  const out = pino.destination({ fd: destination, sync: true });
  const format = makePrettyFormatter(pretty);
  const stream: DestinationStream = { write: (line: string) => void out.write(format(redact ? redact(line) : line)) };
  return pino(options, stream);
}
