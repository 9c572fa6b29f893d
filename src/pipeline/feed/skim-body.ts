import { hash } from 'node:crypto';
import type { IngestedFeed } from '../../base/model.js';
import { VERSION } from '../../base/version.js';
import { decodeBody } from './decode.js';
import { joinItems, splitItems, type SplitDocument } from './split.js';

/**
 * A changed feed's fixed work before the store is asked which items it knows (skim.ts): the body decoded, cut
 * into raw items and each fingerprinted. Pure, so a parser thread can do it (ingest-pool.ts skim()): on the main
 * thread it was ~10 % of a daemon's changed poll (bench/changed-daemon.ts), which the main thread bounds.
 */
export interface SkimmedBody {
  /** The decoded text; null when decoding failed (the full read then gets the bytes). */
  decoded: string | null;
  /** The document cut into its items; null: not plainly RSS or Atom (or not decoded), read whole. */
  doc: SplitDocument | null;
  /** Each item's digest under the site link `guessSite` (the one the last read found); null when not asked for or no doc. */
  guessed: string[] | null;
}

/**
 * Each raw item's digest together with what its reading depends on (warta's version, the URL, the site link, the
 * root's and channel's start tags): the same text read under the same context reads the same.
 */
export function itemDigests(doc: SplitDocument, url: string, siteUrl: string | null): string[] {
  const prefix = hash('sha256', `${VERSION}\n${url}\n${doc.context}\n${siteUrl ?? ''}`, 'base64url');
  return doc.items.map((text) => hash('sha256', `${prefix}${text}`, 'base64url').slice(0, 22));
}

/** Decodes and cuts `body`, and with `guessSite` (not `false`) digests its items under that site link. */
export function skimBody(body: Uint8Array, contentType: string | null, url: string, guessSite: string | null | false): SkimmedBody {
  let decoded: string | null;
  try {
    decoded = decodeBody(body, contentType);
  } catch {
    decoded = null; // the full read decodes the bytes again and reports the problem
  }
  let doc: SplitDocument | null;
  try {
    doc = decoded === null ? null : splitItems(decoded);
  } catch {
    doc = null;
  }
  return { decoded, doc, guessed: doc && guessSite !== false ? itemDigests(doc, url, guessSite) : null };
}

/** What a skim answers across threads: the number of items cut (null: not cut) and their digests, without the text. */
export interface SkimmedCut {
  items: number | null;
  guessed: string[] | null;
  /** Names the decoded text and cut kept where the skim ran, for the read that follows (an opaque token; null: none). */
  kept: object | null;
}

/** What a read of a skimmed document is told besides the body: the site link digested under, and the items to leave out. */
export interface CutMeta {
  guessSite: string | null | false;
  /** Digests of items the store knows from the same text: left unparsed. Null or empty: the whole document is read. */
  skip: readonly string[] | null;
  kept: object | null;
}

/** A skimmed document read. */
export interface CutRead {
  /** The channel and the items parsed (all of them unless some were skipped). */
  feed: IngestedFeed;
  /** Items cut from the document; null: not cut (or the read without the skipped items failed): key the feed as read. */
  items: number | null;
  /** Items left unparsed (their digest was in `skip`). */
  skipped: number;
  /**
   * Nothing skipped and every item read from its element by rss-parser: each item's digest under the site link the
   * read found (the guess reused when it was made under that one). Else null.
   */
  digests: string[] | null;
}

/**
 * Reads a skimmed document in one go (skim.ts decides what to skip; a parser thread runs this so that a first read
 * is decoded, cut, read and digested in one answer): without the items whose digest is in `skip`, or whole (the
 * decoded text, or the bytes when decoding failed). A read without the skipped items that fails is done whole, as
 * not cut. `ingest` reads a text or the bytes under a content type.
 */
export async function readSkimmed(
  skimmed: SkimmedBody,
  body: Uint8Array,
  meta: { contentType: string | null; url: string } & Pick<CutMeta, 'guessSite' | 'skip'>,
  ingest: (input: Uint8Array | string, contentType: string | null) => IngestedFeed | Promise<IngestedFeed>,
): Promise<CutRead> {
  const { decoded, doc, guessed } = skimmed;
  const whole = () => ingest(decoded ?? body, meta.contentType);
  if (!doc) return { feed: await whole(), items: null, skipped: 0, digests: null };
  const skip = meta.skip && meta.skip.length > 0 && guessed ? new Set(meta.skip) : null;
  if (skip) {
    let feed: IngestedFeed;
    try {
      // Already decoded text (decodeBody's output, cut and joined): parsed as it is.
      feed = await ingest(joinItems(doc, (i) => !skip.has(guessed![i]!)), 'application/xml; charset=utf-8');
    } catch {
      return { feed: await whole(), items: null, skipped: 0, digests: null };
    }
    return { feed, items: doc.items.length, skipped: guessed!.filter((d) => skip.has(d)).length, digests: null };
  }
  const feed = await whole();
  const sure = feed.parser === 'rss-parser' && feed.items.length === doc.items.length;
  // The guess was made under the site link this read found again (a first read: none was made).
  const digests = !sure ? null : guessed && feed.siteUrl === meta.guessSite ? guessed : itemDigests(doc, meta.url, feed.siteUrl);
  return { feed, items: doc.items.length, skipped: 0, digests };
}
