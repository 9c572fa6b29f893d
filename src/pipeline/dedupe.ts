import { hash } from 'node:crypto';
import type { IncomingItem } from '../base/model.js';

/** An item with its identity inside its source and a fingerprint of its content. */
export interface KeyedItem {
  item: IncomingItem;
  /** Identity within the source: 'g:' guid, 'gl:' guid+link, 'l:' link, 'h:' title/content hash. */
  key: string;
  /**
   * The key the same article may be stored under from an earlier poll, when a feed starts or stops reusing a
   * guid: for a 'gl:' key the plain 'g:' key it had while its guid looked unique, for a 'g:' key the 'gl:' key
   * it had while the guid was shared. The refresh adopts that row (and moves it to `key`) instead of inserting
   * a copy, or overwriting another article stored under the plain key.
   */
  formerKey: string | null;
  /** Changes whenever anything published about the item changes; equal hashes mean nothing to write. */
  contentHash: string;
  /** The digest of the item's raw text in its document (pipeline/skim.ts); null or absent when none was taken. */
  rawDigest?: string | null;
}

// crypto.hash: one call, no Hash object per item (the same digest as createHash().update().digest()).
const sha256 = (s: string) => hash('sha256', s, 'hex');

/**
 * Gives every item of one document its dedupe key, in document order, dropping later copies.
 *
 * Order of identity: guid → link → hash of title+content. Real feeds break each rule:
 * - guids are often bare numbers ("12345"), so keys are only unique per source (the store scopes them);
 * - some feeds give every item the same guid (the site's home page): a guid seen with two different links in
 *   one document is not an identity, so those items are keyed by guid and link together;
 * - a document may list the same article twice (same guid, same link): the first occurrence wins.
 */
export function assignKeys(items: readonly IncomingItem[]): KeyedItem[] {
  return keyEntries(items, (item) => item).map(({ entry: item, key, formerKey }) => ({ item, key, formerKey, contentHash: item.contentHash ?? hashContent(item) }));
}

/**
 * An item a refresh recognised by its raw text (pipeline/skim.ts) and did not parse again: what dedupe needs of
 * it, read from the row stored from the same text.
 */
export interface KnownItem {
  guid: string | null;
  link: string | null;
  /** The stored key when it is a title/content hash ('h:…'), which only the parsed text could give again. */
  hashKey: string | null;
  contentHash: string;
}

/** A document's items, each parsed or known, with keys given as assignKeys gives them over the whole document. */
export function assignKeysMixed(entries: readonly ({ item: IncomingItem } | { known: KnownItem })[]): ({ keyed: KeyedItem } | { known: KnownItem; key: string; formerKey: string | null })[] {
  const identity = (e: { item: IncomingItem } | { known: KnownItem }): Identity =>
    'item' in e ? e.item : { guid: e.known.guid, link: e.known.link, hashKey: e.known.hashKey };
  return keyEntries(entries, identity).map(({ entry, key, formerKey }) =>
    'item' in entry ? { keyed: { item: entry.item, key, formerKey, contentHash: entry.item.contentHash ?? hashContent(entry.item) } } : { known: entry.known, key, formerKey });
}

/** What an item's key is made of: guid, link, else title and content (or the hash key already made of them). */
type Identity = { guid: string | null; link: string | null } & ({ title: string; content: string | null; summary: string | null } | { hashKey: string | null });

function keyEntries<T>(entries: readonly T[], identity: (e: T) => Identity): { entry: T; key: string; formerKey: string | null }[] {
  const linksByGuid = new Map<string, Set<string>>();
  for (const e of entries) {
    const it = identity(e);
    if (it.guid === null) continue;
    let links = linksByGuid.get(it.guid);
    if (!links) linksByGuid.set(it.guid, (links = new Set()));
    links.add(it.link ?? '');
  }

  const seen = new Set<string>();
  const out: { entry: T; key: string; formerKey: string | null }[] = [];
  for (const entry of entries) {
    const item = identity(entry);
    let key: string;
    let formerKey: string | null = null;
    if (item.guid !== null) {
      const reused = (linksByGuid.get(item.guid)?.size ?? 0) > 1;
      const shared = `gl:${item.guid}\n${item.link ?? ''}`;
      key = reused ? shared : `g:${item.guid}`;
      formerKey = reused ? `g:${item.guid}` : shared;
    } else if (item.link !== null) {
      key = `l:${item.link}`;
    } else {
      key = 'hashKey' in item ? (item.hashKey ?? 'h:') : `h:${sha256(`${item.title}\n${item.content ?? item.summary ?? ''}`)}`;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ entry, key, formerKey });
  }
  return out;
}

/**
 * Fingerprint of everything warta stores and publishes about an item. A parser thread gives each item it read this
 * as IncomingItem.contentHash, which assignKeys takes: an item whose fields change after reading must not keep it.
 */
export function hashContent(item: IncomingItem): string {
  return sha256(
    JSON.stringify([
      item.title,
      item.link,
      item.summary,
      item.content,
      item.author,
      item.categories,
      item.published?.toISOString() ?? null,
      item.updated?.toISOString() ?? null,
    ]),
  );
}

/**
 * The public id of an item: a name-based UUID (RFC 9562 §5.5 layout over SHA-256 instead of SHA-1) of the
 * source id and the dedupe key, so it is stable across restarts and re-imports and unique across sources.
 */
export function itemUid(sourceId: string, key: string): string {
  const h = hash('sha256', `${sourceId}\0${key}`, 'buffer');
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
