import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/config/load.js';
import { WartaError } from '../../../src/base/errors.js';
import { addSourcesToConfig, exportSourcesOpml, parseSourcesOpml, type OpmlSource } from '../../../src/publish/opml-sources.js';
import { checkOpml } from './feed-rules.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const none = new Set<string>();

const opml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n<head><title>Subscriptions</title></head>\n<body>\n${body}\n</body>\n</opml>\n`;

describe('opml-sources: exportSourcesOpml → parseSourcesOpml', () => {
  const sources: OpmlSource[] = [
    { id: 'antara-dunia', url: 'https://www.antaranews.com/rss/dunia.xml', title: 'ANTARA — Dunia' },
    { id: 'rust-and-go', url: 'https://news.example/feed?a=1&b=2&amp=3', title: 'Rust & Go <script>alert("x")</script> \'q\'' },
    { id: 'untitled', url: 'http://blog.example:8080/atom.xml', title: null },
    { id: 'x', url: 'https://example.org/ünïcode/feed', title: 'Ĉu "citaĵo"?\tTab' },
  ];

  it('round-trips: importing the export yields the same sources', () => {
    const back = parseSourcesOpml(exportSourcesOpml(sources, NOW), none);
    expect(back.problems).to.deep.equal([]);
    expect(back.sources).to.deep.equal(sources.map((s) => (s.id === 'x' ? { ...s, title: 'Ĉu "citaĵo"? Tab' } : s)));
  });

  it('escapes titles and URLs, so no markup or bare ampersand reaches the document', () => {
    const doc = exportSourcesOpml(sources, NOW);
    expect(doc).not.to.include('<script');
    expect(doc).to.include('xmlUrl="https://news.example/feed?a=1&#x26;b=2&#x26;amp=3"');
    expect(doc).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<opml version="2.0"/);
  });

  it('passes the OPML validator rules for plain titles, with htmlUrl when known', () => {
    const doc = exportSourcesOpml([{ ...sources[0]!, siteUrl: 'https://www.antaranews.com/' }, sources[2]!], NOW);
    expect(checkOpml(doc, NOW)).to.deep.equal([]);
    expect(doc).to.include('htmlUrl="https://www.antaranews.com/"');
    expect(doc).to.include('<dateCreated>Sat, 01 Jun 2024 12:00:00 GMT</dateCreated>');
  });

  it('with no sources still writes a valid body', () => {
    const doc = exportSourcesOpml([], NOW);
    expect(checkOpml(doc, NOW)).to.deep.equal([]);
    expect(parseSourcesOpml(doc, none).sources).to.deep.equal([]);
  });
});

describe('opml-sources: parseSourcesOpml on real-world shapes', () => {
  it('reads outlines nested in folders at any depth, in document order', () => {
    const r = parseSourcesOpml(
      opml(`
  <outline text="News" title="News">
    <outline type="rss" text="Tempo — Dunia" title="Tempo — Dunia" xmlUrl="https://rss.tempo.co/dunia" htmlUrl="https://www.tempo.co/"/>
    <outline text="Regional">
      <outline type="rss" text="Kompas" xmlUrl="https://www.kompas.com/rss"/>
    </outline>
  </outline>
  <outline type="rss" text="Top level" xmlUrl="https://top.example/feed"/>`),
      none,
    );
    expect(r.problems).to.deep.equal([]);
    expect(r.sources).to.deep.equal([
      { id: 'tempo-dunia', url: 'https://rss.tempo.co/dunia', title: 'Tempo — Dunia' },
      { id: 'kompas', url: 'https://www.kompas.com/rss', title: 'Kompas' },
      { id: 'top-level', url: 'https://top.example/feed', title: 'Top level' },
    ]);
  });

  const cases: { name: string; outline: string; expected: OpmlSource }[] = [
    { name: 'type="rss" missing', outline: '<outline text="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>', expected: { id: 'hacker-news', url: 'https://news.ycombinator.com/rss', title: 'Hacker News' } },
    { name: 'lower-case xmlurl', outline: '<outline type="rss" text="Lower" xmlurl="https://lower.example/rss"/>', expected: { id: 'lower', url: 'https://lower.example/rss', title: 'Lower' } },
    { name: 'upper-case attributes', outline: '<OUTLINE TYPE="RSS" TEXT="Upper" XMLURL="https://upper.example/rss"/>', expected: { id: 'upper', url: 'https://upper.example/rss', title: 'Upper' } },
    { name: 'XML entities in the title', outline: '<outline text="Q&amp;A &#x2014; &lt;Tech&gt; &quot;x&quot;" xmlUrl="https://qa.example/rss?a=1&amp;b=2"/>', expected: { id: 'q-a-tech-x', url: 'https://qa.example/rss?a=1&b=2', title: 'Q&A — <Tech> "x"' } },
    { name: 'a double-escaped title', outline: '<outline text="AT&amp;amp;T &amp;eacute;t&amp;eacute;" xmlUrl="https://att.example/rss"/>', expected: { id: 'at-t-ete', url: 'https://att.example/rss', title: 'AT&T été' } },
    { name: 'an HTML-only entity XML leaves alone', outline: '<outline text="Caf&eacute;" xmlUrl="https://cafe.example/rss"/>', expected: { id: 'cafe', url: 'https://cafe.example/rss', title: 'Café' } },
    { name: 'title preferred to text', outline: '<outline text="short" title="The Long Title" xmlUrl="https://t.example/rss"/>', expected: { id: 'the-long-title', url: 'https://t.example/rss', title: 'The Long Title' } },
    { name: 'no title: id from the host', outline: '<outline xmlUrl="https://www.antaranews.com/rss/dunia.xml"/>', expected: { id: 'antaranews-com', url: 'https://www.antaranews.com/rss/dunia.xml', title: null } },
    { name: 'text equal to the URL is no title', outline: '<outline text="https://u.example/rss" xmlUrl="https://u.example/rss"/>', expected: { id: 'u-example', url: 'https://u.example/rss', title: null } },
    { name: 'a title in a script slugify drops', outline: '<outline text="Новости" xmlUrl="https://ria.example/export/rss2/index.xml"/>', expected: { id: 'ria-example', url: 'https://ria.example/export/rss2/index.xml', title: 'Новости' } },
    { name: 'feed:// scheme', outline: '<outline text="Old" xmlUrl="feed://old.example/rss"/>', expected: { id: 'old', url: 'http://old.example/rss', title: 'Old' } },
    { name: 'whitespace around the URL and in the title', outline: '<outline text="  Two\n   lines " xmlUrl="  https://ws.example/rss  "/>', expected: { id: 'two-lines', url: 'https://ws.example/rss', title: 'Two lines' } },
    { name: 'a very long title is cut at a word', outline: `<outline text="${'Berita terkini dari seluruh penjuru dunia setiap hari'.repeat(2)}" xmlUrl="https://long.example/rss"/>`, expected: { id: 'berita-terkini-dari-seluruh-penjuru-dunia', url: 'https://long.example/rss', title: 'Berita terkini dari seluruh penjuru dunia setiap hari'.repeat(2) } },
  ];
  for (const c of cases) {
    it(`reads ${c.name}`, () => {
      const r = parseSourcesOpml(opml(c.outline), none);
      expect(r.problems).to.deep.equal([]);
      expect(r.sources).to.deep.equal([c.expected]);
    });
  }

  it('keeps the first of duplicate URLs (as the same URL spelled differently) and reports the others', () => {
    const r = parseSourcesOpml(
      opml(`
  <outline text="A" xmlUrl="https://dup.example/rss"/>
  <outline text="Folder"><outline text="A again" xmlUrl="HTTPS://DUP.example:443/rss"/></outline>`),
      none,
    );
    expect(r.sources.map((s) => s.id)).to.deep.equal(['a']);
    expect(r.problems).to.have.length(1);
    expect(r.problems[0]).to.match(/^line 7: "A again": HTTPS:\/\/DUP\.example:443\/rss is already listed \(as "a"\), skipped$/);
  });

  it('reports unusable URLs with their line and goes on', () => {
    const r = parseSourcesOpml(
      opml(`<outline text="JS" xmlUrl="javascript:alert(1)"/>
<outline text="FTP" xmlUrl="ftp://files.example/feed"/>
<outline text="Empty" xmlUrl=""/>
<outline text="Relative" xmlUrl="/feed.xml"/>
<outline text="Good" xmlUrl="https://good.example/rss"/>`),
      none,
    );
    expect(r.sources.map((s) => s.id)).to.deep.equal(['good']);
    expect(r.problems).to.deep.equal([
      'line 5: "JS": "javascript:alert(1)" is not an http:// or https:// URL, skipped',
      'line 6: "FTP": "ftp://files.example/feed" is not an http:// or https:// URL, skipped',
      'line 7: "Empty": empty xmlUrl, skipped',
      'line 8: "Relative": "/feed.xml" is not an http:// or https:// URL, skipped',
    ]);
  });

  it('makes ids unique against the taken ones and each other', () => {
    const r = parseSourcesOpml(
      opml(`<outline text="Tempo" xmlUrl="https://a.example/rss"/>
<outline text="Tempo" xmlUrl="https://b.example/rss"/>
<outline text="Tempo" xmlUrl="https://c.example/rss"/>`),
      new Set(['tempo', 'tempo-3']),
    );
    expect(r.sources.map((s) => s.id)).to.deep.equal(['tempo-2', 'tempo-4', 'tempo-5']);
    for (const s of r.sources) expect(s.id).to.match(/^[a-z0-9-]+$/);
  });

  it('keeps a warta:id unless it is taken or malformed', () => {
    const doc = `<opml version="2.0" xmlns:warta="urn:warta:opml"><body>
<outline text="One" xmlUrl="https://1.example/rss" warta:id="mine"/>
<outline text="Two" xmlUrl="https://2.example/rss" warta:id="taken"/>
<outline text="Three" xmlUrl="https://3.example/rss" warta:id="Bad Id"/></body></opml>`;
    expect(parseSourcesOpml(doc, new Set(['taken'])).sources.map((s) => s.id)).to.deep.equal(['mine', 'two', 'three']);
  });

  it('tolerates what a forgiving reader would (unescaped ampersand, no XML declaration)', () => {
    const r = parseSourcesOpml('<opml version="1.0"><body><outline text="Tom & Jerry" xmlUrl="https://tj.example/rss?a=1&b=2"/></body></opml>', none);
    expect(r.sources).to.deep.equal([{ id: 'tom-jerry', url: 'https://tj.example/rss?a=1&b=2', title: 'Tom & Jerry' }]);
  });

  it('says so when the file is not OPML or lists no feeds', () => {
    expect(parseSourcesOpml('<rss version="2.0"><channel/></rss>', none)).to.deep.equal({ sources: [], problems: ['not an OPML document: no <opml> element found'] });
    expect(parseSourcesOpml('', none).problems).to.deep.equal(['not an OPML document: no <opml> element found']);
    expect(parseSourcesOpml(opml('<outline text="Folder"/>'), none).problems).to.deep.equal(['the OPML file lists no feeds (no outline has an xmlUrl)']);
  });
});

describe('opml-sources: addSourcesToConfig', () => {
  const shipped = readFileSync(new URL('../../../config/warta.yaml', import.meta.url), 'utf8');
  const fresh: OpmlSource[] = [
    { id: 'kompas-global', url: 'https://www.kompas.com/global/rss', title: 'Kompas — Global' },
    { id: 'no-title', url: 'https://nt.example/feed?a=1&b=2', title: null },
  ];
  const ids = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfig(text, 'warta.yaml', env).sources.map((s) => s.id);

  it('appends to the shipped config, leaving every other byte as it was', () => {
    const r = addSourcesToConfig(shipped, fresh);
    expect(r.added).to.deep.equal(fresh);
    expect(r.skipped).to.deep.equal([]);
    expect(ids(r.text)).to.deep.equal(['antara-dunia', 'cnn-indonesia-internasional', 'tempo-dunia', 'kompas-global', 'no-title']);
    const inserted = '  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\n';
    const at = shipped.indexOf('    url: "https://rss.tempo.co/dunia"\n') + '    url: "https://rss.tempo.co/dunia"\n'.length;
    expect(r.text).to.equal(shipped.slice(0, at) + inserted + shipped.slice(at));
    expect(r.text).to.include('# International sections of major Indonesian news outlets.\n');
    expect(r.text).to.include('  listen: "127.0.0.1:8080"            # host:port;');
    const config = parseConfig(r.text, 'warta.yaml');
    expect(config.sources.find((s) => s.id === 'kompas-global')).to.include({ title: 'Kompas — Global', url: 'https://www.kompas.com/global/rss' });
    expect(config.sources.find((s) => s.id === 'no-title')).to.include({ title: null, url: 'https://nt.example/feed?a=1&b=2' });
  });

  it('skips URLs already present (however spelled), ids in use and repeats in the input', () => {
    const r = addSourcesToConfig(shipped, [
      { id: 'antara-2', url: 'HTTPS://WWW.ANTARANEWS.COM/rss/dunia.xml', title: 'ANTARA' },
      { id: 'tempo-dunia', url: 'https://other.example/rss', title: 'Other' },
      { id: 'bad id', url: 'https://bad.example/rss', title: null },
      fresh[0]!,
      { ...fresh[0]!, id: 'kompas-again' },
    ]);
    expect(r.added).to.deep.equal([fresh[0]]);
    expect(r.skipped.map((s) => s.reason)).to.deep.equal([
      'already in the config as source "antara-dunia"',
      'id "tempo-dunia" is already used',
      'id "bad id" is not [a-z0-9-]+',
      'already in the config as source "kompas-global"',
    ]);
    expect(ids(r.text)).to.deep.equal(['antara-dunia', 'cnn-indonesia-internasional', 'tempo-dunia', 'kompas-global']);
  });

  it('returns the text unchanged when nothing is added', () => {
    const r = addSourcesToConfig(shipped, []);
    expect(r.text).to.equal(shipped);
  });

  const shapes: { name: string; text: string; expected: string }[] = [
    { name: 'an empty flow list', text: '# mine\nsources: []   # none yet\ntags: []\n', expected: '# mine\nsources:   # none yet\n  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\ntags: []\n' },
    { name: 'a key with no value', text: 'sources:\n# later\ntags: []\n', expected: 'sources:\n  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\n# later\ntags: []\n' },
    { name: 'an explicit null', text: 'sources: ~  # none\n', expected: 'sources:  # none\n  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\n' },
    { name: 'a key with no value but a comment', text: 'sources:   # none\n\ntags: []\n', expected: 'sources:   # none\n  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\n\ntags: []\n' },
    { name: 'no sources key', text: 'log:\n  level: debug  # noisy', expected: 'log:\n  level: debug  # noisy\nsources:\n  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\n' },
    { name: 'an empty file', text: '', expected: 'sources:\n  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\n' },
    { name: 'items at the key\'s column, no final newline', text: 'sources:\n- id: a\n  url: https://a.example/rss # first', expected: 'sources:\n- id: a\n  url: https://a.example/rss # first\n- id: kompas-global\n  title: "Kompas — Global"\n  url: "https://www.kompas.com/global/rss"\n- id: no-title\n  url: "https://nt.example/feed?a=1&b=2"\n' },
    { name: 'CRLF line ends', text: 'sources:\r\n  - id: a\r\n    url: https://a.example/rss\r\ntags: []\r\n', expected: 'sources:\r\n  - id: a\r\n    url: https://a.example/rss\r\n  - id: kompas-global\r\n    title: "Kompas — Global"\r\n    url: "https://www.kompas.com/global/rss"\r\n  - id: no-title\r\n    url: "https://nt.example/feed?a=1&b=2"\r\ntags: []\r\n' },
    { name: 'a last item ending in a block scalar', text: 'sources:\n  - id: a\n    url: >-\n      https://a.example/rss\n\n# tags next\ntags: []\n', expected: 'sources:\n  - id: a\n    url: >-\n      https://a.example/rss\n  - id: kompas-global\n    title: "Kompas — Global"\n    url: "https://www.kompas.com/global/rss"\n  - id: no-title\n    url: "https://nt.example/feed?a=1&b=2"\n\n# tags next\ntags: []\n' },
  ];
  for (const s of shapes) {
    it(`adds to ${s.name}`, () => {
      const r = addSourcesToConfig(s.text, fresh);
      expect(r.text).to.equal(s.expected);
      expect(ids(r.text).slice(-2)).to.deep.equal(['kompas-global', 'no-title']);
    });
  }

  it('adds to a flow list with items by re-serializing, comments kept', () => {
    const r = addSourcesToConfig('# top comment\nsources: [{ id: a, url: "https://a.example/rss" }]\n', fresh);
    expect(r.text).to.include('# top comment');
    expect(ids(r.text)).to.deep.equal(['a', 'kompas-global', 'no-title']);
  });

  it('writes hostile titles so that they read back exactly, ${…} included', () => {
    const title = 'He said "hi" # not a comment: ${HOME} $${X} \\ \'q\' — 😀';
    const r = addSourcesToConfig('sources: []\n', [{ id: 'h', url: 'https://h.example/rss?x=${Y}', title }]);
    const config = parseConfig(r.text, 'warta.yaml', { HOME: '/root', X: 'x', Y: 'y' });
    expect(config.sources[0]).to.include({ id: 'h', title, url: 'https://h.example/rss?x=${Y}' });
  });

  it('refuses a config that does not parse or whose sources is not a list', () => {
    expect(() => addSourcesToConfig('sources: [\n', fresh)).to.throw(WartaError, /does not parse as YAML/);
    expect(() => addSourcesToConfig('sources: {a: 1}\n', fresh)).to.throw(WartaError, /"sources" is not a list/);
    expect(() => addSourcesToConfig('- a\n- b\n', fresh)).to.throw(WartaError, /not a mapping/);
  });
});
