import type { IncomingItem, IngestedFeed } from '../base/model.js';
import type { KnownRow, Lookup, SourceRow } from '../store/store.js';
import { assignKeysMixed, type KeyedItem, type KnownItem } from './dedupe.js';
import { readSkimmed, skimBody, type SkimmedBody, type SkimmedCut } from './feed/skim-body.js';
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
type Cutter = NonNullable<RefreshDeps['cut']>;

/**
 * skimBody and readSkimmed on this thread, the read with `ingest`: the decoded text of the skim is read (decoded once).
 * The token a skim returns is the skim itself.
 */
function cutHere(deps: Pick<RefreshDeps, 'ingest'>): Cutter {
  return {
    async skim(body, { contentType, url, guessSite }) {
      const skimmed = skimBody(body, contentType, url, guessSite);
      return { items: skimmed.doc?.items.length ?? null, guessed: skimmed.guessed, kept: skimmed };
    },
    async read(body, { guessSite, skip, kept, ...meta }) {
      const skimmed = (kept as SkimmedBody | null) ?? skimBody(body, meta.contentType, meta.url, guessSite);
      return readSkimmed(skimmed, body, { contentType: meta.contentType, url: meta.url, guessSite, skip }, (input, contentType) => deps.ingest(input, { ...meta, contentType }));
    },
  };
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
 *
 * With parser threads (deps.cut) a changed feed costs two answers (the skim's digests, kept text read without the
 * known items) and a first read one (decoded, cut, read and digested there: there is no guess to look up).
 */
export async function readFeed(deps: Pick<RefreshDeps, 'store' | 'ingest' | 'cut'>, state: SourceRow, res: Fetched, now: Date): Promise<ReadFeed> {
  const meta = { contentType: res.contentType, url: res.url, now, sourceId: state.id };
  // The digests of the last read were taken under its site link: a guess only when rss-parser read it.
  const guessSite = state.parser === 'rss-parser' ? state.siteUrl : false;
  let cut = deps.cut ?? cutHere(deps);
  let skimmed: SkimmedCut | null = null;
  if (guessSite !== false) {
    try {
      skimmed = await cut.skim(res.body, { contentType: res.contentType, url: res.url, guessSite });
    } catch {
      // The thread died or the pool is closing: the same work here (a closing pool fails the read after it).
      cut = cutHere(deps);
      skimmed = await cut.skim(res.body, { contentType: res.contentType, url: res.url, guessSite });
    }
  }
  const guessed = skimmed?.guessed ?? null;
  const known = guessed ? await deps.store.items.known(state.id, guessed) : new Map<string, KnownRow>();
  const { feed, items, skipped, digests: read } = await cut.read(res.body, { ...meta, guessSite, skip: known.size > 0 ? [...known.keys()] : null, kept: skimmed?.kept ?? null });
  const whole = async (): Promise<ReadFeed> => ({ feed: await deps.ingest(res.body, meta), keyed: null, stored: null, skipped: 0 });
  if (items === null) return { feed, keyed: null, stored: null, skipped: 0 };
  const sure = feed.parser === 'rss-parser' && feed.items.length === items - skipped;
  if (skipped > 0 && (!sure || feed.siteUrl !== state.siteUrl)) return whole();
  if (!sure) return { feed, keyed: null, stored: null, skipped: 0 };

  // Skipped items were recognised by the guess; a whole read's digests were taken under the site link it found.
  const digests = skipped > 0 ? guessed : read;
  // Both are there whenever `skip` and `skipped` agree (the same bytes cut the same way); if not, read it whole.
  if (!digests) return whole();
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
