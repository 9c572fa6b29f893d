import { pino, type DestinationStream, type Logger } from 'pino';
import { makePrettyFormatter } from './log-pretty.js';

/** `json`: one JSON object a line, for collectors. `pretty`: for a person at a terminal (base/log-pretty.ts). */
export type LogFormat = 'json' | 'pretty';

/** What a format left unsaid means: pretty when the destination is a terminal, JSON otherwise (pipes, files, Docker). */
export function resolveLogFormat(given: string | undefined, isTTY: boolean): LogFormat {
  return given === 'json' || given === 'pretty' ? given : isTTY ? 'pretty' : 'json';
}

/** JSON lines on stdout (the daemon) or stderr (CLI commands, whose stdout is their report); or pretty lines. */
export function makeLogger(level: string, destination: 1 | 2 = 1, pretty: { zone: string; color: boolean } | null = null): Logger {
  const options = {
    level,
    base: { service: 'warta' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (pretty === null) return pino(options, pino.destination({ fd: destination, sync: destination === 2 }));
  // Synchronous: a person reads at the speed of a few lines a second, and nothing is lost at exit.
  const out = pino.destination({ fd: destination, sync: true });
  const format = makePrettyFormatter(pretty);
  const stream: DestinationStream = { write: (line: string) => void out.write(format(line)) };
  return pino(options, stream);
}
