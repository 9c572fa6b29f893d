import { createHash } from 'node:crypto';
import type { Config } from './config/load.js';
import type { Store } from './db/store.js';
import { tagsOf } from './pipeline/refresh.js';
import type { Tagger } from './tagging/index.js';

/** A fingerprint of the tag rules: when it differs from the stored one, stored items need re-tagging. */
export function rulesFingerprint(config: Config): string {
  return createHash('sha256').update(JSON.stringify(config.tags)).digest('hex');
}

/**
 * Re-applies the current rules to every stored item, in batches of one transaction each, yielding to the
 * event loop between batches so outputs keep being served. Only items whose tags changed are written. The
 * fingerprint is recorded last, so a crash part-way makes the next start finish the job.
 */
export async function retagIfRulesChanged(store: Store, tagger: Tagger, fingerprint: string, now: () => Date, batch = 500): Promise<{ changed: number } | null> {
  if (store.meta.get('rules_fingerprint') === fingerprint) return null;
  let after = 0;
  let changed = 0;
  do {
    const r = store.write(() => store.items.retagBatch(after, batch, (item) => tagsOf(tagger, item, item.source)));
    after = r.lastId;
    changed += r.changed;
    await new Promise((resolve) => setImmediate(resolve));
  } while (after !== 0);
  store.write(() => {
    store.meta.set('rules_fingerprint', fingerprint);
    if (changed > 0) store.meta.set('rules_changed_at', now().toISOString());
  });
  return { changed };
}
