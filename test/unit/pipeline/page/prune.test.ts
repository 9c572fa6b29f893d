import { expect } from 'chai';
import { pruneBoilerplate } from '../../../../src/pipeline/page/prune.js';

describe('pipeline/page: pruneBoilerplate (markup cut before parsing)', () => {
  const cases: [what: string, html: string, want: string][] = [
    ['navigation, footers, asides and forms go', '<nav><a href="/">Home</a></nav><p>Isi</p><footer>© 2024</footer><aside>x</aside><form><input></form>', '<p>Isi</p>'],
    ['junk-named boxes go: ads, share bars, terpopuler', '<div class="ads-box"><div id="div-gpt-ad-1">AD</div></div><div class="share-box">Bagikan</div><div class="terpopuler"><a href="/a">A</a></div><p>Isi</p>', '<p>Isi</p>'],
    ['the page header goes, an article\'s own header stays', '<header class="site-header">Logo</header><article><header><h1>Judul</h1></header><p>Isi</p></article>', '<article><header><h1>Judul</h1></header><p>Isi</p></article>'],
    ['a junk-named wrapper with a whole article inside stays (over 1,500 characters)', `<div class="content share-enabled"><p>${'kata '.repeat(400)}</p></div>`, `<div class="content share-enabled"><p>${'kata '.repeat(400)}</p></div>`],
    ['a box holding the date line stays for dates.ts', '<div class="info-share"><span>Jumat, 08 Nov 2024 10:15 WIB</span></div>', '<div class="info-share"><span>Jumat, 08 Nov 2024 10:15 WIB</span></div>'],
    ['a keyword block stays for keywords.ts', '<div class="tags"><b>KEYWORD :</b> <a>Putin</a></div>', '<div class="tags"><b>KEYWORD :</b> <a>Putin</a></div>'],
    ['pagination in a nav stays for links.ts', '<nav class="pagination"><a href="?page=2">Selanjutnya</a></nav>', '<nav class="pagination"><a href="?page=2">Selanjutnya</a></nav>'],
    ['… and so does a rel=next link', '<nav><a rel="next" href="/2">2</a></nav>', '<nav><a rel="next" href="/2">2</a></nav>'],
    ['nested junk: the outer box goes whole', '<div class="sidebar"><div class="ads">x</div><ul><li>y</li></ul></div><p>z</p>', '<p>z</p>'],
    ['an unclosed junk element is left (its end is unknown)', '<div class="ads"><p>x', '<div class="ads"><p>x'],
    ['nothing to prune: unchanged', '<p>Isi <b>berita</b></p>', '<p>Isi <b>berita</b></p>'],
  ];
  for (const [what, html, want] of cases) it(what, () => expect(pruneBoilerplate(html)).to.equal(want));
});
