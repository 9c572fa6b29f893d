/**
 * Feed-level description shared by the renderers.
 */

/** The formats warta publishes. */
export type FeedFormat = 'rss' | 'atom' | 'json';

/** What the caller knows about the feed as a whole. */
export interface FeedMeta {
  title: string;
  description: string;
  /** URL of warta's home page (base_url + '/'). */
  homeUrl: string;
  /** Exact URL this document is served at, one per format; selfUrls[format] goes in the self link. */
  selfUrls: Record<FeedFormat, string>;
  /** Stable feed id for Atom (use the atom self URL or a urn you derive); must be in RFC 3986 normal form. */
  id: string;
  /** Time of the newest change among the items (or now when there are none); never later than now. */
  updated: Date;
  /** Optional ISO 639 language code (e.g. 'en', 'pt-BR'): RSS language, Atom xml:lang, JSON Feed language. */
  language?: string;
}
