import { hash } from 'node:crypto';
import type { IncomingItem, IngestedFeed } from '../base/model.js';
import { VERSION } from '../base/version.js';
import type { KnownRow, Lookup, SourceRow } from '../store/store.js';
import { assignKeysMixed, type KeyedItem, type KnownItem } from './dedupe.js';
import { decodeBody } from './feed/decode.js';
import { joinItems, splitItems } from './feed/split.js';
import { isUnchanged, lookupKeys, storedRow } from './plan.js';
import type { RefreshDeps } from './refresh.js';

/** A fetched document read for a refresh: the feed, and when skimmed, its parsed items keyed and looked up. */
export interface ReadFeed {
  /** The channel's fields, and the items that were parsed (all of them unless skimmed). */
  feed: IngestedFeed;
  /** Skimmed: the parsed items with keys given over the whole document and their raw digests; null: key them all. */
  keyed: KeyedItem[] | null;
  /** Skimmed: the store's rows under every item's keys, the unparsed ones' too; null: look the keys up. */
  stored: Lookup | null;
  /** Items recognised by their raw text and left unparsed. */
  skipped: number;
}

type Fetched = { body: Uint8Array; contentType: string | null; url: string };

/**
 * Reads a changed feed in proportion to what changed (issue 15). The document is cut into raw item texts
 * (feed/split.ts) and each is fingerprinted together with what its reading depends on (warta's version, the
 * URL, the site link, the root's and channel's start tags). Items stored from the same text are not parsed,
 * normalised or hashed again: only a document of the channel and the other items goes to rss-parser. The keys
 * are still given over the whole document, the skipped items taking guid and link from their rows, so a guid
 * a new item starts to share changes keys exactly as a full parse would; when a skipped item would need a write
 * after all (its row gone, moved to another key), the whole document is read as before.
 *
 * Digests are taken only where the reading is sure to repeat: rss-parser read the document (as it read the
 * last one), every item came out of its element, and no date was dropped as lying in the future.
 */
export async function readFeed(deps: Pick<RefreshDeps, 'store' | 'ingest'>, state: SourceRow, res: Fetched, now: Date): Promise<ReadFeed> {
  // Decoded once: the full read gets the text, not the bytes again (cold fetches paid for two decodes).
  let decoded: string | null;
  try {
    decoded = decodeBody(res.body, res.contentType);
  } catch {
    decoded = null; // the full read decodes the bytes again and reports the problem
  }
  const whole = async (): Promise<ReadFeed> => ({ feed: await deps.ingest(decoded ?? res.body, { contentType: res.contentType, url: res.url, now, sourceId: state.id }), keyed: null, stored: null, skipped: 0 });
  let doc;
  try {
    doc = decoded === null ? null : splitItems(decoded);
  } catch {
    doc = null;
  }
  if (!doc) return whole();
  const context = `${VERSION}\n${res.url}\n${doc.context}\n`;
  const digestsFor = (siteUrl: string | null) => {
    const prefix = hash('sha256', `${context}${siteUrl ?? ''}`, 'base64url');
    return doc.items.map((text) => hash('sha256', `${prefix}${text}`, 'base64url').slice(0, 22));
  };
  const guessed = state.parser === 'rss-parser' ? digestsFor(state.siteUrl) : null;
  const known = guessed ? await deps.store.items.known(state.id, guessed) : new Map<string, KnownRow>();

  let feed: IngestedFeed;
  if (known.size === 0) feed = (await whole()).feed;
  else {
    try {
      // Already decoded text (decodeBody's output, cut and joined): parsed as it is.
      const text = joinItems(doc, (i) => !known.has(guessed![i]!));
      feed = await deps.ingest(text, { contentType: 'application/xml; charset=utf-8', url: res.url, now, sourceId: state.id });
    } catch {
      return whole();
    }
  }
  const skipped = guessed && known.size > 0 ? guessed.filter((d) => known.has(d)).length : 0;
  const sure = feed.parser === 'rss-parser' && feed.items.length === doc.items.length - skipped;
  if (skipped > 0 && (!sure || feed.siteUrl !== state.siteUrl)) return whole();
  if (!sure) return { feed, keyed: null, stored: null, skipped: 0 };

  const digests = skipped > 0 ? guessed! : digestsFor(feed.siteUrl);
  const entries: ({ item: IncomingItem } | { known: KnownItem })[] = [];
  const digestOf = new Map<IncomingItem, string>();
  // The key each recognised item's row is stored under.
  const rowKey = new Map<KnownItem, string>();
  for (const d of digests) {
    const row = skipped > 0 ? known.get(d) : undefined;
    if (row) {
      const k: KnownItem = { guid: row.guid, link: row.link, hashKey: row.key.startsWith('h:') ? row.key : null, contentHash: row.contentHash };
      rowKey.set(k, row.key);
      entries.push({ known: k });
    } else {
      const item = feed.items[digestOf.size]!;
      digestOf.set(item, d);
      entries.push({ item });
    }
  }
  const mixed = assignKeysMixed(entries);
  // A recognised item keyed as its row is stored is that row (keys are unique per source), unchanged: only the
  // parsed items' keys, and those of recognised items whose key moved, are looked up (a changed poll of 50 items
  // with 5 new asked for ~10 keys instead of ~100).
  const moved = (m: { known: KnownItem; key: string }) => m.key !== rowKey.get(m.known);
  const asked = mixed.flatMap((m) => ('keyed' in m ? [m.keyed] : moved(m) ? [{ key: m.key, formerKey: m.formerKey }] : []));
  const stored = await deps.store.items.lookup(state.id, lookupKeys(asked));
  const keyed: KeyedItem[] = [];
  for (const m of mixed) {
    if ('known' in m) {
      // Recognised but not as stored under its key now: only a full reading can write it.
      if (moved(m) && !isUnchanged({ key: m.key, contentHash: m.known.contentHash }, storedRow(m, m.known.link, stored), stored)) return whole();
      continue;
    }
    keyed.push({ ...m.keyed, rawDigest: m.keyed.item.datedAhead ? null : digestOf.get(m.keyed.item)! });
  }
  return { feed, keyed, stored, skipped };
}
