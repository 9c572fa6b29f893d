/**
 * Reading fetched page bytes: decode, parse, clean and extract (index.ts) or list a section page's links
 * (listing.ts). `PageReader` is what the daemon, `warta fetch` and `warta extract` call; reader-pool.ts runs it
 * in worker threads (a hostile page costs seconds of CPU, which must not stall serving), `readInThread` here runs
 * it on the caller's thread (unit tests, benches of extraction alone).
 */
import type { IngestedFeed } from '../../base/model.js';
import { decodePage } from './decode.js';
import { readPage, type ExtractOptions, type PageReading } from './index.js';
import { readListing } from './listing.js';

/** A section page's items, and whether an `items:` selector matched nothing. */
export type Listing = IngestedFeed & { selectorEmpty: boolean };

/** Reads fetched pages; rejects with a WartaError (decode_error, extract_timeout, too_large, aborted …). */
export interface PageReader {
  /** An article page (or a page that turns out to be a listing): what warta would store from it. */
  article(body: Uint8Array, contentType: string | null, url: string, options: ExtractOptions, signal?: AbortSignal): Promise<PageReading>;
  /** A section page of a `type: html` source: its article links as items. */
  listing(body: Uint8Array, contentType: string | null, url: string, items: string | null, signal?: AbortSignal): Promise<Listing>;
  /** Stops the reader's threads, if any; reads in progress reject with `aborted`. */
  close(): Promise<void>;
}

/** One request to a page reader (the worker's message, without its sequence number). */
export type ReadRequest =
  | { kind: 'article'; body: Uint8Array; contentType: string | null; url: string; options: ExtractOptions }
  | { kind: 'listing'; body: Uint8Array; contentType: string | null; url: string; items: string | null };

/** Carries out one request on this thread. */
export function readRequest(req: ReadRequest): PageReading | Listing {
  const html = decodePage(req.body, req.contentType);
  return req.kind === 'article' ? readPage(html, req.url, req.options) : readListing(html, req.url, req.items);
}

/** A reader on the caller's thread: no time or memory limit (tests, benches, pure stages). */
export function readInThread(): PageReader {
  return {
    article: async (body, contentType, url, options) => readRequest({ kind: 'article', body, contentType, url, options }) as PageReading,
    listing: async (body, contentType, url, items) => readRequest({ kind: 'listing', body, contentType, url, items }) as Listing,
    close: async () => {},
  };
}
