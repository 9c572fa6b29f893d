import { explainColumn } from '../store/explain-json.js';
import type { RetagChange, RetagRow } from '../store/store.js';
import type { Classifier } from './classify.js';

/**
 * Classifies stored items with the current rules and returns those whose stored tags, outputs or tag
 * explanations differ (an edited rule that still tags the same items must not leave its old text, or old
 * offsets, as the reason shown for them). Pure: the rows come from the store, the changes go back to it.
 */
export function retagChanges(rows: readonly RetagRow[], classifier: Pick<Classifier, 'classify'>): RetagChange[] {
  const changes: RetagChange[] = [];
  for (const r of rows) {
    // Explaining costs little more than deciding (bench/tagging.ts: explain() 15-25 % below tag()), so every
    // item is classified in full once rather than decided first and explained again when it changed.
    const c = classifier.classify(r.item, r.sourceId);
    const explains = c.tags.map((t) => explainColumn(t.explain));
    const same = r.tags.size === c.tags.length && c.tags.every((t, k) => r.tags.get(t.tag) === explains[k]);
    if (same && r.outputs.size === c.outputs.length && c.outputs.every((o) => r.outputs.has(o))) continue;
    changes.push({ id: r.id, contentHash: r.contentHash, tags: c.tags, explains, outputs: c.outputs });
  }
  return changes;
}
