/**
 * Items for the publishing tests: ordinary ones and hostile ones, as the store would hand them over.
 */
import type { StoredItem } from '../../../src/base/model.js';
import type { FeedMeta, SourceInfo } from '../../../src/publish/index.js';

export const NOW = new Date('2024-06-01T12:00:00Z');

export const META: FeedMeta = {
  title: 'warta: AI & <ML>',
  description: 'Items tagged "ai" — café ☕',
  homeUrl: 'https://news.example/',
  selfUrls: {
    rss: 'https://news.example/feeds/ai.rss',
    atom: 'https://news.example/feeds/ai.atom',
    json: 'https://news.example/feeds/ai.json',
  },
  id: 'https://news.example/feeds/ai.atom',
  updated: NOW,
  language: 'en',
};

export const SOURCES = new Map<string, SourceInfo>([
  ['blog', { id: 'blog', title: 'Example Blog & Co', siteUrl: 'https://blog.example/', feedUrl: 'https://blog.example/feed.xml' }],
  ['bare', { id: 'bare', title: null, siteUrl: null }],
]);

let counter = 0;
/** A stored item with sensible defaults; `n` picks a distinct uid and time. */
export function storedItem(over: Partial<StoredItem> = {}): StoredItem {
  counter += 1;
  const n = counter;
  const at = new Date(Date.UTC(2024, 4, 1, 10, n));
  return {
    id: n,
    uid: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    sourceId: 'blog',
    guid: `g${n}`,
    link: `https://blog.example/posts/${n}`,
    title: `Post ${n}`,
    summary: null,
    content: `<p>Body of post ${n}.</p>`,
    author: 'Jane Doe',
    categories: [],
    published: at,
    updated: at,
    firstSeen: at,
    tags: ['ai'],
    ...over,
  };
}

/** Hostile content: everything the brief lists, plus lookalikes found in real feeds. */
export const HOSTILE_HTML = [
  '<p>Hello <script>alert(1)</script>world</p>',
  '<img src="/img/a.png" onerror="alert(1)" alt="A">',
  '<a href="javascript:alert(1)">js</a> <a href="JaVaScRiPt:alert(1)">js2</a> <a href="java\tscript:alert(1)">js3</a>',
  '<a href="&#106;avascript:alert(1)">js4</a> <a href="vbscript:msgbox(1)">vb</a> <a href="data:text/html,<script>x</script>">data</a>',
  '<iframe src="https://evil.example/"><p>fallback</p></iframe><object data="x.swf"><embed src="x.swf"></object>',
  '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example"><link rel="stylesheet" href="x.css">',
  '<form action="https://evil.example/"><input name="q"><button>Go</button>text in form</form>',
  '<p style="color:red" onclick="x()">styled</p><style>p{}</style>',
  '<svg onload="alert(1)"><circle r="1"/></svg><math><mi>x</mi></math>',
  '<img src="data:image/svg+xml,<svg onload=alert(1)>" data-src="/lazy.jpg"><img src="//cdn.example/x.png">',
  '<a href="#section">fragment</a> <a href="../up/page">up</a> <a href="mailto:a@b.example">mail</a>',
  '<p>unclosed <b>bold <i>both</b> italic?</p><p><div>block in p</div></p>',
  '<a href="/a">outer <a href="/b">inner</a></a><h1><h2>heading in heading</h2></h1>',
  '<li>stray item</li><td>stray cell</td><table>junk<tr><td>cell</td><p>in row</p></tr></table>',
  '<ul><li>one<li>two</ul><dd>stray dd</dd><pre>\ncode &amp; stuff</pre>',
  'Text with ]]> and &lt;escaped&gt; and &amp;amp; and bare & and < sign',
  'C1 \u0085 NEL, DEL \u007f, bell \u0007, replacement \ufffd, lone \ud800 surrogate, nonchar \ufdd0, emoji 😀',
  '<noscript><img src="/real.jpg"></noscript><template><p>t</p></template><textarea>x</textarea>',
  '<p>Entities: &nbsp; &eacute; &#x1F600; &#0; &#128;</p>',
];

/** A feed-sized list of hostile items exercising every rule at once. */
export function hostileItems(): StoredItem[] {
  const sameInstant = new Date('2024-05-20T08:00:00Z');
  return [
    storedItem({
      title: 'Fish & chips <3 ]]> "quoted" \'single\' 😀 ünïcödé \u0001\u0085 end',
      tags: ['a&b', '<tag>', '"quoted"', 'café', 'ai', 'ai', '  ', 'tab\there'],
      content: HOSTILE_HTML.join('\n'),
      author: 'Jane Doe <jane@example.com>',
    }),
    storedItem({ title: '', summary: '<p>Only a summary, no title.</p>', content: null }),
    storedItem({ title: '', summary: null, content: null, link: null, sourceId: 'bare', author: null }),
    storedItem({ title: 'Summary and content', summary: '<p>Short.</p>', content: '<p>Long <em>body</em>.</p>' }),
    storedItem({ title: 'No link, relative URLs', link: null, content: '<p><a href="/rel">rel</a><img src="i.png"></p>' }),
    storedItem({ title: 'Tied 1', published: sameInstant, updated: sameInstant, firstSeen: sameInstant }),
    storedItem({ title: 'Tied 2', published: sameInstant, updated: sameInstant, firstSeen: sameInstant }),
    storedItem({ title: 'Tied 3', published: sameInstant, updated: sameInstant, firstSeen: sameInstant }),
    storedItem({ title: 'Future date', published: new Date('2031-01-01T00:00:00Z'), updated: new Date('2031-01-01T00:00:00Z') }),
    storedItem({ title: 'Epoch date', published: new Date(0), updated: new Date(0) }),
    storedItem({ title: 'IRI link', link: 'https://例え.jp/パス/ü?q=a b|c^d' }),
    storedItem({ title: 'Author fallback', author: null }),
    storedItem({ title: 'Author email form', author: 'jane@example.com (Jane Q. Doe)' }),
    storedItem({ title: 'Tags only blank', tags: ['', '   '] }),
    storedItem({ title: 'x'.repeat(5000), content: `<p>${'long '.repeat(20000)}</p>` }),
  ];
}
