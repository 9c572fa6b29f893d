/**
 * Whose article a link is (issue 13, relays): an outlet's own item links into the outlet's own site; an
 * aggregator relays links into other sites. A source's site is the registrable domain (tldts, the Public Suffix
 * List) of its feed's URL or of the feed's site link: `rss.kompas.com` and `nasional.kompas.com` are both
 * kompas.com; `news.google.com` relaying a kompas.com link is not kompas.com.
 */
import { getDomain } from 'tldts';

/** The registrable domain of a URL (its host name when it has none: an IP address, `localhost`); null when unreadable. */
export function siteOf(url: string | null | undefined): string | null {
  if (!url) return null;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return null;
  }
  if (host === '') return null;
  return getDomain(host, { allowPrivateDomains: false }) ?? host;
}

/** Whether `link` is on the site of a source read from these URLs (its feed URL, the feed's site link). */
export function isOwnLink(link: string, sourceUrls: readonly (string | null | undefined)[]): boolean {
  const site = siteOf(link);
  return site !== null && sourceUrls.some((u) => siteOf(u) === site);
}
