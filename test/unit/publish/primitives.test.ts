/** The building blocks: XML escaping, dates, URLs, text clean-up. */
import { expect } from 'chai';
import { plausibleDate, rfc3339, rfc822 } from '../../../src/publish/dates.js';
import { cleanText, excerpt, personName } from '../../../src/publish/text.js';
import { publishableUrl } from '../../../src/publish/url.js';
import { XmlWriter, escapeAttr, escapeText } from '../../../src/publish/xml.js';
import { checkRfc3339, checkRfc822 } from './feed-rules.js';
import { parseXml } from './strict-xml.js';

describe('publish/xml', () => {
  const text: [string, string][] = [
    ['Fish & chips', 'Fish &#x26; chips'],
    ['a < b > c', 'a &#x3C; b &#x3E; c'],
    [']]>', ']]&#x3E;'],
    ['"quotes" \'single\'', '"quotes" \'single\''],
    ['line\nbreak\r\n', 'line&#xA;break&#xD;&#xA;'],
    ['ctl\u0000\u0001\u0008\u000b\u000c\u001f\u007f\u0085\ufffe\uffff end', 'ctl end'],
    ['emoji 😀 ünï', 'emoji 😀 ünï'],
    ['lone \ud800 surrogate', 'lone  surrogate'],
  ];
  for (const [input, expected] of text) it(`escapeText ${JSON.stringify(input)}`, () => expect(escapeText(input)).to.equal(expected));

  const attr: [string, string][] = [
    ['a"b', 'a&#x22;b'],
    ['a&b<c>', 'a&#x26;b&#x3C;c&#x3E;'],
    ['tab\there\nnl', 'tab&#x9;here&#xA;nl'],
  ];
  for (const [input, expected] of attr) it(`escapeAttr ${JSON.stringify(input)}`, () => expect(escapeAttr(input)).to.equal(expected));

  it('writer output is well-formed and round-trips hostile text', () => {
    const hostile = 'a & b < c ]]> "d" \'e\' \t f\ng 😀';
    const doc = new XmlWriter()
      .start('root', [['a', hostile], ['skipped', null]])
      .text('t', hostile)
      .text('empty', '')
      .empty('e', [['x', '1']])
      .end()
      .toString();
    const root = parseXml(doc);
    expect(root.attrs).to.deep.equal({ a: hostile });
    expect(root.children.filter((c) => typeof c !== 'string').map((c) => (typeof c === 'string' ? c : c.children))).to.deep.equal([
      [hostile],
      [],
      [],
    ]);
    expect(doc.split('\n').filter((l) => l.includes('<t>'))).to.have.length(1); // one element, one line
  });

  it('refuses to finish with an open element', () => {
    expect(() => new XmlWriter().start('a').toString()).to.throw(/unclosed/);
  });
});

describe('publish/dates', () => {
  const cases: [string, string, string][] = [
    ['2002-10-02T13:00:00Z', 'Wed, 02 Oct 2002 13:00:00 GMT', '2002-10-02T13:00:00Z'],
    ['2024-02-29T23:59:59.250Z', 'Thu, 29 Feb 2024 23:59:59 GMT', '2024-02-29T23:59:59.250Z'],
    ['1999-12-31T00:00:00+02:00', 'Thu, 30 Dec 1999 22:00:00 GMT', '1999-12-30T22:00:00Z'],
  ];
  for (const [input, r822, r3339] of cases) {
    it(`formats ${input}`, () => {
      const d = new Date(input);
      expect(rfc822(d)).to.equal(r822);
      expect(rfc3339(d)).to.equal(r3339);
      const problems: string[] = [];
      checkRfc822(rfc822(d), 'd', problems, new Date('2025-01-01T00:00:00Z'));
      checkRfc3339(rfc3339(d), 'd', problems, new Date('2025-01-01T00:00:00Z'));
      expect(problems).to.deep.equal([]);
    });
  }
  it('plausible: 1990 up to the feed time', () => {
    const latest = new Date('2024-06-01T00:00:00Z');
    expect(plausibleDate(new Date('1990-01-01T00:00:00Z'), latest)).to.equal(true);
    expect(plausibleDate(new Date('1989-12-31T23:59:59Z'), latest)).to.equal(false);
    expect(plausibleDate(latest, latest)).to.equal(true);
    expect(plausibleDate(new Date(latest.getTime() + 1), latest)).to.equal(false);
    expect(plausibleDate(new Date(NaN), latest)).to.equal(false);
  });
});

describe('publish/url', () => {
  const base = 'https://blog.example/posts/1';
  const cases: [string, string | null, string | null][] = [
    ['https://example.com/a', null, 'https://example.com/a'],
    ['HTTPS://Example.COM:443/a', null, 'https://example.com/a'],
    ['/a?b=c#d', base, 'https://blog.example/a?b=c#d'],
    ['/a', null, null],
    ['//cdn.example/x', base, 'https://cdn.example/x'],
    ['javascript:alert(1)', base, null],
    [' java\tscript:alert(1)', base, null],
    ['vbscript:x', base, null],
    ['data:text/html,x', base, null],
    ['ftp://example.com/x', null, null],
    ['mailto:a@b.example', null, null],
    ['https://例え.jp/パス?q=ü v|w^x{y}[z]`', null, 'https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%C3%BC%20v%7Cw%5Ex%7By%7D%5Bz%5D%60'],
    ['https://[::1]:8080/a', null, 'https://[::1]:8080/a'],
    ['http://', null, null],
    ['', base, null],
  ];
  for (const [raw, b, expected] of cases)
    it(`${JSON.stringify(raw)} against ${b ?? 'nothing'}`, () => expect(publishableUrl(raw, b)).to.equal(expected));
});

describe('publish/text', () => {
  it('cleanText keeps tab, LF, CR and everything printable', () => {
    expect(cleanText('a\tb\nc\rd é 😀 \u00a0')).to.equal('a\tb\nc\rd é 😀 \u00a0');
    expect(cleanText('\ufdd0\u{1fffe}\u{10ffff}x')).to.equal('x');
  });
  const names: [string | null, string | null][] = [
    ['Jane Doe', 'Jane Doe'],
    ['Jane Doe <jane@example.com>', 'Jane Doe'],
    ['jane@example.com (Jane Doe)', 'Jane Doe'],
    ['"Jane"', 'Jane'],
    ['  \u0001 ', null],
    [null, null],
  ];
  for (const [raw, expected] of names) it(`personName ${JSON.stringify(raw)}`, () => expect(personName(raw)).to.equal(expected));
  it('excerpt cuts at a word boundary', () => {
    expect(excerpt('one two three four', 12)).to.equal('one two…');
    expect(excerpt('short', 12)).to.equal('short');
  });
});
