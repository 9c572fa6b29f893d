import type { ParsedFeed, ParsedItem, RawLink, RawText } from './parse.js';
import {
  attrOf, childOf, childrenOf, innerHtml, isElement, NS, textOf, type XmlElement,
} from './parse-tree.js';

/**
 * RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 fields from an element tree — the one reading of feed syntax,
 * whichever parser built the tree. Values stay raw here (text, HTML, date strings, relative URLs with their
 * xml:base chain); normalize.ts turns them into the model.
 */

/** RSS elements appear without a namespace or under these (RSS 1.0, 0.90, and two RSS 2.0 namespaces seen in feeds). */
const RSS_NS: string[] = ['', NS.rss10, NS.rss090, 'http://backend.userland.com/rss2', 'http://blogs.law.harvard.edu/tech/rss'];
const ATOM: string[] = [NS.atom10, NS.atom03];
const DC: string[] = [NS.dc];
const DCTERMS: string[] = [NS.dcterms];
const MEDIA: string[] = ['http://search.yahoo.com/mrss/', 'http://search.yahoo.com/mrss'];

/** The feed in a document tree, or null when the root is not a feed (an HTML page, an OPML file …). */
export function extractFeed(root: XmlElement): Omit<ParsedFeed, 'parser'> | null {
  // Any namespace on <rss>: feeds carry several made-up ones ("http://backend.userland.com/rss2.1" …).
  if (root.local === 'rss') return extractRss(root, RSS_NS.includes(root.ns) ? RSS_NS : [root.ns, ...RSS_NS]);
  if (root.local === 'RDF' && root.ns === NS.rdf) return extractRss(root, RSS_NS);
  // feedparser reads any <feed> as Atom (pre-1.0 drafts used other namespaces).
  if (root.local === 'feed') return extractAtom(root);
  return null;
}

const bases = (outer: string[], el: XmlElement) => {
  const base = attrOf(el, NS.xml, 'base');
  return base === undefined ? outer : [...outer, base];
};

const trimmed = (s: string | undefined | null) => {
  const t = s?.trim();
  return t ? t : null;
};

function firstText(els: XmlElement[]): string | null {
  for (const el of els) {
    const t = trimmed(textOf(el));
    if (t !== null) return t;
  }
  return null;
}

/** Text or HTML as an RSS element carries it: escaped or CDATA HTML, or (invalid but common) inline markup. */
function rssHtml(el: XmlElement | undefined): RawText | null {
  if (!el) return null;
  const value = el.children.some(isElement) ? innerHtml(el) : textOf(el);
  return value.trim() === '' ? null : { type: 'html', value };
}

// ---------------------------------------------------------------------------------------------------------------

function extractRss(root: XmlElement, rss: string[]): Omit<ParsedFeed, 'parser'> {
  const channel = childOf(root, rss, 'channel') ?? root;
  const rootBases = bases([], root);
  const channelBases = channel === root ? rootBases : bases(rootBases, channel);
  let format = 'rss2';
  if (root.local === 'RDF') format = channel.ns === NS.rss090 ? 'rss09' : 'rss1';
  else if (/^0\.9/.test(attrOf(root, '', 'version')?.trim() ?? '')) format = 'rss09';

  // RSS 1.0 puts items beside the channel; some RSS 0.9x files do too.
  const items = [...childrenOf(channel, rss, 'item'), ...(channel === root ? [] : childrenOf(root, rss, 'item'))];
  const titleEl = childOf(channel, rss, 'title') ?? childOf(channel, DC, 'title');
  const linkEl = rssLink(channel, rss);
  return {
    format,
    title: rssHtml(titleEl),
    link: linkEl ? { href: linkText(linkEl), bases: bases(channelBases, linkEl) } : atomLink(channel, channelBases),
    ttl: firstText(childrenOf(channel, rss, 'ttl')),
    schedule: {
      updatePeriod: firstText(childrenOf(channel, [NS.sy], 'updatePeriod')),
      updateFrequency: firstText(childrenOf(channel, [NS.sy], 'updateFrequency')),
      skipHours: childrenOf(channel, rss, 'skipHours').flatMap((e) => childrenOf(e, rss, 'hour').map((h) => textOf(h).trim())),
      skipDays: childrenOf(channel, rss, 'skipDays').flatMap((e) => childrenOf(e, rss, 'day').map((d) => textOf(d).trim())),
    },
    items: items.map((item) => extractRssItem(item, bases(channelBases, item), rss)),
  };
}

function extractRssItem(item: XmlElement, itemBases: string[], rss: string[]): ParsedItem {
  const guidEl = childrenOf(item, rss, 'guid').find((g) => textOf(g).trim() !== '');
  const guid = guidEl ? textOf(guidEl).trim() : null;
  const about = trimmed(attrOf(item, NS.rdf, 'about'));
  const linkEl = rssLink(item, rss);

  let link = linkEl ? { href: linkText(linkEl), bases: bases(itemBases, linkEl) } : atomLink(item, itemBases);
  // RSS 2.0: a guid is a permalink unless isPermaLink="false"; items with no <link> are read through it.
  if (!link && guidEl && guid && attrOf(guidEl, '', 'isPermaLink')?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(guid)) {
    link = { href: guid, bases: itemBases };
  }
  if (!link && about && /^https?:\/\//i.test(about)) link = { href: about, bases: itemBases };

  const media = childOf(item, MEDIA, 'group') ?? item;
  const title = rssHtml(childOf(item, rss, 'title') ?? childOf(item, DC, 'title') ?? childOf(media, MEDIA, 'title'));
  const categories = [
    ...childrenOf(item, rss, 'category').map(textOf),
    ...childrenOf(item, DC, 'subject').map(textOf),
    ...atomCategories(item),
  ];
  const date = (ns: string[], local: string) => firstText(childrenOf(item, ns, local));
  return {
    // The model's guid is RSS guid / Atom id / JSON Feed id only; rdf:about (RSS 1.0) stands in for a missing link.
    guid,
    link,
    title,
    summary: rssHtml(childOf(item, rss, 'description')) ?? atomText(childOf(item, ATOM, 'summary')),
    content: rssHtml(childOf(item, [NS.content], 'encoded')) ?? atomText(childOf(item, ATOM, 'content')),
    author: rssAuthor(firstText(childrenOf(item, rss, 'author'))) ?? firstText(childrenOf(item, DC, 'creator')) ?? atomAuthor(item),
    categories,
    published:
      date(rss, 'pubDate') ?? date(DC, 'date') ?? date(DCTERMS, 'issued') ?? date(DCTERMS, 'created') ?? date(ATOM, 'published'),
    updated: date(ATOM, 'updated') ?? date(DCTERMS, 'modified'),
  };
}

/** RSS 2.0 <author> is an e-mail address, usually "jo@example.com (Jo Smith)": keep the name when there is one. */
function rssAuthor(author: string | null): string | null {
  const m = author && /^\S+@\S+\s*\((.+)\)$/.exec(author);
  return m ? m[1]!.trim() : author;
}

// ---------------------------------------------------------------------------------------------------------------

function extractAtom(root: XmlElement): Omit<ParsedFeed, 'parser'> {
  const ns = ATOM.includes(root.ns) ? ATOM : [root.ns];
  const rootBases = bases([], root);
  const version = attrOf(root, '', 'version')?.trim();
  const feedAuthor = atomAuthor(root, ns);
  return {
    format: root.ns === NS.atom03 || version === '0.3' ? 'atom03' : 'atom10',
    title: atomText(childOf(root, ns, 'title')),
    link: atomLink(root, rootBases, ns),
    ttl: null,
    items: childrenOf(root, ns, 'entry').map((entry) => extractAtomEntry(entry, bases(rootBases, entry), ns, feedAuthor)),
  };
}

function extractAtomEntry(entry: XmlElement, entryBases: string[], ns: string[], feedAuthor: string | null): ParsedItem {
  const date = (local: string) => firstText(childrenOf(entry, ns, local));
  const source = childOf(entry, ns, 'source');
  return {
    guid: firstText(childrenOf(entry, ns, 'id')),
    link: atomLink(entry, entryBases, ns),
    title: atomText(childOf(entry, ns, 'title')),
    summary: atomText(childOf(entry, ns, 'summary')),
    content: atomText(childOf(entry, ns, 'content')),
    // RFC 4287 §4.2.1: an entry without an author inherits its source's, then the feed's.
    author: atomAuthor(entry, ns) ?? (source ? atomAuthor(source, ns) : null) ?? feedAuthor,
    categories: [...atomCategories(entry, ns), ...childrenOf(entry, DC, 'subject').map(textOf)],
    // Atom 0.3 called them issued, created and modified.
    published: date('published') ?? date('issued') ?? date('created') ?? firstText(childrenOf(entry, DCTERMS, 'issued')),
    updated: date('updated') ?? date('modified'),
  };
}

function atomAuthor(el: XmlElement, ns: string[] = ATOM): string | null {
  for (const author of childrenOf(el, ns, 'author')) {
    const name = firstText(childrenOf(author, ns, 'name')) ?? firstText(childrenOf(author, ns, 'email'));
    if (name !== null) return name;
  }
  return null;
}

function atomCategories(el: XmlElement, ns: string[] = ATOM): string[] {
  return childrenOf(el, ns, 'category').map((c) => attrOf(c, '', 'term')?.trim() || attrOf(c, '', 'label') || '');
}

/**
 * The RSS <link> of a channel or item. Of several, the last one that is an alternate wins (gofeed's rule: feeds
 * that repeat <link> append the better one), written as text or, by Atom habit, as href; an un-prefixed
 * <link rel="self" href=…> points at the feed itself and is skipped.
 */
function rssLink(el: XmlElement, ns: readonly string[]): XmlElement | undefined {
  return childrenOf(el, ns, 'link')
    .filter((l) => linkText(l) !== '' && (attrOf(l, '', 'rel')?.trim().toLowerCase() || 'alternate') === 'alternate')
    .at(-1);
}

function linkText(el: XmlElement): string {
  return textOf(el).trim() || attrOf(el, '', 'href')?.trim() || '';
}

/**
 * The alternate link (RFC 4287 §4.2.7.2: a link without rel is rel="alternate"), preferring an HTML page; in Atom
 * 0.3 the type is a MIME type too. Links without href are skipped.
 */
function atomLink(el: XmlElement, outer: string[], ns: string[] = ATOM): RawLink | null {
  // href, or (invalid, but feedparser reads it) the URL as the element's text
  const href = (l: XmlElement) => trimmed(attrOf(l, '', 'href')) ?? trimmed(textOf(l));
  const links = childrenOf(el, ns, 'link').filter((l) => href(l) !== null);
  const alternates = links.filter((l) => (attrOf(l, '', 'rel')?.trim() || 'alternate') === 'alternate');
  const html = alternates.find((l) => /html/i.test(attrOf(l, '', 'type') ?? 'text/html'));
  const chosen = html ?? alternates[0];
  return chosen ? { href: href(chosen)!, bases: bases(outer, chosen) } : null;
}

/**
 * An Atom text construct (RFC 4287 §3.1), or Atom 0.3 content with its MIME type and mode. Out-of-line content
 * (src=) and binary types are null.
 */
function atomText(el: XmlElement | undefined): RawText | null {
  if (!el || attrOf(el, '', 'src') !== undefined) return null;
  const type = (attrOf(el, '', 'type') ?? '').trim().toLowerCase();
  const mode = (attrOf(el, '', 'mode') ?? '').trim().toLowerCase();
  const textual = type === '' || ['text', 'html', 'xhtml'].includes(type) || type.startsWith('text/') || /[+/]xml$/.test(type);
  // RFC 4287 §4.1.3.3: content of any other media type is Base64; Atom 0.3 said so with mode="base64".
  const base64 = mode === 'base64' || !textual;
  const decoded = base64 ? fromBase64(textOf(el)) : null;
  if (base64 && decoded === null) return null;
  // Inline markup without a type is XHTML too (Atom 0.3 feeds, and feeds that forgot type="xhtml").
  const xhtml = type === 'xhtml' || type === 'application/xhtml+xml' || (!base64 && el.children.some(isElement));
  const html = xhtml || type === 'html' || type === 'text/html' || mode === 'escaped' || !textual;
  const value = decoded ?? (xhtml ? innerHtml(xhtmlContainer(el)) : textOf(el));
  return value.trim() === '' ? null : { type: html ? 'html' : 'text', value };
}

/** RFC 4287 §3.1.1.3: XHTML content is wrapped in one <div>, which is not part of it. */
function xhtmlContainer(el: XmlElement): XmlElement {
  const elements = el.children.filter(isElement);
  const only = elements.length === 1 && el.children.every((c) => isElement(c) || c.trim() === '') ? elements[0] : undefined;
  return only?.local === 'div' ? only : el;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Base64 text that decodes to UTF-8 text; null for binary (an image has no place in a title or summary). */
function fromBase64(text: string): string | null {
  try {
    const decoded = strictUtf8.decode(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
    return decoded.includes('\u0000') ? null : decoded;
  } catch {
    return null;
  }
}
