import { WartaError } from '../../base/errors.js';
import type { IngestedFeed } from '../../base/model.js';
import { decodeBody } from './decode.js';
import { normalizeFeed } from './normalize.js';
import { parseFeed } from './parse.js';

/**
 * Bytes of a fetched document → normalized feed: decode → parse → normalize, all pure. A string is a document
 * decodeBody already decoded (pipeline/skim.ts decodes once to cut the items out, and hands its text on).
 * Throws WartaError('not_a_feed' | 'parse_error' | 'decode_error') — never anything else.
 */
export function ingestDocument(
  body: Uint8Array | string,
  meta: { contentType: string | null; url: string; now: Date },
): IngestedFeed {
  try {
    const text = typeof body === 'string' ? body : decodeBody(body, meta.contentType);
    const parsed = parseFeed(text, meta.contentType);
    return normalizeFeed(parsed, meta);
  } catch (err) {
    if (err instanceof WartaError) throw err;
    // Outside input must never crash a refresh; anything else reaching here is a bug in these stages (the
    // conformance run counts it as a crash by this message).
    throw new WartaError('parse_error', `ingest: unexpected failure (a warta bug, please report it): ${String(err)}`, {
      cause: err,
    });
  }
}
