import Parser from 'rss-parser';
import type { ParsedFeed } from './parse.js';
import { extractFeed } from './parse-extract.js';
import { treeFromXml2js } from './parse-tree.js';

/**
 * The primary XML path. rss-parser decides whether the document is a feed it can read: its strict xml2js/sax parse
 * (well-formed XML only), its format dispatch and its builders. The fields are then read from the very nodes it
 * parsed, by the extractor the fallback shares — rss-parser's own mapping loses what warta needs (Atom categories,
 * xml:base, text-construct types, dc: under another prefix, the order of inline markup) and rejects a whole feed
 * over one invalid Atom date — so both parsers give the same reading of the same document.
 *
 * Why not `parser.parseString()`: it only wraps these two synchronous steps in a Promise, and this stage is
 * synchronous. Calling them directly also keeps a builder's exception out of xml2js's event emitter, which rethrows
 * it as an unhandled 'error' (the TypeError trap in DEPENDENCIES.md).
 */

/** rss-parser rejected a document that parsed as XML (unknown root, or an exception in its builders). */
export class RssParserRejected extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RssParserRejected';
  }
}

/** The XML is not well-formed (sax's message: "Unclosed root tag\nLine: 3 …"). */
export class XmlSyntaxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XmlSyntaxError';
  }
}

type Doc = Record<string, any>; // xml2js output: untyped by nature

/** The parts of rss-parser 3.13 used here; they are public methods of its Parser class, untyped in its .d.ts. */
interface RssParserInternals {
  xmlParser: { parseString(xml: string, cb: (err: Error | null, result: Doc | null) => void): unknown };
  buildAtomFeed(doc: Doc): unknown;
  buildRSS2(doc: Doc): unknown;
  buildRSS1(doc: Doc): unknown;
  buildRSS0_9(doc: Doc): unknown;
}

/** Parses with rss-parser; throws XmlSyntaxError, RssParserRejected, or OrderLost (see parse-tree.ts). */
export function parseWithRssParser(xml: string): ParsedFeed {
  // A Parser per document: its xml2js instance keeps per-parse state.
  const parser = new Parser({ xml2js: { async: false, strict: true } }) as unknown as RssParserInternals;
  let doc: Doc | null | undefined;
  let failure: Error | undefined;
  try {
    parser.xmlParser.parseString(xml, (err, result) => {
      // xml2js can report twice (an error after the root closed): the first report stands.
      if (doc === undefined && failure === undefined) {
        if (err) failure = err;
        else doc = result;
      }
    });
  } catch (err) {
    if (doc === undefined) failure ??= err instanceof Error ? err : new Error(String(err));
  }
  if (failure) throw new XmlSyntaxError(failure.message, { cause: failure });
  if (!doc) throw new XmlSyntaxError('the document has no root element');

  try {
    build(parser, doc);
  } catch (err) {
    if (err instanceof RssParserRejected) throw err;
    throw new RssParserRejected(`rss-parser failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const root = treeFromXml2js(doc);
  const feed = root && extractFeed(root);
  if (!feed) throw new RssParserRejected('rss-parser accepted a root that is not a feed');
  return { ...feed, parser: 'rss-parser' };
}

/** rss-parser's own format dispatch (Parser#parseString), with defaultRSS 2 for RSS without a version. */
function build(parser: RssParserInternals, doc: Doc): unknown {
  const version = typeof doc.rss?.$?.version === 'string' ? (doc.rss.$.version as string) : '';
  if (doc.feed) return parser.buildAtomFeed(withoutAtomDates(doc));
  if (doc.rss && /^2/.test(version)) return parser.buildRSS2(doc);
  if (doc['rdf:RDF']) return parser.buildRSS1(doc);
  if (doc.rss && /0\.9/.test(version)) return parser.buildRSS0_9(doc);
  if (doc.rss) return parser.buildRSS2(doc);
  throw new RssParserRejected(`rss-parser does not recognise the root element <${Object.keys(doc)[0]}>`);
}

/**
 * rss-parser converts Atom dates with `new Date(x).toISOString()`, which throws on one unreadable date and so
 * rejects the whole feed. Dates are read by dates.ts from the raw nodes, so its builder never sees them.
 */
function withoutAtomDates(doc: Doc): Doc {
  const feed = doc.feed;
  if (typeof feed !== 'object' || feed === null || !Array.isArray(feed.entry)) return doc;
  const entry = feed.entry.map((e: unknown) => {
    if (typeof e !== 'object' || e === null) return e;
    const { published: _p, updated: _u, ...rest } = e as Doc;
    return rest;
  });
  return { feed: { ...feed, entry } };
}
