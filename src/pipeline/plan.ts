import type { IncomingItem, SketchedText } from '../base/model.js';
import type { AppliedTag, ExistingItem, ItemInsert, ItemUpdate, Lookup } from '../store/store.js';
import type { ScannedText } from '../tagging/types.js';
import { itemUid, type KeyedItem } from './dedupe.js';

/**
 * A new item as planned: with the words classifying read of it when the story stage will sketch it (the sketch
 * reads the same words: src/stories/sketch.ts). The store is never given `scanned` (decideStories drops it).
 */
export interface PlannedInsert extends ItemInsert {
  scanned?: ScannedText;
  /** Its sketch, made where the feed was read (IncomingItem.sketched): then classifying need not keep its words. */
  sketched?: SketchedText;
}

/** What one refresh will write: new items, changed items, and how many it leaves alone. */
export interface RefreshPlan {
  inserts: PlannedInsert[];
  updates: ItemUpdate[];
  unchanged: number;
  /** Unchanged rows whose raw-text digest is new (a re-serialised item, or a row stored before digests). */
  digests: { id: number; rawDigest: string }[];
}

/** Tags and query outputs for an item (the classifier in force); `scanned` receives the words it read, if any. */
export type Classify = (item: IncomingItem, scanned?: (words: ScannedText) => void) => { tags: AppliedTag[]; outputs: string[] };

/** Every dedupe key the plan may need the store's answer for: each item's key, and a guid key it may adopt. */
export function lookupKeys(keyed: readonly { key: string; formerKey: string | null }[]): string[] {
  const keys: string[] = [];
  for (const k of keyed) {
    keys.push(k.key);
    if (k.formerKey) keys.push(k.formerKey);
  }
  return keys;
}

/**
 * Decides, from what the store holds under the feed's keys, which items are new, which changed and which are
 * unchanged; only new and changed items are classified, and given a canonical URL when `canonical` is given (the
 * story stage is on: new items then carry the words classifying read, for their sketch). Pure: the store re-checks every write against its
 * rows (a key stored meanwhile, a hash changed meanwhile), so a plan from a stale read is harmless.
 */
export function planRefresh(sourceId: string, keyed: readonly KeyedItem[], stored: Lookup, now: Date, classify: Classify, canonical?: (link: string, made?: SketchedText['canonical']) => string | null): RefreshPlan {
  const plan: RefreshPlan = { inserts: [], updates: [], unchanged: 0, digests: [] };
  for (const k of keyed) {
    const found = storedRow(k, k.item.link, stored);
    if (isUnchanged(k, found, stored)) {
      plan.unchanged++;
      if (found && k.rawDigest && found.rawDigest !== k.rawDigest) plan.digests.push({ id: found.id, rawDigest: k.rawDigest });
      continue;
    }
    const it = k.item;
    let scanned: ScannedText | undefined;
    const sketched = canonical && !found ? it.sketched : undefined;
    const c = canonical && !found && !sketched ? classify(it, (words) => (scanned = words)) : classify(it);
    const fields = {
      key: k.key, guid: it.guid, link: it.link, title: it.title, summary: it.summary, content: it.content,
      author: it.author, categories: it.categories, contentHash: k.contentHash, rawDigest: k.rawDigest ?? null, tags: c.tags, outputs: c.outputs,
      // The page's canonical URL when it was read (issue 12), else the link's (src/stories/ canonicalUrl), as the
      // parser thread made it when it did.
      ...(canonical ? { canonicalUrl: it.canonicalUrl ?? (it.link ? canonical(it.link, it.sketched?.canonical) : null) } : {}),
    };
    if (found) {
      // A missing date keeps the stored one; a change we only see now is dated now.
      const published = it.published ?? it.updated ?? new Date(found.published);
      plan.updates.push({ ...fields, id: found.id, expectedHash: found.contentHash, published, updated: it.updated ?? now });
    } else {
      // Atom entries may carry only <updated>; with no date at all, the first-seen time stands in.
      const published = it.published ?? it.updated ?? now;
      plan.inserts.push({ ...fields, uid: itemUid(sourceId, k.key), published, updated: it.updated ?? published, firstSeen: now, ...(sketched ? { sketched } : scanned ? { scanned } : {}) });
    }
  }
  return plan;
}

/** The stored row an item is, by its key or (the same article) by the key it had while its guid looked unique. */
export function storedRow(k: { key: string; formerKey: string | null }, link: string | null, stored: Lookup): ExistingItem | undefined {
  const found = stored.byKey.get(k.key);
  if (found || !k.formerKey) return found;
  const former = stored.byKey.get(k.formerKey);
  // Adopt the row stored while this guid looked unique, but only the one for the same article.
  return former && former.link === link ? former : undefined;
}

/** Whether an item needs no write: stored as it is under its key, or pruned by retention. */
export function isUnchanged(k: { key: string; contentHash: string }, found: ExistingItem | undefined, stored: Lookup): boolean {
  // A row adopted under its former key moves to this key even when nothing else changed: left under the plain
  // 'g:' key, a later poll listing another article under that guid alone would overwrite it.
  if (found) return found.contentHash === k.contentHash && found.key === k.key;
  // Pruned by retention: the feed still lists it, but it must not come back as new.
  return stored.tombstoned.has(k.key);
}
