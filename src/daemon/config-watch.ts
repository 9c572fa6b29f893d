import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';

// Editors save in bursts (write, rename, chmod): one reload per burst.
const RELOAD_DEBOUNCE_MS = 300;

/** A watch on the config file; `remember()` records the file as a reload just read it. */
export interface ConfigWatch {
  /** Records the file's current content: a change event that finds the same content reloads nothing. */
  remember(): void;
  close(): void;
}

/** The file's content as a hash, or null when it cannot be read (a deleted file still reloads: to say so). */
function contentOf(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

/**
 * Watches the config file's directory (editors replace files by rename, which a watch on the file itself
 * loses) and calls `onChange` once per burst of changes to that file — only when its content differs from what
 * the last reload read: a save followed by SIGHUP, a `touch`, or an editor rewriting the same bytes reload once
 * or not at all.
 */
export function watchConfigFile(path: string, onChange: () => void, log: Logger): ConfigWatch | null {
  const name = basename(path);
  let timer: NodeJS.Timeout | null = null;
  let last = contentOf(path);
  const fire = () => {
    timer = null;
    const now = contentOf(path);
    if (now !== null && now === last) {
      log.debug({ config: path }, 'config file touched without a change; not reloaded');
      return;
    }
    last = now;
    onChange();
  };
  let w: FSWatcher;
  try {
    w = watch(dirname(path), (_event, file) => {
      if (file !== null && file.toString() !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, RELOAD_DEBOUNCE_MS);
    });
    w.on('error', (err) => log.warn({ err }, 'config watch failed; reload with SIGHUP'));
  } catch (err) {
    log.warn({ err }, 'cannot watch the config file; reload with SIGHUP');
    return null;
  }
  return {
    remember() {
      last = contentOf(path);
    },
    close() {
      if (timer) clearTimeout(timer);
      w.close();
    },
  };
}
