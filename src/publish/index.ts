/**
 * Publishing: warta's filtered feeds as RSS 2.0, Atom 1.0 and JSON Feed 1.1, its subscription list as OPML 2.0,
 * and the sanitizer for republished HTML.
 */
export { FEED_CONTENT_TYPES, renderFeed } from './feed.js';
export type { FeedFormat, FeedMeta, SourceInfo } from './feed.js';
export { OPML_CONTENT_TYPE, renderOpml } from './opml.js';
export type { OpmlEntry } from './opml.js';
export { sanitizeHtml } from './sanitize.js';
export { makeSanitizeCache, type Sanitize } from './sanitize-cache.js';
