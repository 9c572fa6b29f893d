import { WartaError } from '../base/errors.js';
import type { Config } from '../config/load.js';
import type { Store } from '../store/store.js';
import { EXIT, type CliContext } from './context.js';

/**
 * Runs `fn` with a read-only store for a command that only looks (`warta sources`, `tags test|explain`): it
 * never creates or migrates a database; a missing one, or one that cannot be read, is one line and exit 1.
 */
export async function withReadOnlyStore(ctx: CliContext, command: string, config: Config, fn: (store: Store) => Promise<void>): Promise<void> {
  // Loaded here, not at the CLI's start: better-sqlite3 costs ~40 ms to load (test/integration/cli-startup.test.ts).
  const { openStore } = await import('../store/open.js');
  let store: Store;
  try {
    store = await openStore(config.storage, { readonly: true, role: 'command' });
  } catch (err) {
    if (!(err instanceof WartaError)) throw err;
    return ctx.fail(EXIT.config, `warta ${command}: ${err.message}`);
  }
  try {
    await fn(store);
  } catch (err) {
    if (!(err instanceof WartaError) || (err.code !== 'storage' && err.code !== 'busy')) throw err;
    ctx.fail(EXIT.config, `warta ${command}: ${err.message}`);
  } finally {
    await store.close();
  }
}
