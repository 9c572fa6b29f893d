import { expect } from 'chai';
import { repairXml } from '../../../../src/pipeline/feed/parse-repair.js';

describe('pipeline: repairXml', () => {
  // [case, input, output]
  const cases: [string, string, string][] = [
    ['a bare ampersand', '<t>Q&A & more</t>', '<t>Q&amp;A &amp; more</t>'],
    ['an ampersand in a query string', '<link>https://x.example/?a=1&b=2</link>', '<link>https://x.example/?a=1&amp;b=2</link>'],
    ['an ampersand in an attribute', '<link href="/?a=1&b=2"/>', '<link href="/?a=1&amp;b=2"/>'],
    ['the five XML entities stay', '<t>&amp;&lt;&gt;&quot;&apos;</t>', '<t>&amp;&lt;&gt;&quot;&apos;</t>'],
    ['an HTML entity becomes a character reference', '<t>a&nbsp;b&eacute;</t>', '<t>a&#160;b&#233;</t>'],
    ['an unknown entity is shown as written', '<t>&bogus;</t>', '<t>&amp;bogus;</t>'],
    ['a legacy entity without ";" is text', '<t>&copy 2024</t>', '<t>&amp;copy 2024</t>'],
    ['character references stay', '<t>&#233;&#x1F600;</t>', '<t>&#233;&#x1F600;</t>'],
    ['references to forbidden characters go', '<t>a&#0;b&#x1;c&#xD800;d</t>', '<t>abcd</t>'],
    ['&#146; means what windows-1252 put there', '<t>don&#146;t</t>', '<t>don&#8217;t</t>'],
    ['CDATA is untouched', '<t><![CDATA[a & b &nbsp; <c>]]></t>', '<t><![CDATA[a & b &nbsp; <c>]]></t>'],
    ['comments are untouched', '<!-- a & b --><t/>', '<!-- a & b --><t/>'],
    ['a "<" that cannot start a tag', '<t>1 < 2 and 3 <4</t>', '<t>1 &lt; 2 and 3 &lt;4</t>'],
    ['junk before the prolog', '\n\n<b>Notice</b>: x\n<?xml version="1.0"?><rss/>', '<?xml version="1.0"?><rss/>'],
    ['a last ">" lost', '<rss><channel/></rss', '<rss><channel/></rss>'],
    ['a DOCTYPE with a public DTD is removed', '<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//N//D" "http://x/rss.dtd">\n<rss/>', '<?xml version="1.0"?>\n\n<rss/>'],
    ['an internal entity is expanded as text', '<!DOCTYPE r [<!ENTITY co "Acme &amp; <Co>">]><r>&co;</r>', '<r>Acme &amp; &lt;Co&gt;</r>'],
    ['nested internal entities', '<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;</r>', '<r>xx</r>'],
    ['an external entity expands to nothing', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>[&x;]</r>', '<r>[]</r>'],
    ['a recursive entity expands to nothing', '<!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]><r>[&a;]</r>', '<r>[]</r>'],
    ['"<!DOCTYPE" inside CDATA is not a DOCTYPE', '<r><![CDATA[ <!DOCTYPE ]]></r>', '<r><![CDATA[ <!DOCTYPE ]]></r>'],
  ];

  for (const [name, input, output] of cases) {
    it(name, () => expect(repairXml(input)).to.equal(output));
  }

  it('caps the expansion of entities that grow exponentially', () => {
    const decls = Array.from({ length: 30 }, (_, i) => `<!ENTITY e${i + 1} "&e${i};&e${i};">`).join('');
    const out = repairXml(`<!DOCTYPE r [<!ENTITY e0 "ha">${decls}]><r>&e30;|&e10;</r>`);
    expect(out).to.equal(`<r>|${'ha'.repeat(1024)}</r>`);
  });

  it('caps the total of many small expansions', () => {
    const refs = '&big;'.repeat(100);
    const out = repairXml(`<!DOCTYPE r [<!ENTITY big "${'x'.repeat(60_000)}">]><r>${refs}</r>`);
    expect(out.length).to.be.below(2 * 1024 * 1024);
  });
});
