import { expect } from 'chai';
import { joinItems, splitItems } from '../../../../src/pipeline/feed/split.js';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel a="x>y"><title>T</title>
<!-- <item>not one</item> -->
<item><title>A</title><description><![CDATA[<item>inside</item></channel>]]></description></item>
<item><title>B &amp; a &lt; b</title><x:item xmlns:x="urn:x"/></item><item/>
<lastBuildDate>now</lastBuildDate></channel></rss>
`;

describe('splitItems: a feed cut into its raw item elements without parsing them', () => {
  it('finds the items of RSS 2.0 in the channel, stepping over comments, CDATA and quoted ">"', () => {
    const doc = splitItems(RSS)!;
    expect(doc.items).to.deep.equal([
      '<item><title>A</title><description><![CDATA[<item>inside</item></channel>]]></description></item>',
      '<item><title>B &amp; a &lt; b</title><x:item xmlns:x="urn:x"/></item>',
      '<item/>',
    ]);
    expect(doc.context).to.include('<rss version="2.0" xmlns:dc=').and.include('<channel a="x>y">');
    expect(joinItems(doc, () => true)).to.equal(RSS);
    expect(joinItems(doc, (i) => i === 1)).to.equal(RSS.replace(doc.items[0]!, '').replace('<item/>', ''));
  });

  it('finds Atom entries and RSS 1.0 items under the root', () => {
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a/"><title>T</title><entry><id>1</id></entry><entry><id>2</id></entry></feed>';
    expect(splitItems(atom)!.items).to.deep.equal(['<entry><id>1</id></entry>', '<entry><id>2</id></entry>']);
    expect(splitItems(atom)!.context).to.include('xml:base="http://a/"');
    const rdf = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><items><rdf:Seq><rdf:li resource="x"/></rdf:Seq></items></channel><item about="x"><title>A</title></item></rdf:RDF>';
    expect(splitItems(rdf)!.items).to.deep.equal(['<item about="x"><title>A</title></item>']);
  });

  it('steps over processing instructions, comments and a stray "<" wherever they stand', () => {
    const cases: [string, string[]][] = [
      ['<rss><channel><?php echo 1 ?><item><?pi <item/> ?></item></channel></rss>', ['<item><?pi <item/> ?></item>']],
      ['<rss><channel><item><!-- </item> --><title>a < b</title></item><!----></channel></rss>', ['<item><!-- </item> --><title>a < b</title></item>']],
      ['<rss><channel><item/><item a="/>"/></channel></rss>', ['<item/>', '<item a="/>"/>']],
      ['<rss><channel><item></item ></channel></rss><!-- after --><?pi?>', ['<item></item >']],
    ];
    for (const [text, items] of cases) {
      const doc = splitItems(text);
      expect(doc?.items, text).to.deep.equal(items);
      expect(joinItems(doc!, () => true)).to.equal(text);
    }
  });

  it('gives up (null) where it is not sure: DOCTYPE, truncation, misnested tags, items in two places, not a feed', () => {
    const cases = [
      '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss><channel><item>&a;</item></channel></rss>',
      '<rss><channel><item><title>A</title></item>',
      '<rss><channel><item><title>A</item></title></channel></rss>',
      '<rdf:RDF><channel><item/></channel><item/></rdf:RDF>',
      '<html><body><item/></body></html>',
      '<rss><channel><item/></channel></rss><rss/>',
      '<rss><channel/><channel/></rss>',
    ];
    for (const c of cases) expect(splitItems(c), c).to.equal(null);
  });
});
