/**
 * Feed autodiscovery: the feeds an HTML page announces with `<link rel="alternate" type="application/rss+xml"
 * href="…">` (RSS Autodiscovery, and the same for Atom and JSON Feed), absolute, in page order. A regular
 * expression over the `<link>` tags rather than a DOM: it runs on every HTML answer of a feed URL, and the
 * `<head>` is all it needs.
 */
const FEED_TYPES = /^(?:application\/(?:rss|atom|feed)\+xml|application\/(?:feed\+)?json|application\/rdf\+xml|text\/xml|application\/xml)$/i;
const LINK_TAG = /<link\b[^>]*>/gi;
const ATTR = /([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;

/** The feed URLs a page links as alternates (http/https only), first the page's own order. */
export function discoverFeeds(html: string, pageUrl: string): string[] {
  const found: string[] = [];
  // The links that matter are in <head>: a page's body may be megabytes of markup.
  const head = html.slice(0, Math.min(html.length, 256 * 1024));
  for (const tag of head.match(LINK_TAG) ?? []) {
    const attrs = new Map<string, string>();
    for (const m of tag.matchAll(ATTR)) attrs.set(m[1]!.toLowerCase(), (m[2] ?? m[3] ?? m[4] ?? '').trim());
    const rel = (attrs.get('rel') ?? '').toLowerCase().split(/\s+/);
    if (!rel.includes('alternate') || !FEED_TYPES.test(attrs.get('type') ?? '') || !attrs.get('href')) continue;
    let url: URL;
    try {
      url = new URL(decodeEntities(attrs.get('href')!), pageUrl);
    } catch {
      continue;
    }
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !found.includes(url.href)) found.push(url.href);
  }
  return found;
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&#38;/g, '&');
}
