import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';

// Editors save in bursts (write, rename, chmod): one reload per burst.
const RELOAD_DEBOUNCE_MS = 300;

/**
 * Watches the config file's directory (editors replace files by rename, which a watch on the file itself
 * loses) and calls `onChange` once per burst of changes to that file.
 */
export function watchConfigFile(path: string, onChange: () => void, log: Logger): FSWatcher | null {
  const name = basename(path);
  let timer: NodeJS.Timeout | null = null;
  try {
    const w = watch(dirname(path), (_event, file) => {
      if (file !== null && file.toString() !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, RELOAD_DEBOUNCE_MS);
    });
    w.on('error', (err) => log.warn({ err }, 'config watch failed; reload with SIGHUP'));
    return w;
  } catch (err) {
    log.warn({ err }, 'cannot watch the config file; reload with SIGHUP');
    return null;
  }
}
