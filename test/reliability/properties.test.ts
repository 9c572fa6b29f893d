/**
 * Properties over arbitrary input for the parsers that face the outside world: tag queries (config and the API's
 * `q`), feed dates, URLs, charsets, and the HTTP headers that set polling times. Bounded numRuns: a few seconds.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { WartaError } from '../../src/base/errors.js';
import { parseDate } from '../../src/pipeline/feed/dates.js';
import { decodeBody } from '../../src/pipeline/feed/decode.js';
import { parseRetryAfter } from '../../src/pipeline/fetch/fetch.js';
import { cacheLifetimeMs } from '../../src/pipeline/hints.js';
import { resolveLink } from '../../src/pipeline/feed/normalize.js';
import { LINK_SCHEMES, publishableUrl, WEB_SCHEMES } from '../../src/publish/url.js';
import { compileTagger, parseQuery, QuerySyntaxError } from '../../src/tagging/index.js';

const RUNS = 1000;

/** Throws unless `fn` returns or throws an instance of `allowed`; returns what it returned. */
function onlyThrows<T>(fn: () => T, allowed: new (...args: never[]) => Error): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof allowed) return undefined;
    throw new Error(`threw ${(err as Error)?.name}: ${(err as Error)?.message?.slice(0, 200)}`, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tag queries

const WORDS = ['Putin', 'Minsk', 'rusia', 'AND', 'OR', 'NOT', 'NEAR/3', 'NEAR/0', 'NEAR/99999', 'title:', 'summary:', 'source:', 'author:', 'x:', '(', ')', '"', '"Wagner Group"', 'pre*', '*', '/ab+c/i', '/[/', '/a/g', '/(/', '-', '+', '\\', '“', 'İ', 'ß', '🦆', '', ' ', '\t', '\n', '\u0000', '\u202e'];
/** Query-shaped text: the language's own tokens, glued with and without spaces, plus arbitrary text. */
const queryText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...WORDS), { maxLength: 25 }).chain((ws) => fc.constantFrom(ws.join(' '), ws.join(''))),
);
/** Deep nesting: parentheses and prefix operators thousands deep (a config or an API caller may write them). */
const nesting = fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('(', 'NOT ', '-', 'title:('));
const nestedQuery = (depth: number, open: string) => (open.endsWith('(') ? `${open.repeat(depth)}a${')'.repeat(depth)}` : `${open.repeat(depth)}a`);
const item = { title: 'Putin bertemu Lukashenko di Minsk', summary: '<p>Rusia dan Belarusia</p>', content: null, categories: ['Dunia'], source: 'antara', author: 'Redaksi', link: 'https://a.example/1' };

describe('properties: tag queries', function () {
  this.timeout(60_000);

  it('parseQuery on any text returns a query or throws QuerySyntaxError, nothing else', () => {
    fc.assert(fc.property(queryText, (q) => void onlyThrows(() => parseQuery(q), QuerySyntaxError)), { numRuns: RUNS * 3 });
  });

  it('compileTagger on any rule compiles or throws QuerySyntaxError, and a compiled tagger never throws on an item', () => {
    fc.assert(
      fc.property(queryText, fc.array(queryText, { maxLength: 3 }), (match, aliases) => {
        const tagger = onlyThrows(() => compileTagger([{ name: 't', match, aliases }]), QuerySyntaxError);
        if (tagger) {
          tagger.tag(item);
          tagger.explain(item);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('deeply nested queries are parsed or refused with QuerySyntaxError, never a stack overflow', () => {
    // The counterexample is reported as [depth, opening]: the query itself would fill the screen.
    fc.assert(fc.property(nesting, ([depth, open]) => void onlyThrows(() => compileTagger([{ name: 't', match: nestedQuery(depth, open) }]), QuerySyntaxError)), { numRuns: 20, endOnFailure: true });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Dates

const MONTHS = ['Jan', 'feb', 'MAR', 'April', 'Mei', 'Agustus', 'Okt', 'Des', 'juni', 'Sept'];
const dateText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.stringMatching(/^[0-9TZ:+\-. ,/]{0,40}$/),
  fc
    .tuple(fc.constantFrom('', 'Mon, ', 'Senin, ', 'Thu ', 'Kamis, '), fc.integer({ min: -5, max: 40 }), fc.constantFrom(...MONTHS), fc.integer({ min: -1, max: 300_000 }), fc.integer({ min: -3, max: 30 }), fc.integer({ min: -3, max: 70 }), fc.constantFrom('', ' GMT', ' +0700', ' WIB', ' -2400', ' +9999', ' Z', ' PST', ' XYZ'))
    .map(([d, day, mon, year, h, m, z]) => `${d}${day} ${mon} ${year} ${h}:${m}:${m}${z}`),
  fc.tuple(fc.integer({ min: -10, max: 300_000 }), fc.integer({ min: -1, max: 14 }), fc.integer({ min: -1, max: 33 }), fc.integer({ min: -1, max: 25 }), fc.constantFrom('Z', '+07:00', '-24:00', '+99:99', '', '.123456789Z')).map(([y, mo, d, h, z]) => `${y}-${mo}-${d}T${h}:00:00${z}`),
  fc.stringMatching(/^\d{1,20}$/),
);

describe('properties: dates', function () {
  this.timeout(60_000);
  it('parseDate never throws and never returns an Invalid Date', () => {
    fc.assert(
      fc.property(dateText, (s) => {
        const d = parseDate(s);
        expect(d === null || (d instanceof Date && !Number.isNaN(d.getTime())), `parseDate(${JSON.stringify(s)}) = ${String(d)}`).to.equal(true);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// URLs

const SCHEMES = ['http://', 'https://', 'HTTP://', 'javascript:', 'JaVaScRiPt:', 'java\tscript:', ' javascript:', '\u0001javascript:', 'vbscript:', 'data:text/html,', 'data:image/png;base64,', 'mailto:', 'file:///', 'ftp://', '//', '/', '../', '?', '#', '', 'http:', 'http:/', 'https:\\\\', 'blob:', 'about:'];
const urlText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(fc.constantFrom(...SCHEMES), fc.oneof(fc.webUrl(), fc.string({ maxLength: 30 }), fc.constantFrom('a b', 'xn--', '[::1]', '[zz]', '127.0.0.1:99999', 'host:port', 'ex%00ample.com', 'exa mple.com/ä ü', '\u0000', '@@', ':80'))).map(([a, b]) => a + b),
);
const baseText = fc.option(fc.oneof(fc.webUrl(), urlText), { nil: null });

const isAbsoluteOf = (out: string, schemes: ReadonlySet<string>) => {
  const u = new URL(out);
  return schemes.has(u.protocol) && (u.protocol === 'mailto:' || u.hostname !== '');
};

describe('properties: URLs', function () {
  this.timeout(60_000);
  it('publishableUrl never throws; it returns null or an absolute URL of an allowed scheme', () => {
    fc.assert(
      fc.property(urlText, baseText, fc.constantFrom(WEB_SCHEMES, LINK_SCHEMES), (raw, base, schemes) => {
        const out = publishableUrl(raw, base, schemes);
        expect(out === null || isAbsoluteOf(out, schemes), `publishableUrl(${JSON.stringify(raw)}, ${JSON.stringify(base)}) = ${out}`).to.equal(true);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('resolveLink never throws; it returns null or an absolute http(s) URL', () => {
    fc.assert(
      fc.property(urlText, fc.array(urlText, { maxLength: 3 }), urlText, fc.option(urlText, { nil: null }), (href, bases, feedUrl, siteUrl) => {
        const out = resolveLink({ href, bases }, feedUrl, siteUrl);
        expect(out === null || isAbsoluteOf(out, WEB_SCHEMES), `resolveLink(${JSON.stringify({ href, bases, feedUrl, siteUrl })}) = ${out}`).to.equal(true);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Charsets

const LABELS = ['utf-8', 'UTF-8', 'utf8', 'utf-16', 'utf-16le', 'UTF-16BE', 'utf-32', 'ucs-2', 'ucs-4', 'unicode', 'iso-8859-1', 'windows-1252', 'gb2312', 'gbk', 'big5', 'shift_jis', 'euc-jp', 'euc-kr', 'koi8-r', 'tis-620', 'utf-7', 'base64', 'hex', 'binary', 'ascii', 'cesu-8', 'x-user-defined', 'bogus', '', '"utf-16"', "'gbk'", 'utf-16; charset=utf-8'];
const PREFIXES = [[], [0xef, 0xbb, 0xbf], [0xfe, 0xff], [0xff, 0xfe], [0xff, 0xfe, 0, 0], [0, 0, 0xfe, 0xff], [0, 0, 0, 0x3c], [0x3c, 0, 0, 0], [0, 0x3c, 0, 0x3f], [0x3c, 0, 0x3f, 0], [0x1f, 0x8b], [0x89, 0x50, 0x4e, 0x47]];
const bodyBytes = fc.tuple(fc.constantFrom(...PREFIXES), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 100 }).map((s) => new TextEncoder().encode(`<?xml version="1.0" encoding="${s}"?><rss/>`)), fc.constantFrom(...LABELS).map((l) => new TextEncoder().encode(`<?xml version="1.0" encoding="${l}"?><rss>\u00e9\u4e2d</rss>`))))
  .map(([p, rest]) => Uint8Array.from([...p, ...rest]));
const contentType = fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...LABELS).map((l) => `application/rss+xml; charset=${l}`), fc.constantFrom(...LABELS).map((l) => `text/xml;charset="${l}"; q=1`)), { nil: null });

describe('properties: charsets', function () {
  this.timeout(60_000);
  it('decodeBody on arbitrary bytes and content types returns text or throws WartaError, nothing else', () => {
    fc.assert(fc.property(bodyBytes, contentType, (body, type) => void onlyThrows(() => decodeBody(body, type), WartaError)), { numRuns: RUNS * 3 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Polling headers (their answers become stored instants: an Invalid Date there crashes the refresh's write)

const headerText = fc.oneof(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 30 }).chain((n) => fc.stringMatching(new RegExp(`^\\d{${n}}$`))), fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid' : d.toUTCString())), fc.constantFrom('Fri, 31 Dec 9999 23:59:59 GMT', '-1', '1e9', '0', '+275760-09-13T00:00:00Z'));

describe('properties: polling headers', function () {
  this.timeout(60_000);
  it('parseRetryAfter returns null or a valid Date for any header value', () => {
    fc.assert(
      fc.property(headerText, (v) => {
        const d = parseRetryAfter(v, new Date('2026-11-27T00:00:00Z'));
        expect(d === null || !Number.isNaN(d.getTime()), `parseRetryAfter(${JSON.stringify(v)}) = ${String(d)}`).to.equal(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('cacheLifetimeMs returns null or a number ≥ 0 for any Cache-Control / Expires / Date', () => {
    const cc = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^(public, )?max-age\s*=\s*"?\d{0,30}"?$/), fc.constantFrom('no-cache', 'max-age=-1', 's-maxage=5'));
    fc.assert(
      fc.property(fc.option(cc, { nil: null }), fc.option(headerText, { nil: null }), fc.option(headerText, { nil: null }), (c, e, d) => {
        const ms = cacheLifetimeMs(c, e, d, new Date('2026-11-27T00:00:00Z'));
        expect(ms === null || (typeof ms === 'number' && !Number.isNaN(ms) && ms >= 0), `cacheLifetimeMs(${JSON.stringify([c, e, d])}) = ${ms}`).to.equal(true);
      }),
      { numRuns: RUNS },
    );
  });
});
