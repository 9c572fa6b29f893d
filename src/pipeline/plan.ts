import type { IncomingItem } from '../base/model.js';
import type { AppliedTag, ItemInsert, ItemUpdate, Lookup } from '../store/store.js';
import { itemUid, type KeyedItem } from './dedupe.js';

/** What one refresh will write: new items, changed items, and how many it leaves alone. */
export interface RefreshPlan {
  inserts: ItemInsert[];
  updates: ItemUpdate[];
  unchanged: number;
}

/** Tags and query outputs for an item (the classifier in force). */
export type Classify = (item: IncomingItem) => { tags: AppliedTag[]; outputs: string[] };

/** Every dedupe key the plan may need the store's answer for: each item's key, and a guid key it may adopt. */
export function lookupKeys(keyed: readonly KeyedItem[]): string[] {
  const keys: string[] = [];
  for (const k of keyed) {
    keys.push(k.key);
    if (k.formerKey) keys.push(k.formerKey);
  }
  return keys;
}

/**
 * Decides, from what the store holds under the feed's keys, which items are new, which changed and which are
 * unchanged; only new and changed items are classified, and given a canonical URL when `canonical` is given. Pure: the store re-checks every write against its
 * rows (a key stored meanwhile, a hash changed meanwhile), so a plan from a stale read is harmless.
 */
export function planRefresh(sourceId: string, keyed: readonly KeyedItem[], stored: Lookup, now: Date, classify: Classify, canonical?: (link: string) => string | null): RefreshPlan {
  const plan: RefreshPlan = { inserts: [], updates: [], unchanged: 0 };
  for (const k of keyed) {
    let found = stored.byKey.get(k.key);
    if (!found && k.formerKey) {
      const former = stored.byKey.get(k.formerKey);
      // Adopt the row stored while this guid looked unique, but only the one for the same article.
      if (former && former.link === k.item.link) found = former;
    }
    // A row adopted under its former key moves to this key even when nothing else changed: left under the plain
    // 'g:' key, a later poll listing another article under that guid alone would overwrite it.
    if (found && found.contentHash === k.contentHash && found.key === k.key) {
      plan.unchanged++;
      continue;
    }
    // Pruned by retention: the feed still lists it, but it must not come back as new.
    if (!found && stored.tombstoned.has(k.key)) {
      plan.unchanged++;
      continue;
    }
    const it = k.item;
    const c = classify(it);
    const fields = {
      key: k.key, guid: it.guid, link: it.link, title: it.title, summary: it.summary, content: it.content,
      author: it.author, categories: it.categories, contentHash: k.contentHash, tags: c.tags, outputs: c.outputs,
      // The page's canonical URL when it was read (issue 12), else the link's (src/stories/ canonicalUrl).
      ...(canonical ? { canonicalUrl: it.canonicalUrl ?? (it.link ? canonical(it.link) : null) } : {}),
    };
    if (found) {
      // A missing date keeps the stored one; a change we only see now is dated now.
      const published = it.published ?? it.updated ?? new Date(found.published);
      plan.updates.push({ ...fields, id: found.id, expectedHash: found.contentHash, published, updated: it.updated ?? now });
    } else {
      // Atom entries may carry only <updated>; with no date at all, the first-seen time stands in.
      const published = it.published ?? it.updated ?? now;
      plan.inserts.push({ ...fields, uid: itemUid(sourceId, k.key), published, updated: it.updated ?? published, firstSeen: now });
    }
  }
  return plan;
}
