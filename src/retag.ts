import type { Classifier } from './classify.js';
import type { Store } from './db/store.js';

const PROGRESS = 'retag_progress';

/**
 * Re-applies the current rules (tags and output queries) to every stored item, in batches of one transaction each, yielding to the
 * event loop between batches so outputs keep being served. Only items whose tags changed are written. The
 * fingerprint is recorded last, so a crash part-way makes the next start finish the job.
 */
export async function retagIfRulesChanged(store: Store, classifier: Classifier, now: () => Date, batch = 500, signal?: AbortSignal): Promise<{ changed: number } | null> {
  const { fingerprint } = classifier;
  if (store.meta.get('rules_fingerprint') === fingerprint) return null;
  // A pass interrupted by a crash resumes where it stopped, if the rules are still the same.
  const saved = JSON.parse(store.meta.get(PROGRESS) ?? 'null') as { fingerprint: string; after: number } | null;
  let after = saved?.fingerprint === fingerprint ? saved.after : 0;
  // The old fingerprint goes before the first item changes: after a crash mid-pass and a revert to the old
  // rules, the store no longer claims to match them, so the next start re-tags (back) what this pass touched.
  await store.write(() => store.meta.set('rules_fingerprint', `pending:${fingerprint}`), signal);
  let changed = 0;
  do {
    const r = await store.write(() => {
      const res = store.items.retagBatch(after, batch, (item, sourceId) => classifier.classify(item, sourceId));
      store.meta.set(PROGRESS, JSON.stringify({ fingerprint, after: res.lastId }));
      return res;
    }, signal);
    after = r.lastId;
    changed += r.changed;
    await new Promise((resolve) => setImmediate(resolve));
  } while (after !== 0);
  await store.write(() => {
    store.meta.set('rules_fingerprint', fingerprint);
    store.meta.delete(PROGRESS);
    if (changed > 0) store.meta.set('rules_changed_at', now().toISOString());
  }, signal);
  return { changed };
}
