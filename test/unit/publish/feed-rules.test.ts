/**
 * The rule checker must bite: documents that break one rule each are reported, and so is what the `feed`
 * package writes for the hostile items (the reason warta renders by hand).
 */
import { expect } from 'chai';
import { Feed } from 'feed';
import { checkAtom, checkJsonFeed, checkOpml, checkRss } from './feed-rules.js';
import { NOW, hostileItems } from './fixtures.js';
import { XmlSyntaxError, parseXml } from './strict-xml.js';

const SELF = 'https://news.example/feed';
const expected = { selfUrl: SELF, now: NOW };

const rss = (items: string, channelExtra = `<atom:link href="${SELF}" rel="self" type="application/rss+xml"/>`) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>t</title>
<link>https://news.example/</link>
<description>d</description>
${channelExtra}
${items}
</channel>
</rss>
`;
const item = (body: string) =>
  `<item>${body.includes('<guid') ? '' : '<guid isPermaLink="false">urn:uuid:00000000-0000-4000-8000-000000000001</guid>'}${body}</item>`;

const atom = (entries: string, feedExtra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>https://news.example/feed</id>
<title>t</title>
<updated>2024-05-01T00:00:00Z</updated>
<link rel="self" type="application/atom+xml" href="${SELF}"/>
<author><name>a</name></author>
${feedExtra}
${entries}
</feed>
`;
const entry = (body: string, id = '00000000-0000-4000-8000-000000000001') =>
  `<entry><id>urn:uuid:${id}</id><title>e</title><updated>2024-05-01T00:00:00Z</updated><content type="html">x</content>${body}</entry>`;

describe('publish test checker (feed-rules)', () => {
  describe('strict XML parser', () => {
    const malformed: [string, string][] = [
      ['CDATA', '<a><![CDATA[x]]></a>'],
      ['bare ampersand', '<a>x & y</a>'],
      ['bare < in an attribute', '<a b="<"/>'],
      ['undefined entity', '<a>&nbsp;</a>'],
      ['control character', '<a>\u0001</a>'],
      ['reference to a control character', '<a>&#x1;</a>'],
      ['mismatched end tag', '<a><b></a></b>'],
      ['duplicate attribute', '<a b="1" b="2"/>'],
      ['undeclared prefix', '<a><x:b/></a>'],
      [']]> in text', '<a>]]></a>'],
      ['two roots', '<a/><b/>'],
    ];
    for (const [name, doc] of malformed) it(`rejects ${name}`, () => expect(() => parseXml(doc)).to.throw(XmlSyntaxError));
    it('accepts character references and decodes them', () => {
      expect(parseXml('<a b="&#x22;&#x9;">&#x26;&#x3C;&amp;</a>').children).to.deep.equal(['&<&']);
    });
  });

  const rssCases: [string, string, RegExp][] = [
    ['&amp; instead of &#x26; in a title', rss(item('<title>Fish &amp; chips &lt;3</title>')), /&#x26;/],
    ['entity-looking title without &#x', rss(item('<title>AT&amp;amp;T</title>')), /entity-like/],
    ['HTML end tag in a title', rss(item('<title>&#x3C;b&#x3E;x&#x3C;/b&#x3E;</title>')), /ContainsHTML/],
    ['missing self link', rss(item('<title>x</title>'), ''), /MissingAtomSelfLink/],
    ['self link elsewhere', rss(item('<title>x</title>'), '<atom:link href="https://other/" rel="self" type="application/rss+xml"/>'), /SelfDoesntMatchLocation/],
    ['urn guid without isPermaLink="false"', rss(item('<guid>urn:uuid:00000000-0000-4000-8000-000000000001</guid>')), /InvalidPermalink/],
    ['ISO date in pubDate', rss(item('<title>x</title><pubDate>2024-05-01T00:00:00Z</pubDate>')), /RFC 822/],
    ['wrong day of week', rss(item('<title>x</title><pubDate>Mon, 01 May 2024 00:00:00 GMT</pubDate>')), /IncorrectDOW/],
    ['future date', rss(item('<title>x</title><pubDate>Wed, 01 Jan 2031 00:00:00 GMT</pubDate>')), /ImplausibleDate/],
    ['author without email', rss(item('<title>x</title><author>Jane</author>')), /email_with_name/],
    ['empty category', rss(item('<title>x</title><category> </category>')), /NotBlank/],
    ['item with neither title nor description', rss(item('<link>https://x.example/</link>')), /TitleOrDescription/],
    ['script in description', rss(item('<description>&#x3C;script&#x3E;x&#x3C;/script&#x3E;</description>')), /SecurityRisk/],
    ['relative image in description', rss(item('<description>&#x3C;img src="/a.png"&#x3E;</description>')), /ContainsRelRef/],
    ['onerror in description', rss(item('<description>&#x3C;img src="https://x/a.png" onerror="x"&#x3E;</description>')), /SecurityRiskAttr/],
    ['C1 control character', rss(item('<title>a\u0085b</title>')), /BadCharacters/],
    ['relative item link', rss(item('<title>x</title><link>/a</link>')), /rfc2396_full/],
    ['duplicate guid', rss(item('<title>a</title>') + item('<title>b</title>')), /DuplicateValue/],
    ['CDATA', rss(item('<title><![CDATA[x]]></title>')), /not well-formed/],
  ];
  for (const [name, doc, problem] of rssCases) {
    it(`RSS: reports ${name}`, () => expect(checkRss(doc, expected).join('\n')).to.match(problem));
  }
  it('RSS: the base document is clean', () => expect(checkRss(rss(item('<title>x</title>')), expected)).to.deep.equal([]));

  const atomCases: [string, string, RegExp][] = [
    ['category without term', atom(entry('<category label="x"/>')), /term/],
    ['two entries with the same updated', atom(entry('') + entry('', '00000000-0000-4000-8000-000000000002')), /DuplicateUpdated/],
    ['two entries with the same id', atom(entry('') + entry('').replace('00:00:00Z', '00:00:01Z')), /DuplicateEntries/],
    ['entry without title', atom(entry('').replace('<title>e</title>', '')), /missing <title>/],
    ['blank title', atom(entry('').replace('<title>e</title>', '<title> </title>')), /NotBlank/],
    ['RFC 822 date', atom(entry('<published>Wed, 01 May 2024 00:00:00 GMT</published>')), /RFC 3339/],
    ['feed metadata after an entry', atom(entry('') + '<subtitle>s</subtitle>'), /MisplacedMetadata/],
    ['email in author name', atom(entry('<author><name>Jane &#x3C;j@x.example&#x3E;</name></author>')), /ContainsEmail/],
    ['self link elsewhere', atom(entry('')).replace(`href="${SELF}"`, 'href="https://other/"'), /SelfDoesntMatchLocation/],
    ['prefixed Atom namespace', atom(entry('')).replace('<feed ', '<feed xmlns:atom="http://www.w3.org/2005/Atom" '), /AvoidNamespacePrefix/],
    ['no content, no summary, no link', atom(entry('').replace('<content type="html">x</content>', '')), /MissingContentOrAlternate/],
    ['non-canonical id', atom(entry('')).replace('<id>https://news.example/feed</id>', '<id>HTTPS://News.Example:443/feed</id>'), /NonCanonicalURI/],
  ];
  for (const [name, doc, problem] of atomCases) {
    it(`Atom: reports ${name}`, () => expect(checkAtom(doc, expected).join('\n')).to.match(problem));
  }
  it('Atom: the base document is clean', () => expect(checkAtom(atom(entry('')), expected)).to.deep.equal([]));

  const json = (items: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 't', home_page_url: 'https://news.example/', feed_url: SELF, items, ...extra });
  const jsonCases: [string, string, RegExp][] = [
    ['version 1', json([], { version: 'https://jsonfeed.org/version/1' }), /version/],
    ['author instead of authors', json([], { author: { name: 'a' } }), /authors/],
    ['numeric id', json([{ id: 1, content_text: '' }]), /id: required/],
    ['neither content_html nor content_text', json([{ id: 'a' }]), /content_html or content_text/],
    ['tags not strings', json([{ id: 'a', content_text: '', tags: [1] }]), /tags/],
    ['ISO date without zone', json([{ id: 'a', content_text: '', date_published: '2024-05-01T00:00:00' }]), /RFC 3339/],
    ['feed_url elsewhere', json([], { feed_url: 'https://other/' }), /served URL/],
    ['HTML in summary', json([{ id: 'a', content_text: '', summary: '<b>x</b>' }]), /plain text/],
  ];
  for (const [name, doc, problem] of jsonCases) {
    it(`JSON Feed: reports ${name}`, () => expect(checkJsonFeed(doc, expected).join('\n')).to.match(problem));
  }

  it('OPML: reports a missing outline, missing xmlUrl, and an HTML-looking title', () => {
    const problems = (body: string) =>
      checkOpml(`<opml version="2.0"><head><title>t</title></head><body>${body}</body></opml>`, NOW).join('\n');
    expect(problems('')).to.match(/needs an <outline>/);
    expect(problems('<outline type="rss" text="a" title="a"/>')).to.match(/MissingXmlURL/);
    expect(problems('<outline type="rss" text="Q&#x26;A" title="Q&#x26;A" xmlUrl="https://x/"/>')).to.match(/safeHtml/);
  });

  describe('the `feed` package (6.0.0) fails these rules on hostile items', () => {
    const build = () => {
      const feed = new Feed({
        title: 'warta',
        id: SELF,
        link: 'https://news.example/',
        updated: NOW,
        feedLinks: { rss: SELF, atom: SELF, json: SELF },
        copyright: '',
      });
      for (const it of hostileItems())
        feed.addItem({
          title: it.title,
          id: it.uid,
          link: it.link ?? 'https://news.example/',
          date: it.updated,
          description: it.content ?? undefined,
          category: it.tags.map((t) => ({ name: t, term: t })),
        });
      return feed;
    };
    it('rss2()', () => expect(checkRss(build().rss2(), expected)).not.to.deep.equal([]));
    it('atom1()', () => {
      let doc: string;
      try {
        doc = build().atom1();
      } catch (err) {
        return void expect(String(err)).to.match(/Invalid URL/); // it throws on urn ids (DEPENDENCIES.md)
      }
      expect(checkAtom(doc, expected)).not.to.deep.equal([]);
    });
    it('json1()', () => expect(checkJsonFeed(build().json1(), expected).join('\n')).to.match(/version/));
  });
});
