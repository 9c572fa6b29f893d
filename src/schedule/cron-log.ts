import cron from 'node-cron';
import type { Logger } from 'pino';

/** node-cron prints coloured lines to the console by default; send them through the JSON log instead. */
export function routeCronLogs(log: Logger) {
  const child = log.child({ component: 'cron' });
  const text = (m: string | Error) => (m instanceof Error ? m.message : m);
  cron.setLogger({
    info: (m) => child.debug(m),
    warn: (m) => child.warn(m),
    error: (m, err) => child.error({ err: err ?? (m instanceof Error ? m : undefined) }, text(m)),
    debug: (m) => child.debug(text(m)),
  });
}
