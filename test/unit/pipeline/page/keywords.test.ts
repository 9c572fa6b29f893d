import { expect } from 'chai';
import { parsePage, readJsonLd } from '../../../../src/pipeline/page/dom.js';
import { findKeywords, isTitleWords, splitKeywords } from '../../../../src/pipeline/page/keywords.js';

const keywordsOf = (head: string, body = '', title: string | null = 'Putin dan Lukashenko Bertemu di Moskow') => {
  const html = `<html><head>${head}</head><body>${body}</body></html>`;
  return findKeywords(parsePage(html), readJsonLd(html), title);
};

describe('pipeline/page: publisher keywords', () => {
  const cases: [what: string, head: string, body: string, want: string[]][] = [
    ['meta keywords', '<meta name="keywords" content="Vladimir Putin, Alexander Lukashenko , Belarusia">', '', ['Vladimir Putin', 'Alexander Lukashenko', 'Belarusia']],
    ['news_keywords', '<meta name="news_keywords" content="IKN, Ibu Kota Nusantara">', '', ['IKN', 'Ibu Kota Nusantara']],
    ['article:tag, one per meta', '<meta property="article:tag" content="Rupiah"><meta property="article:tag" content="Dolar AS">', '', ['Rupiah', 'Dolar AS']],
    ['detik dtk:keywords', '<meta name="dtk:keywords" content="banjir bandung,baleendah,,  sungai citarum ">', '', ['banjir bandung', 'baleendah', 'sungai citarum']],
    ['JSON-LD keywords as an array', '<script type="application/ld+json">{"@type":"NewsArticle","keywords":["Timnas Indonesia","Jepang"]}</script>', '', ['Timnas Indonesia', 'Jepang']],
    ['JSON-LD keywords as a string', '<script type="application/ld+json">{"@type":"NewsArticle","keywords":"Timnas Indonesia, Jepang"}</script>', '', ['Timnas Indonesia', 'Jepang']],
    ['JSON-LD in @graph', '<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","keywords":"Bulog"}]}</script>', '', ['Bulog']],
    ['visible KEYWORD : block (Jurnas)', '', '<div class="kw"><strong>KEYWORD :</strong> <a href="/t/1">Hubungan Rusia dengan Belarusia</a> <a href="/t/2">Yevgeny Prigozhin</a></div>', ['Hubungan Rusia dengan Belarusia', 'Yevgeny Prigozhin']],
    ['visible Tags: line with links inside it', '', '<span class="tags-links">Tags: <a rel="tag">Jayapura</a>, <a rel="tag">PLN</a></span>', ['Jayapura', 'PLN']],
    ['visible Tags: as plain text', '', '<p>Tags: Jayapura, PLN, Papua</p>', ['Jayapura', 'PLN', 'Papua']],
    ['de-duplicated across sources, case-insensitively, first spelling kept', '<meta name="keywords" content="vladimir putin, Belarusia"><meta property="article:tag" content="Vladimir Putin">', '<div><b>KEYWORD :</b> <a>BELARUSIA</a> <a>Minsk</a></div>', ['vladimir putin', 'Belarusia', 'Minsk']],
    ['the title cut into words is not keywords', '<meta name="keywords" content="putin, dan, lukashenko, bertemu, di, moskow">', '', []],
    ['… but a real list beside it still counts', '<meta name="keywords" content="putin, dan, lukashenko, bertemu"><meta name="news_keywords" content="Vladimir Putin">', '', ['Vladimir Putin']],
    ['no keywords', '<meta name="description" content="x">', '<p>Artikel tanpa kata kunci.</p>', []],
  ];
  for (const [what, head, body, want] of cases) {
    it(what, () => expect(keywordsOf(head, body)).to.deep.equal(want));
  }

  it('splits on commas and trims', () => {
    expect(splitKeywords([' a ,b,, c  d ,'])).to.deep.equal(['a', 'b', 'c d']);
  });

  it('title words: only single words all taken from the title, three or more', () => {
    expect(isTitleWords(['putin', 'lukashenko', 'moskow'], 'Putin dan Lukashenko di Moskow')).to.equal(true);
    expect(isTitleWords(['putin', 'lukashenko', 'minsk'], 'Putin dan Lukashenko di Moskow')).to.equal(false);
    expect(isTitleWords(['Vladimir Putin', 'lukashenko', 'moskow'], 'Vladimir Putin dan Lukashenko di Moskow')).to.equal(false);
    expect(isTitleWords(['putin', 'moskow'], 'Putin di Moskow')).to.equal(false);
  });
});
