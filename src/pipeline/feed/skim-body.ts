import { hash } from 'node:crypto';
import { VERSION } from '../../base/version.js';
import { decodeBody } from './decode.js';
import { splitItems, type SplitDocument } from './split.js';

/**
 * A changed feed's fixed work before the store is asked which items it knows (skim.ts): the body decoded, cut
 * into raw items and each fingerprinted. Pure, so a parser thread can do it (ingest-pool.ts skim()): on the main
 * thread it was ~10 % of a daemon's changed poll (bench/changed-daemon.ts), which the main thread bounds.
 */
export interface SkimmedBody {
  /** The decoded text; null when decoding failed, or when it stayed on a parser thread (the full read then gets the bytes). */
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
