import { WartaError } from '../../base/errors.js';
import { extractFeed } from './parse-extract.js';
import { parseJsonFeed } from './parse-json.js';
import { repairXml } from './parse-repair.js';
import { parseWithRssParser, RssParserRejected, XmlSyntaxError } from './parse-rss-parser.js';
import { OrderLost, treeFromText } from './parse-tree.js';

/** Text as a feed carried it: plain text, or HTML. */
export interface RawText {
  type: 'text' | 'html';
  value: string;
}

/** A URL as written, with the xml:base values in scope (outermost first) to resolve it against. */
export interface RawLink {
  href: string;
  bases: string[];
}

/** One entry as the document has it: raw strings, before normalize. */
export interface ParsedItem {
  guid: string | null;
  link: RawLink | null;
  title: RawText | null;
  summary: RawText | null;
  content: RawText | null;
  author: string | null;
  categories: string[];
  /** Date strings exactly as written; dates.ts reads them. */
  published: string | null;
  updated: string | null;
}

/** A parsed document, before normalize. */
export interface ParsedFeed {
  /** 'rss2', 'rss1', 'rss09', 'atom10', 'atom03', 'json10', 'json11'. */
  format: string;
  /** 'rss-parser', 'htmlparser2' (the fallback), or 'json'. */
  parser: string;
  title: RawText | null;
  /** The site's home page. */
  link: RawLink | null;
  ttl: string | null;
  /** RSS polling hints besides <ttl>, as written (RSS only). */
  schedule?: { updatePeriod: string | null; updateFrequency: string | null; skipHours: string[]; skipDays: string[] };
  items: ParsedItem[];
}

/**
 * Decoded text → the feed it holds. JSON Feed is recognised by content; XML is repaired (parse-repair.ts), then
 * parsed by rss-parser, and by htmlparser2 when rss-parser rejects the document or cannot keep its inline markup
 * in order. The fallback accepts a document only if its root element is closed, so a truncated download is a
 * parse_error, never a feed with items silently missing. Throws WartaError('not_a_feed' | 'parse_error').
 */
export function parseFeed(text: string, contentType: string | null): ParsedFeed {
  const start = text.search(/\S/);
  if (start < 0) throw new WartaError('not_a_feed', 'parse: the document is empty');
  const first = text[start];
  if (first === '{' || (first !== '<' && /json/i.test(contentType ?? ''))) return parseJsonFeed(text);
  if (!text.includes('<')) throw new WartaError('not_a_feed', 'parse: the document is neither XML nor JSON');
  if (looksLikeHtml(text)) {
    throw new WartaError('not_a_feed', 'parse: this is an HTML page, not a feed (look for a <link rel="alternate"> feed URL in it)');
  }

  const xml = repairXml(text);
  let rejection: Error;
  try {
    return parseWithRssParser(xml);
  } catch (err) {
    if (!(err instanceof XmlSyntaxError || err instanceof RssParserRejected || err instanceof OrderLost)) throw err;
    rejection = err;
  }

  const { root, complete } = treeFromText(xml);
  if (!root) throw new WartaError('not_a_feed', 'parse: the document has no root element', { cause: rejection });
  const feed = extractFeed(root);
  if (!feed) {
    const what = root.local.toLowerCase() === 'html' ? 'an HTML page' : `<${root.name}>`;
    throw new WartaError('not_a_feed', `parse: the document is ${what}, not RSS, Atom or JSON Feed`, { cause: rejection });
  }
  if (!complete) {
    throw new WartaError('parse_error', `parse: the XML ends before </${root.name}> (truncated?): ${firstLine(rejection)}`, {
      cause: rejection,
    });
  }
  return { ...feed, parser: 'htmlparser2' };
}

const firstLine = (err: Error) => err.message.split('\n')[0];

/** An HTML page where a feed was expected (the site's home page, a login wall, an error page). */
function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 4096).replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*>/gi, '').trimStart();
  return /^<html[\s>]/i.test(head);
}
