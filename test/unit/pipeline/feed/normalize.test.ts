import { expect } from 'chai';
import { normalizeFeed, plainText, resolveLink } from '../../../../src/pipeline/feed/normalize.js';
import type { ParsedFeed, ParsedItem, RawText } from '../../../../src/pipeline/feed/parse.js';

const FEED_URL = 'https://news.example/feeds/main.xml';

describe('pipeline: resolveLink', () => {
  // [case, href, xml:base chain, site URL, result]
  const cases: [string, string, string[], string | null, string | null][] = [
    ['absolute: kept as published', 'https://a.example', [], null, 'https://a.example'],
    ['absolute with padding', '  https://a.example/x \n', [], null, 'https://a.example/x'],
    ['relative to the feed URL', 'story/1', [], null, 'https://news.example/feeds/story/1'],
    ['relative to the site link when there is one', '/story/1', [], 'https://www.news.example/', 'https://www.news.example/story/1'],
    ['xml:base, absolute', 'post', ['https://blog.example/2024/'], 'https://ignored.example/', 'https://blog.example/2024/post'],
    ['xml:base chain, each relative to the last', 'post', ['https://blog.example/', 'a/', 'b/'], null, 'https://blog.example/a/b/post'],
    ['relative xml:base, against the feed URL', 'post', ['/2024/'], null, 'https://news.example/2024/post'],
    ['protocol-relative', '//cdn.example/x', [], null, 'https://cdn.example/x'],
    ['javascript: is dropped', 'javascript:alert(1)', [], null, null],
    ['mailto: is dropped', 'mailto:editor@news.example', [], null, null],
    ['empty', '  ', [], null, null],
  ];
  for (const [name, href, bases, site, result] of cases) {
    it(name, () => expect(resolveLink({ href, bases }, FEED_URL, site)).to.equal(result));
  }
});

describe('pipeline: plainText', () => {
  // [case, text, result]
  const cases: [string, RawText, string][] = [
    ['text is taken as written', { type: 'text', value: 'Use <b> for bold & more' }, 'Use <b> for bold & more'],
    ['HTML loses its markup', { type: 'html', value: '<p>Hello <b>world</b></p>' }, 'Hello world'],
    ['HTML entities are decoded', { type: 'html', value: 'AT&amp;T &#8211; &eacute;t&eacute;' }, 'AT&T – été'],
    ['"HTML" without markup or entities stays as written', { type: 'html', value: 'Fish &chips, 5 < 6' }, 'Fish &chips, 5 < 6'],
    ['scripts and styles are dropped', { type: 'html', value: 'a<script>alert(1)</script><style>p{}</style>b' }, 'ab'],
    ['block elements separate words', { type: 'html', value: 'one<br>two<p>three</p>' }, 'one two three'],
    ['white space collapses', { type: 'text', value: '  Line one\n\t line  two ' }, 'Line one line two'],
  ];
  for (const [name, text, result] of cases) {
    it(name, () => expect(plainText(text)).to.equal(result));
  }
});

describe('pipeline: normalizeFeed', () => {
  const item = (o: Partial<ParsedItem>): ParsedItem => ({
    guid: null, link: null, title: null, summary: null, content: null, author: null, categories: [], published: null, updated: null, ...o,
  });
  const feed = (items: ParsedItem[], o: Partial<ParsedFeed> = {}): ParsedFeed => ({
    format: 'rss2', parser: 'rss-parser', title: null, link: null, ttl: null, items, ...o,
  });
  const now = new Date('2024-09-01T00:00:00Z');

  it('trims guids and drops empty ones', () => {
    const out = normalizeFeed(feed([item({ guid: '  abc \n' }), item({ guid: '   ' })]), { url: FEED_URL, now });
    expect(out.items.map((i) => i.guid)).to.deep.equal(['abc', null]);
  });

  it('deduplicates categories, trimmed, first spelling wins', () => {
    const out = normalizeFeed(feed([item({ categories: [' Politik ', 'politik', 'Ekonomi', '', 'Pemilu\n2024'] })]), { url: FEED_URL, now });
    expect(out.items[0]!.categories).to.deep.equal(['Politik', 'Ekonomi', 'Pemilu 2024']);
  });

  it('summary and content become HTML; text is escaped', () => {
    const out = normalizeFeed(feed([item({ summary: { type: 'text', value: 'a < b' }, content: { type: 'html', value: ' <p>x</p> ' } })]), { url: FEED_URL, now });
    expect(out.items[0]).to.include({ summary: 'a &lt; b', content: '<p>x</p>', title: '' });
  });

  it('reads ttl as whole minutes', () => {
    const ttl = (t: string | null) => normalizeFeed(feed([], { ttl: t }), { url: FEED_URL, now }).ttlMinutes;
    expect([ttl('60'), ttl(' 15 '), ttl('0'), ttl('-5'), ttl('1h'), ttl(null)]).to.deep.equal([60, 15, null, null, null, null]);
  });

  it('dates: UTC instants, future ones beyond the skew dropped, published falls back to updated', () => {
    const out = normalizeFeed(
      feed([
        item({ published: 'Sat, 31 Aug 2024 23:00:00 +0700', updated: '2024-09-01T00:05:00Z' }),
        item({ published: '2031-01-01T00:00:00Z' }),
        item({ published: 'not a date', updated: '2024-08-30T00:00:00Z' }),
      ]),
      { url: FEED_URL, now },
    );
    expect(out.items.map((i) => [i.published?.toISOString() ?? null, i.updated?.toISOString() ?? null])).to.deep.equal([
      ['2024-08-31T16:00:00.000Z', '2024-09-01T00:05:00.000Z'],
      [null, null],
      ['2024-08-30T00:00:00.000Z', '2024-08-30T00:00:00.000Z'],
    ]);
  });

  it('the site URL is absolute', () => {
    const out = normalizeFeed(feed([], { link: { href: '/', bases: [] } }), { url: FEED_URL, now });
    expect(out.siteUrl).to.equal('https://news.example/');
  });
});
