import type { IncomingItem, IngestedFeed } from '../base/model.js';
import type { KnownRow, Lookup, SourceRow } from '../store/store.js';
import { assignKeysMixed, type KeyedItem, type KnownItem } from './dedupe.js';
import { itemDigests, skimBody, type SkimmedBody } from './feed/skim-body.js';
import { joinItems } from './feed/split.js';
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

/** skimBody on a parser thread when the runtime has them (deps.skim), else here; a thread that fails it leaves it to this one. */
async function skimOf(deps: Pick<RefreshDeps, 'skim'>, res: Fetched, guessSite: string | null | false): Promise<SkimmedBody> {
  // A first read (no guess to look up) reads the whole document next, so on a thread its bytes are decoded twice and
  // its cut comes back; still cheaper for the main thread, the one a cold poll waits on, than decoding and cutting
  // here (10,000 × 50, one run each, quiet: start-up poll 139.6 vs 170.5 s, p99 /healthz 33 vs 48 ms, peak 278 vs
  // 253 MiB: BENCHMARKS.md, session 12). Returning the digests with the read would save both: not done yet.
  if (deps.skim) {
    try {
      return await deps.skim(res.body, { contentType: res.contentType, url: res.url, guessSite });
    } catch {
      // The thread died or the pool is closing: the same work here (a closing pool fails the read after it).
    }
  }
  return skimBody(res.body, res.contentType, res.url, guessSite);
}

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
export async function readFeed(deps: Pick<RefreshDeps, 'store' | 'ingest' | 'skim'>, state: SourceRow, res: Fetched, now: Date): Promise<ReadFeed> {
  // Decoded once: the full read gets the text, not the bytes again (cold fetches paid for two decodes) — unless
  // the skim ran on a parser thread, which keeps the text (sending it back costs the main thread more).
  const guessSite = state.parser === 'rss-parser' ? state.siteUrl : false;
  const { decoded, doc, guessed } = await skimOf(deps, res, guessSite);
  const whole = async (): Promise<ReadFeed> => ({ feed: await deps.ingest(decoded ?? res.body, { contentType: res.contentType, url: res.url, now, sourceId: state.id }), keyed: null, stored: null, skipped: 0 });
  if (!doc) return whole();
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

  // The guess was made under the site link this read found again (a first read: none was made).
  const digests = skipped > 0 || (guessed && feed.siteUrl === state.siteUrl) ? guessed! : itemDigests(doc, res.url, feed.siteUrl);
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
