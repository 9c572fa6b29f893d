/**
 * Extraction on the project's fixture pages (test/fixtures/pages: built like real Indonesian article pages, each
 * with the article text marked by hand in NAME.txt and the metadata in NAME.json): token F1 of the extracted text
 * against the hand-marked one, beside plain readability over linkedom; metadata; listing pages.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { MAX_DEPTH, boundMarkup, parsePage } from '../../../../src/pipeline/page/dom.js';
import { readPage } from '../../../../src/pipeline/page/index.js';
import { tokenF1 } from '../../../helpers/token-f1.js';

const DIR = new URL('../../../fixtures/pages/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const names = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
const urlOf = (name: string) => `https://fixture.example/${name}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Expected {
  title?: string;
  published?: string;
  keywords?: string[];
  canonical?: string;
  is_article: boolean;
  links?: string[];
  next?: string;
}

describe('pipeline/page: article extraction on the fixture pages', () => {
  const articles = names.filter((n) => (JSON.parse(read(`${n}.json`)) as Expected).is_article);
  const listings = names.filter((n) => !articles.includes(n));

  it('has at least 8 articles and 2 listing pages', () => {
    expect(articles.length).to.be.at.least(8);
    expect(listings.length).to.be.at.least(2);
  });

  it('token F1 against the hand-marked text: median ≥ 0.95 and at least plain readability\'s', () => {
    const ours: number[] = [];
    const plain: number[] = [];
    const rows: string[] = [];
    for (const name of articles) {
      const html = read(`${name}.html`);
      const want = read(`${name}.txt`);
      const a = tokenF1(readPage(html, urlOf(name)).text, want);
      const b = tokenF1(new Readability((parseHTML(html) as unknown as { document: never }).document).parse()?.textContent ?? '', want);
      ours.push(a);
      plain.push(b);
      rows.push(`${name.padEnd(18)} ${a.toFixed(3)}  ${b.toFixed(3)}`);
    }
    console.log(`      page               warta  plain readability\n${rows.map((r) => `      ${r}`).join('\n')}\n      median             ${median(ours).toFixed(3)}  ${median(plain).toFixed(3)}`);
    expect(median(ours)).to.be.at.least(0.95);
    expect(median(ours)).to.be.at.least(median(plain));
  });

  for (const name of names) {
    it(`${name}: metadata, type and links`, () => {
      const want = JSON.parse(read(`${name}.json`)) as Expected;
      const r = readPage(read(`${name}.html`), urlOf(name));
      expect(r.isArticle).to.equal(want.is_article);
      if (want.title !== undefined) expect(r.title).to.equal(want.title);
      if (want.published !== undefined) expect(r.published?.toISOString().replace('.000', '')).to.equal(want.published);
      if (want.keywords !== undefined) expect(r.keywords).to.deep.equal(want.keywords);
      if (want.canonical !== undefined) expect(r.canonical).to.equal(new URL(want.canonical, urlOf(name)).href);
      if (want.links !== undefined) expect(r.links).to.deep.equal(want.links.map((l) => new URL(l, urlOf(name)).href));
      if (want.next !== undefined) expect(r.pagination.next).to.equal(new URL(want.next, urlOf(name)).href);
      if (!want.is_article) expect([r.text, r.published, r.keywords]).to.deep.equal(['', null, []]);
    });
  }

  it('no related-link line, box or keyword block survives in any article text', () => {
    const junk = /^(?:baca juga|simak|lihat juga|tonton juga|pilihan (?:redaksi|editor)|jurnas video|keyword|tags?:|berita terkait|bagikan|advertisement|pewarta:)/im;
    for (const name of articles) expect(readPage(read(`${name}.html`), urlOf(name)).text, name).not.to.match(junk);
  });

  it('paragraphs are separated by blank lines', () => {
    const text = readPage(read('jurnas-putin.html'), urlOf('jurnas-putin')).text;
    expect(text.split('\n\n').length).to.equal(9);
    expect(text).not.to.match(/\n{3}|^\s|\s$/);
  });

  it('the next page of a paginated article (detik: <link rel=next> and "Selanjutnya")', () => {
    expect(readPage(read('detik-banjir.html'), urlOf('detik-banjir')).pagination.next).to.equal(`${urlOf('detik-banjir')}?page=2`);
    expect(readPage(read('detik-banjir.p2.html'), urlOf('detik-banjir.p2')).pagination.next).to.equal(null);
  });
});

describe('pipeline/page: content_selector and remove', () => {
  const html = read('jurnas-putin.html');

  it('a content selector replaces the automatic choice; remove drops parts inside it', () => {
    const r = readPage(html, urlOf('x'), { contentSelector: 'div.txt-detail', remove: ['div.caption-img'] });
    expect(r.selectorEmpty).to.equal(false);
    expect(r.text).to.match(/^Moskow, Jurnas\.com - Presiden Rusia/);
    expect(r.text).not.to.match(/PILIHAN REDAKSI|JURNAS VIDEO|KEYWORD/);
    expect(tokenF1(r.text, read('jurnas-putin.txt'))).to.be.above(0.95);
  });

  it('a selector that matches nothing says so, and leaves no text', () => {
    const r = readPage(html, urlOf('x'), { contentSelector: 'div.no-such-thing' });
    expect(r.selectorEmpty).to.equal(true);
    expect(r.text).to.equal('');
  });

  it('keywords and dates are read before the cleanup removes their blocks', () => {
    const r = readPage(html, urlOf('x'), { remove: ['.kw', '.date-detail'] });
    expect(r.keywords).to.include('Yevgeny Prigozhin');
  });
});

describe('pipeline/page: hostile pages are bounded', () => {
  it('100,000 nested elements are flattened to MAX_DEPTH, text kept', () => {
    const html = `<html><body>${'<div>'.repeat(100_000)}Prigozhin${'</div>'.repeat(100_000)}</body></html>`;
    const bounded = boundMarkup(html);
    expect(bounded.match(/<div>/g)!.length).to.be.at.most(MAX_DEPTH);
    expect(bounded).to.include('Prigozhin');
    expect(() => readPage(html, urlOf('x'))).not.to.throw();
  });

  it('unclosed nesting, stray end tags and one endless attribute parse to a document', () => {
    for (const html of ['<div><span><b>'.repeat(50_000), '</p>'.repeat(500_000), '<a href="x'.repeat(100_000), '<script>'.repeat(10_000)]) {
      expect(() => readPage(html, urlOf('x'))).not.to.throw();
      expect(parsePage(html).documentElement).to.not.equal(null);
    }
  });

  it('10 MiB of links: the page is cut at MAX_ELEMENTS and still read', () => {
    const li = '<li><a href="/berita/123456/judul-berita-yang-panjang-sekali-ini">judul</a></li>';
    const html = `<html><body><ul>${li.repeat(Math.floor((10 * 1024 * 1024) / li.length))}</ul></body></html>`;
    const r = readPage(html, urlOf('x'));
    expect(r.isArticle).to.equal(false);
    expect(r.links.length).to.be.at.most(200);
  });
});
