import { WartaError } from '../../base/errors.js';
import type { ParsedFeed, ParsedItem, RawText } from './parse.js';

/** JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). Fields of the wrong JSON type are ignored. */
export function parseJsonFeed(text: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new WartaError('parse_error', `parse: invalid JSON (${(err as Error).message})`, { cause: err });
  }
  if (!isObject(doc)) throw new WartaError('not_a_feed', 'parse: the JSON document is not an object, so not a JSON Feed');
  // The version is a URL; some generators write the bare number.
  const version = str(doc.version)?.trim() ?? '';
  if (!/jsonfeed\.org\/version\/1(\.1)?\/?$|^1(\.0|\.1)?$/.test(version) || !Array.isArray(doc.items)) {
    throw new WartaError('not_a_feed', 'parse: the JSON document is not a JSON Feed 1.x (no jsonfeed.org version, or no items)');
  }
  const feedAuthor = authorName(doc);
  const home = str(doc.home_page_url);
  return {
    format: /1\.1\/?$/.test(version) ? 'json11' : 'json10',
    parser: 'json',
    title: plainText(doc.title),
    link: home === null ? null : { href: home, bases: [] },
    ttl: null,
    items: (doc.items as unknown[]).filter(isObject).map((item) => jsonItem(item, feedAuthor)),
  };
}

function jsonItem(item: Record<string, unknown>, feedAuthor: string | null): ParsedItem {
  const id = typeof item.id === 'number' ? String(item.id) : str(item.id);
  const url = str(item.url) ?? str(item.external_url);
  const html = str(item.content_html);
  return {
    guid: id,
    link: url === null ? null : { href: url, bases: [] },
    title: plainText(item.title),
    summary: plainText(item.summary),
    content: html !== null ? { type: 'html', value: html } : plainText(item.content_text),
    author: authorName(item) ?? feedAuthor,
    categories: Array.isArray(item.tags) ? item.tags.filter((t): t is string => typeof t === 'string') : [],
    published: str(item.date_published),
    updated: str(item.date_modified),
  };
}

/** JSON Feed 1.1 `authors`, or 1.0 `author`. */
function authorName(o: Record<string, unknown>): string | null {
  const authors = Array.isArray(o.authors) ? o.authors : [o.author];
  for (const a of authors) if (isObject(a) && str(a.name) !== null) return str(a.name);
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function plainText(v: unknown): RawText | null {
  const s = str(v);
  return s === null ? null : { type: 'text', value: s };
}
