import { expect } from 'chai';
import type { StoredItem } from '../../../src/base/model.js';
import { FEED_CONTENT_TYPES, type FeedFormat, type FeedMeta, renderFeed } from '../../../src/publish/index.js';
import { checkAtom, checkJsonFeed, checkRss } from './feed-rules.js';
import { META, NOW, SOURCES, hostileItems, storedItem } from './fixtures.js';
import { child, childrenNamed, parseXml, textOf } from './strict-xml.js';

const CHECKERS: Record<FeedFormat, (src: string, e: { selfUrl: string; now: Date }) => string[]> = {
  rss: checkRss,
  atom: checkAtom,
  json: checkJsonFeed,
};
const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

const check = (format: FeedFormat, doc: string, meta: FeedMeta = META) =>
  CHECKERS[format](doc, { selfUrl: meta.selfUrls[format], now: NOW });

const scenarios: [name: string, items: () => StoredItem[], meta?: FeedMeta][] = [
  ['ordinary items', () => [storedItem(), storedItem(), storedItem()]],
  ['hostile items', hostileItems],
  ['no items', () => []],
  [
    'minimal meta (blank title and description, no language)',
    () => [storedItem()],
    { ...META, title: ' \u0001 ', description: '', language: undefined },
  ],
  ['an invalid language is left out', () => [storedItem()], { ...META, language: 'english (US)' }],
];

describe('publish/renderFeed', () => {
  for (const format of FORMATS) {
    describe(format, () => {
      for (const [name, items, meta = META] of scenarios) {
        it(`${name}: passes the validator rules`, () => {
          const doc = renderFeed(format, meta, items(), SOURCES);
          expect(check(format, doc, meta)).to.deep.equal([]);
        });
      }

      it('is deterministic: same input, same bytes; tag order and Map order do not matter', () => {
        const items = hostileItems();
        const a = renderFeed(format, META, items, SOURCES);
        const b = renderFeed(format, META, items, SOURCES);
        const shuffled = items.map((i) => ({ ...i, tags: [...i.tags].reverse() }));
        const c = renderFeed(format, META, shuffled, new Map([...SOURCES].reverse()));
        expect(b).to.equal(a);
        expect(c).to.equal(a);
      });

      it('drops a repeated uid (the first occurrence wins)', () => {
        const first = storedItem({ title: 'First' });
        const doc = renderFeed(format, META, [first, { ...first, title: 'Second' }], SOURCES);
        expect(doc).to.include('First');
        expect(doc).not.to.include('Second');
        expect(check(format, doc)).to.deep.equal([]);
      });

      it('never writes CDATA, script, or javascript: URLs', () => {
        const doc = renderFeed(format, META, hostileItems(), SOURCES);
        expect(doc).not.to.include('<![CDATA[');
        expect(doc.toLowerCase()).not.to.match(/<script|javascript:|vbscript:|onerror|onclick/);
      });
    });
  }

  it('known limit: a title holding a literal HTML end tag draws ContainsHTML, and nothing else', () => {
    const items = [storedItem({ title: 'Why </div> still matters' })];
    for (const format of ['rss', 'atom'] as const) {
      const problems = check(format, renderFeed(format, META, items, SOURCES));
      expect(problems).to.have.length.greaterThan(0);
      expect(problems.every((p) => p.includes('ContainsHTML'))).to.equal(true);
    }
  });

  it('content types', () => {
    expect(FEED_CONTENT_TYPES).to.deep.equal({
      rss: 'application/rss+xml; charset=utf-8',
      atom: 'application/atom+xml; charset=utf-8',
      json: 'application/feed+json; charset=utf-8',
    });
  });

  describe('rss', () => {
    const doc = () => renderFeed('rss', META, hostileItems(), SOURCES);
    const items = () => childrenNamed(child(parseXml(doc()), 'channel')!, 'item');

    it('writes & and < in plain text as &#x26; and &#x3C;', () => {
      const line = doc().split('\n').find((l) => l.includes('<title>Fish'))!;
      expect(line).to.equal(
        '      <title>Fish &#x26; chips &#x3C;3 ]]&#x3E; "quoted" \'single\' 😀 ünïcödé end</title>',
      );
    });
    it('self link equals selfUrls.rss', () => {
      const link = childrenNamed(child(parseXml(doc()), 'channel')!, 'atom:link')[0]!;
      expect(link.attrs).to.deep.equal({ href: META.selfUrls.rss, rel: 'self', type: 'application/rss+xml' });
    });
    it('guid is the uid with isPermaLink="false"', () => {
      const guid = child(items()[0]!, 'guid')!;
      expect(guid.attrs).to.deep.equal({ isPermaLink: 'false' });
      expect(textOf(guid)).to.match(/^urn:uuid:/);
    });
    it('tags become categories: cleaned, de-duplicated, sorted', () => {
      expect(childrenNamed(items()[0]!, 'category').map(textOf)).to.deep.equal([
        '"quoted"',
        '<tag>',
        'a&b',
        'ai',
        'café',
        'tab here',
      ]);
    });
    it('an untitled item with a description has no <title>; one with nothing has a stand-in', () => {
      const [, summaryOnly, empty] = items();
      expect(child(summaryOnly!, 'title')).to.equal(undefined);
      expect(textOf(child(summaryOnly!, 'description'))).to.equal('<p>Only a summary, no title.</p>');
      expect(textOf(child(empty!, 'title'))).to.equal('Untitled');
    });
    it('summary goes in description, content in content:encoded', () => {
      const both = items()[3]!;
      expect(textOf(child(both, 'description'))).to.equal('<p>Short.</p>');
      expect(textOf(child(both, 'content:encoded'))).to.equal('<p>Long <em>body</em>.</p>');
    });
    it('author as dc:creator without email; source title as fallback; <source> with the feed URL', () => {
      const [first, , empty, , , , , , , , , fallback, emailForm] = items();
      expect(textOf(child(first!, 'dc:creator'))).to.equal('Jane Doe');
      expect(textOf(child(emailForm!, 'dc:creator'))).to.equal('Jane Q. Doe');
      expect(textOf(child(fallback!, 'dc:creator'))).to.equal('Example Blog & Co');
      expect(child(empty!, 'dc:creator')).to.equal(undefined);
      expect(child(first!, 'source')!.attrs).to.deep.equal({ url: 'https://blog.example/feed.xml' });
      expect(child(empty!, 'source')).to.equal(undefined);
    });
    it('dates: RFC 822; implausible dates (future, before 1990) become the first-seen time', () => {
      const input = hostileItems();
      const all = childrenNamed(child(parseXml(renderFeed('rss', META, input, SOURCES)), 'channel')!, 'item');
      expect(textOf(child(all[0]!, 'pubDate'))).to.equal(input[0]!.published.toUTCString());
      for (const title of ['Future date', 'Epoch date']) {
        const i = all.findIndex((el) => textOf(child(el, 'title')) === title);
        expect(textOf(child(all[i]!, 'pubDate'))).to.equal(input[i]!.firstSeen.toUTCString());
      }
    });
    it('IRI links are percent-encoded', () => {
      const iri = items().find((i) => textOf(child(i, 'title')) === 'IRI link')!;
      expect(textOf(child(iri, 'link'))).to.equal('https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9/%C3%BC?q=a%20b%7Cc%5Ed');
    });
  });

  describe('atom', () => {
    const feed = () => parseXml(renderFeed('atom', META, hostileItems(), SOURCES));
    const entries = () => childrenNamed(feed(), 'entry');

    it('self link equals selfUrls.atom; feed id, author, xml:lang', () => {
      const f = feed();
      expect(childrenNamed(f, 'link').find((l) => l.attrs.rel === 'self')!.attrs.href).to.equal(META.selfUrls.atom);
      expect(textOf(child(f, 'id'))).to.equal(META.id);
      expect(f.attrs['xml:lang']).to.equal('en');
      expect(textOf(child(child(f, 'author')!, 'name'))).to.equal('warta: AI & <ML>');
    });
    it('category has term, with hostile characters intact', () => {
      expect(childrenNamed(entries()[0]!, 'category').map((c) => c.attrs.term)).to.deep.equal([
        '"quoted"',
        '<tag>',
        'a&b',
        'ai',
        'café',
        'tab here',
      ]);
    });
    it('entry id is the uid, unchanged', () => {
      expect(entries().map((e) => textOf(child(e, 'id')))).to.satisfy((ids: string[]) =>
        ids.every((id) => /^urn:uuid:0{8}-0{4}-4000-8000-\d{12}$/.test(id)),
      );
    });
    it('untitled entries get a stand-in title; an entry with no text gets its title as text content', () => {
      const [, summaryOnly, empty] = entries();
      expect(textOf(child(summaryOnly!, 'title'))).to.equal('Only a summary, no title.');
      expect(textOf(child(empty!, 'title'))).to.equal('Untitled');
      expect(child(empty!, 'content')!.attrs.type).to.equal('text');
      expect(textOf(child(empty!, 'content'))).to.equal('Untitled');
    });
    it('entries sharing an instant get distinct <updated>, 1 ms apart, published ≤ updated', () => {
      const tied = entries().filter((e) => textOf(child(e, 'title')).startsWith('Tied'));
      expect(tied.map((e) => textOf(child(e, 'updated')))).to.deep.equal([
        '2024-05-20T08:00:00Z',
        '2024-05-20T07:59:59.999Z',
        '2024-05-20T07:59:59.998Z',
      ]);
      for (const e of tied) expect(textOf(child(e, 'published')) <= textOf(child(e, 'updated'))).to.equal(true);
    });
    it('summary and content are both html', () => {
      const both = entries()[3]!;
      expect(child(both, 'summary')!.attrs.type).to.equal('html');
      expect(textOf(child(both, 'summary'))).to.equal('<p>Short.</p>');
      expect(textOf(child(both, 'content'))).to.equal('<p>Long <em>body</em>.</p>');
    });
    it('author name without the email address; fallback to the source with its site', () => {
      const all = entries();
      expect(textOf(child(child(all[0]!, 'author')!, 'name'))).to.equal('Jane Doe');
      const fallback = all.find((e) => textOf(child(e, 'title')) === 'Author fallback')!;
      expect(textOf(child(child(fallback, 'author')!, 'uri'))).to.equal('https://blog.example/');
    });
  });

  describe('json', () => {
    const doc = () => JSON.parse(renderFeed('json', META, hostileItems(), SOURCES)) as Record<string, any>;

    it('has the JSON Feed 1.1 top level', () => {
      const d = doc();
      expect(Object.keys(d)).to.deep.equal([
        'version',
        'title',
        'home_page_url',
        'feed_url',
        'description',
        'authors',
        'language',
        'items',
      ]);
      expect(d.version).to.equal('https://jsonfeed.org/version/1.1');
      expect(d.feed_url).to.equal(META.selfUrls.json);
      expect(d.home_page_url).to.equal(META.homeUrl);
      expect(d.language).to.equal('en');
    });
    it('items carry id, url, title, content_html, dates, authors, tags; hostile text intact', () => {
      const input = hostileItems();
      const first = JSON.parse(renderFeed('json', META, input, SOURCES)).items[0];
      expect(first.id).to.equal(input[0]!.uid);
      expect(first.url).to.equal(input[0]!.link);
      expect(first.date_published).to.equal(input[0]!.published.toISOString().replace('.000Z', 'Z'));
      expect(first.title).to.equal('Fish & chips <3 ]]> "quoted" \'single\' 😀 ünïcödé end');
      expect(first.tags).to.deep.equal(['"quoted"', '<tag>', 'a&b', 'ai', 'café', 'tab here']);
      expect(first.authors).to.deep.equal([{ name: 'Jane Doe' }]);
      expect(first).not.to.have.property('author');
    });
    it('untitled items have no title; an item with no text has content_text ""', () => {
      const [, summaryOnly, empty] = doc().items;
      expect(summaryOnly).not.to.have.property('title');
      expect(summaryOnly.content_html).to.equal('<p>Only a summary, no title.</p>');
      expect(empty.content_text).to.equal('');
      expect(empty).not.to.have.property('content_html');
    });
    it('summary is plain text when there is also content', () => {
      expect(doc().items[3].summary).to.equal('Short.');
    });
  });
});
