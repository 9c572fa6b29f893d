import type { Classifier } from './classify.js';
import type { Store } from './db/store.js';

/**
 * Re-applies the current rules (tags and output queries) to every stored item, in batches of one transaction each, yielding to the
 * event loop between batches so outputs keep being served. Only items whose tags changed are written. The
 * fingerprint is recorded last, so a crash part-way makes the next start finish the job.
 */
export async function retagIfRulesChanged(store: Store, classifier: Classifier, now: () => Date, batch = 500): Promise<{ changed: number } | null> {
  const { fingerprint } = classifier;
  if (store.meta.get('rules_fingerprint') === fingerprint) return null;
  let after = 0;
  let changed = 0;
  do {
    const r = store.write(() => store.items.retagBatch(after, batch, (item, sourceId) => classifier.classify(item, sourceId)));
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
