import { pino, type Logger } from 'pino';

/** JSON lines on stdout (the daemon) or stderr (CLI commands, whose stdout is their report). */
export function makeLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'warta' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: destination, sync: destination === 2 }),
  );
}
