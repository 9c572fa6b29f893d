import { expect } from 'chai';
import { sanitizeHtml } from '../../../src/publish/index.js';
import { checkHtml } from './feed-rules.js';
import { HOSTILE_HTML } from './fixtures.js';
import { tagSoups } from './soup.js';

const BASE = 'https://blog.example/posts/1';

describe('publish/sanitizeHtml', () => {
  const cases: [name: string, input: string, base: string | null, expected: string][] = [
    ['keeps text and basic formatting', '<p>Hi <b>bold</b> <em>em</em> <code>x</code></p>', BASE, '<p>Hi <b>bold</b> <em>em</em> <code>x</code></p>'],
    ['drops <script> with its content', '<p>a<script>alert(1)</script>b</p>', BASE, '<p>ab</p>'],
    ['drops <style> with its content', '<style>p{color:red}</style><p>x</p>', BASE, '<p>x</p>'],
    ['drops event handlers and style attributes', '<p onclick="x()" style="color:red" class="c" id="i">x</p>', BASE, '<p>x</p>'],
    ['drops javascript: links, keeps their text', '<a href="javascript:alert(1)">x</a>', BASE, 'x'],
    ['drops mixed-case javascript:', '<a href="JaVaScRiPt:alert(1)">x</a>', BASE, 'x'],
    ['drops javascript: disguised with a tab', '<a href="java\tscript:alert(1)">x</a>', BASE, 'x'],
    ['drops javascript: disguised with an entity', '<a href="&#106;avascript:alert(1)">x</a>', BASE, 'x'],
    ['drops vbscript: links', '<a href="vbscript:msgbox(1)">x</a>', BASE, 'x'],
    ['drops data: links', '<a href="data:text/html,x">x</a>', BASE, 'x'],
    ['drops data: images', '<img src="data:image/png;base64,AAAA">', BASE, ''],
    ['promotes lazy-loading data-src over a placeholder', '<img src="data:image/gif;base64,R0" data-src="/real.jpg" alt="r">', BASE, '<img alt="r" src="https://blog.example/real.jpg">'],
    ['drops <iframe> and its fallback', '<iframe src="https://x.example/">fb</iframe><p>after</p>', BASE, '<p>after</p>'],
    ['drops <object> and <embed>', '<object data="a.swf"><embed src="a.swf"></object>ok', BASE, 'ok'],
    ['drops <base>, <meta>, <link>', '<base href="https://evil.example/"><meta charset="x"><link rel="x" href="y">ok', BASE, 'ok'],
    ['drops form controls, keeps form text', '<form action="/x"><input name="q"><button>Go</button>text</form>', BASE, 'text'],
    ['makes relative image URLs absolute', '<img src="/img/a.png" alt="A">', BASE, '<img src="https://blog.example/img/a.png" alt="A">'],
    ['makes relative links absolute', '<a href="../up">u</a>', BASE, '<a href="https://blog.example/up">u</a>'],
    ['resolves fragment links against the article', '<a href="#s">s</a>', BASE, '<a href="https://blog.example/posts/1#s">s</a>'],
    ['resolves protocol-relative URLs', '<img src="//cdn.example/x.png">', BASE, '<img src="https://cdn.example/x.png">'],
    ['keeps mailto links', '<a href="mailto:a@b.example">m</a>', BASE, '<a href="mailto:a@b.example">m</a>'],
    ['without a base, drops relative links and images', '<p><a href="/rel">rel</a><img src="i.png"></p>', null, '<p>rel</p>'],
    ['percent-encodes non-ASCII URLs', '<a href="https://例え.jp/ü">x</a>', BASE, '<a href="https://xn--r8jz45g.jp/%C3%BC">x</a>'],
    ['escapes text', 'a < b & c > d "q"', BASE, 'a &lt; b &amp; c &gt; d "q"'],
    ['escapes attribute quotes', '<img src="/a.png" alt="say &quot;hi&quot; & <bye>">', BASE, '<img src="https://blog.example/a.png" alt="say &quot;hi&quot; &amp; &lt;bye&gt;">'],
    ['keeps ]]> as text', 'x ]]> y', BASE, 'x ]]&gt; y'],
    ['strips control characters', 'a\u0001b\u0085c\u007fd\ufffde', BASE, 'abcde'],
    ['writes void elements without a slash', 'a<br/>b<hr/>', BASE, 'a<br>b<hr>'],
    ['turns a <p> holding a block into a <div>', '<p>a<b>b<div>c</div></b></p>', BASE, '<div>a<b>b<div>c</div></b></div>'],
    ['unwraps list items outside a list', '<li>x</li>', BASE, 'x'],
    ['unwraps table cells outside a table', '<td>x</td>', BASE, 'x'],
    ['moves junk out of a table, before it', '<table>junk<tr><td>c</td><p>p</p></tr></table>', BASE, 'junk<p>p</p><table><tr><td>c</td></tr></table>'],
    ['unwraps a link inside a link', '<a href="/a">o<b><a href="/b">i</a></b></a>', BASE, '<a href="https://blog.example/a">o<b>i</b></a>'],
    ['unwraps a heading directly inside a heading', '<h1>a<h2>b</h2></h1>', BASE, '<h1>a</h1><h2>b</h2>'],
    ['keeps numeric attributes only when numeric', '<img src="/a.png" width="10" height="x">', BASE, '<img src="https://blog.example/a.png" width="10">'],
    ['returns an empty string when nothing is left', '<script>x</script>  ', BASE, ''],
    ['decodes entities', '<p>&eacute; &#x1F600; &amp;amp;</p>', BASE, '<p>é 😀 &amp;amp;</p>'],
    // sanitize-html is pinned to 2.17.5 (2.17.6+ declare Node >= 22.12). The advisories fixed after it need
    // options this config never sets (svg/math allowed, SVG animation tags allowed); these are their payloads.
    ['2.17.6 advisory: raw text inside <svg> is dropped, never re-emitted', '<svg><textarea><img src=x onerror=alert(1)></textarea></svg>ok', BASE, 'ok'],
    ['2.17.6 advisory: raw text inside <math> is dropped', '<math><xmp></xmp><img src=x onerror=alert(1)></xmp></math>ok', BASE, 'ok'],
    ['2.17.7 advisory (GHSA-g8qq-57p8-ggw5): SVG animation setting href goes', '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>ok', BASE, 'ok'],
    ['SVG animation elements outside <svg> go too', '<a href="/a"><set attributeName="href" to="javascript:alert(1)"/>a</a>', BASE, '<a href="https://blog.example/a">a</a>'],
  ];
  for (const [name, input, base, expected] of cases) {
    it(name, () => expect(sanitizeHtml(input, base)).to.equal(expected));
  }

  describe('hostile inputs pass the publishing rules', () => {
    for (const html of HOSTILE_HTML) {
      it(JSON.stringify(html).slice(0, 70), () => {
        const problems: string[] = [];
        checkHtml(sanitizeHtml(html, BASE), 'out', problems);
        expect(problems).to.deep.equal([]);
      });
    }
  });

  it('500 random tag soups: publishing rules hold', () => {
    for (const html of tagSoups(1, 500)) {
      const problems: string[] = [];
      checkHtml(sanitizeHtml(html, BASE), JSON.stringify(html), problems);
      expect(problems).to.deep.equal([]);
    }
  });

  it('survives hostile nesting and size: 20 000 nested elements, 100 000 siblings', () => {
    const deep = `${'<div><b>'.repeat(10_000)}deep${'</b></div>'.repeat(10_000)}`;
    expect(sanitizeHtml(deep, BASE)).to.include('deep');
    const wide = '<br>'.repeat(100_000);
    expect(sanitizeHtml(wide, BASE)).to.equal('<br>'.repeat(100_000));
  });

  it('is idempotent', () => {
    for (const html of [...HOSTILE_HTML, ...tagSoups(2, 200)]) {
      const once = sanitizeHtml(html, BASE);
      expect(sanitizeHtml(once, BASE)).to.equal(once);
    }
  });
});
