/**
 * Entry point of publishing: one stored item list → one document in the requested format.
 * The renderers are pure: equal input gives equal bytes (the HTTP layer hashes them for ETags).
 */
import type { StoredItem } from '../base/model.js';
import { renderAtom } from './atom.js';
import { type SourceInfo, prepareEntries } from './entry.js';
import { renderJsonFeed } from './json.js';
import type { FeedFormat, FeedMeta } from './meta.js';
import { renderRss } from './rss.js';
import type { Sanitize } from './sanitize-cache.js';
import { oneLine } from './text.js';

export type { FeedFormat, FeedMeta } from './meta.js';
export type { SourceInfo } from './entry.js';

/** Media type per format, to send as Content-Type. */
export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

// A language tag whose primary subtag is two or three letters: what RSS <language>, xml:lang and JSON Feed take.
// (The validator also checks the primary subtag against ISO 639: validators.py iso639.)
const LANGUAGE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/;

function cleanMeta(meta: FeedMeta): FeedMeta {
  const title = oneLine(meta.title) || 'warta';
  const language = meta.language === undefined ? undefined : meta.language.trim();
  return {
    ...meta,
    title,
    // RSS requires a channel description (channel.py MissingDescription); the title is the honest stand-in.
    description: oneLine(meta.description) || title,
    language: language !== undefined && LANGUAGE.test(language) ? language : undefined,
  };
}

/**
 * Renders `items` (newest first, as given) as an RSS 2.0, Atom 1.0 or JSON Feed 1.1 document.
 * `sources` maps item.sourceId to what is known of the source (used for author fallback and RSS <source>).
 * Pass a memoizing `sanitize` (makeSanitizeCache) when rendering repeatedly.
 */
export function renderFeed(
  format: FeedFormat,
  meta: FeedMeta,
  items: StoredItem[],
  sources: Map<string, SourceInfo>,
  sanitize?: Sanitize,
): string {
  const clean = cleanMeta(meta);
  const entries = prepareEntries(items, sources, clean.updated, sanitize);
  switch (format) {
    case 'rss':
      return renderRss(clean, entries);
    case 'atom':
      return renderAtom(clean, entries);
    case 'json':
      return renderJsonFeed(clean, entries);
  }
}
