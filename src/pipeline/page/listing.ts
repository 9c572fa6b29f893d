/**
 * A section page with no feed (`type: html` sources, issue 12) → the items it lists: its article links in page
 * order, each with the link's text as a provisional title (the article page's own title replaces it once read).
 * Links are found automatically (article-like URLs of the same site, menus and footers cut first) or are the
 * ones an admin's `items:` selector matches. Pure: HTML and its URL in, a feed-shaped value out.
 */
import { WartaError } from '../../base/errors.js';
import type { IncomingItem, IngestedFeed } from '../../base/model.js';
import { hashContent, type KeyedItem } from '../dedupe.js';
import { parsePage, type PageElement } from './dom.js';
import { findArticleLinks } from './links.js';

/** At most this many links of one section page become items per poll. */
export const MAX_LISTED = 100;

/** The listing as the refresh pipeline takes a feed; `selectorEmpty` when `items:` matched nothing. */
export function readListing(html: string, pageUrl: string, itemsSelector: string | null): IngestedFeed & { selectorEmpty: boolean } {
  // An admin's selector may name any part of the page: nothing is cut before it is looked up.
  const doc = parsePage(html, itemsSelector === null);
  const title = doc.querySelector('title')?.textContent?.replace(/\s+/g, ' ').trim() || null;
  const found: { url: string; text: string }[] = [];
  let selectorEmpty = false;
  if (itemsSelector !== null) {
    const matched = [...doc.querySelectorAll(itemsSelector)];
    selectorEmpty = matched.length === 0;
    const seen = new Set<string>();
    for (const el of matched) {
      const a = el.tagName === 'A' && el.getAttribute('href') ? el : el.querySelector('a[href]');
      const url = a && absolute(a.getAttribute('href'), pageUrl);
      if (!url || seen.has(url)) continue;
      seen.add(url);
      found.push({ url, text: linkText(a) });
      if (found.length >= MAX_LISTED) break;
    }
  } else {
    const texts = new Map<string, string>();
    for (const a of doc.querySelectorAll('a[href]')) {
      const url = absolute(a.getAttribute('href'), pageUrl);
      // A teaser often links its picture first and its headline after: the longest text wins.
      if (url && linkText(a).length > (texts.get(url) ?? '').length) texts.set(url, linkText(a));
    }
    for (const url of findArticleLinks(doc, pageUrl, MAX_LISTED)) found.push({ url, text: texts.get(url) ?? '' });
  }
  const items: IncomingItem[] = found.map((f) => ({
    guid: null, link: f.url, title: f.text, summary: null, content: null, author: null, categories: [], published: null, updated: null,
  }));
  return { format: 'html', parser: 'warta-listing', title, siteUrl: pageUrl, ttlMinutes: null, items, selectorEmpty };
}

/**
 * A listed item changes only with its link. Its title is the teaser's wording on the section page, which editors
 * reword (and the article page's own headline replaces it once read): a reworded teaser is neither a new item nor
 * a reason to read the article again. A section page gives no sign that an article itself changed, so a
 * `type: html` item is read once, when its link first appears (a source with a feed re-reads on the feed's word).
 */
export function keyListed(keyed: readonly KeyedItem[]): KeyedItem[] {
  return keyed.map((k) => ({ ...k, contentHash: hashContent({ ...k.item, title: '' }) }));
}

/** The error of an `items:` selector that matched nothing. */
export function itemsSelectorEmpty(selector: string, url: string): WartaError {
  return new WartaError('selector_empty', `items selector "${selector}" matched nothing on ${url} (has the site changed its layout?)`);
}

function linkText(a: PageElement): string {
  const text = (a.textContent ?? '').replace(/\s+/g, ' ').trim();
  return text || (a.getAttribute('title') ?? a.querySelector('img[alt]')?.getAttribute('alt') ?? '').trim();
}

function absolute(href: string | null, base: string): string | null {
  if (!href) return null;
  try {
    const u = new URL(href, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}
