import { pino, type Logger } from 'pino';

/**
 * JSON lines on stdout (the daemon) or stderr (CLI commands, whose stdout is their report). `redact` rewrites
 * every finished line (base/redact.ts): source URLs and tokens reach log lines inside messages and error texts,
 * where pino's own path-based `redact` cannot see them.
 */
export function makeLogger(level: string, destination: 1 | 2 = 1, redact?: (line: string) => string): Logger {
  return pino(
    {
      level,
      ...(redact ? { hooks: { streamWrite: redact } } : {}),
      base: { service: 'warta' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: destination, sync: destination === 2 }),
  );
}
