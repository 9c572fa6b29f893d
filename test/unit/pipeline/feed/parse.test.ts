import { expect } from 'chai';
import { WartaError } from '../../../../src/base/errors.js';
import { parseFeed } from '../../../../src/pipeline/feed/parse.js';
import { extractFeed } from '../../../../src/pipeline/feed/parse-extract.js';
import { repairXml } from '../../../../src/pipeline/feed/parse-repair.js';
import { parseWithRssParser } from '../../../../src/pipeline/feed/parse-rss-parser.js';
import { treeFromText } from '../../../../src/pipeline/feed/parse-tree.js';
import { ATOM_BLOG, JSON_FEED_10, JSON_FEED_11, RSS091, RSS1_RDF, RSS2_NEWS, XML_FIXTURES } from './fixtures.js';

describe('pipeline: parseFeed', () => {
  // [case, document, format, parser]
  const formats: [string, string, string, string][] = [
    ['RSS 2.0', RSS2_NEWS, 'rss2', 'rss-parser'],
    ['RSS without a version', '<rss><channel><title>t</title></channel></rss>', 'rss2', 'rss-parser'],
    ['RSS 0.91', RSS091, 'rss09', 'rss-parser'],
    ['RSS 1.0', RSS1_RDF, 'rss1', 'rss-parser'],
    [
      'RSS 0.90',
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Old</title><link>http://old.example/</link></channel><item><title>i</title><link>http://old.example/i</link></item></rdf:RDF>',
      'rss09',
      'rss-parser',
    ],
    ['Atom 1.0', ATOM_BLOG, 'atom10', 'htmlparser2'], // inline XHTML content: xml2js would lose its order
    ['Atom 0.3', '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old Atom</title><entry><title>e</title><issued>2004-01-01T00:00:00Z</issued></entry></feed>', 'atom03', 'rss-parser'],
    ['Atom with a prefix rss-parser does not know', '<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>P</a:title><a:entry><a:id>1</a:id></a:entry></a:feed>', 'atom10', 'htmlparser2'],
    ['RSS 1.0 without a channel (rss-parser throws TypeError)', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item><title>i</title></item></rdf:RDF>', 'rss1', 'htmlparser2'],
    ['JSON Feed 1.1', JSON_FEED_11, 'json11', 'json'],
    ['JSON Feed 1.0', JSON_FEED_10, 'json10', 'json'],
  ];
  for (const [name, doc, format, parser] of formats) {
    it(`${name}: ${format} by ${parser}`, () => {
      expect(parseFeed(doc, null)).to.include({ format, parser });
    });
  }

  it('keeps the order of markup written unescaped in a description (htmlparser2)', () => {
    const feed = parseFeed('<rss version="2.0"><channel><item><description>Hello <b>big</b> <i>wide</i> world</description></item></channel></rss>', null);
    expect(feed.parser).to.equal('htmlparser2');
    expect(feed.items[0]!.summary).to.deep.equal({ type: 'html', value: 'Hello <b>big</b> <i>wide</i> world' });
  });

  it('recovers a complete document that is not well-formed (an unclosed <b>)', () => {
    const feed = parseFeed('<rss version="2.0"><channel><item><title>T</title><description>a <b>b</description></item></channel></rss>', null);
    expect(feed).to.include({ parser: 'htmlparser2' });
    expect(feed.items[0]!.title).to.deep.equal({ type: 'html', value: 'T' });
  });

  it('reads RSS element names case-insensitively and namespaced RSS', () => {
    const feed = parseFeed('<rss xmlns="http://backend.userland.com/rss2"><channel><Title>T</Title><item><PubDate>Mon, 12 Aug 2024 10:00:00 GMT</PubDate></item></channel></rss>', null);
    expect(feed.title?.value).to.equal('T');
    expect(feed.items[0]!.published).to.equal('Mon, 12 Aug 2024 10:00:00 GMT');
  });

  it('reads authors: RSS e-mail with a name, dc:creator, Atom name or e-mail', () => {
    const rss = (inner: string) => parseFeed(`<rss version="2.0"><channel><item>${inner}</item></channel></rss>`, null).items[0]!.author;
    expect(rss('<author>jo@example.com (Jo Smith)</author>')).to.equal('Jo Smith');
    expect(rss('<author>jo@example.com</author>')).to.equal('jo@example.com');
    expect(rss('<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Budi</dc:creator>')).to.equal('Budi');
    const atom = parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><author><email>a@b.example</email></author></entry></feed>', null);
    expect(atom.items[0]!.author).to.equal('a@b.example');
  });

  it('gives both parsers the same reading of every well-formed fixture', () => {
    for (const [name, doc] of Object.entries(XML_FIXTURES)) {
      const xml = repairXml(doc);
      const root = treeFromText(xml).root!;
      const fromTree = extractFeed(root);
      let fromRssParser;
      try {
        fromRssParser = parseWithRssParser(xml);
      } catch (err) {
        if ((err as Error).name === 'OrderLost') continue; // inline markup: htmlparser2 alone reads it
        throw err;
      }
      const { parser: _parser, ...rest } = fromRssParser;
      expect(rest, name).to.deep.equal(fromTree);
    }
  });

  // [case, document, code]
  const errors: [string, string, string][] = [
    ['empty', '', 'not_a_feed'],
    ['an HTML page', '<!doctype html><html><body>Not here</body></html>', 'not_a_feed'],
    ['an OPML file', '<?xml version="1.0"?><opml version="2.0"><body><outline text="x"/></body></opml>', 'not_a_feed'],
    ['JSON without items', '{"version": "https://jsonfeed.org/version/1.1", "title": "x"}', 'not_a_feed'],
    ['broken JSON', '{"version": ', 'parse_error'],
    ['truncated RSS', '<rss version="2.0"><channel><title>t</title><item><title>a', 'parse_error'],
    ['truncated Atom', '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry>', 'parse_error'],
  ];
  for (const [name, doc, code] of errors) {
    it(`${name} → ${code}`, () => {
      expect(() => parseFeed(doc, null)).to.throw(WartaError).with.property('code', code);
    });
  }
});
