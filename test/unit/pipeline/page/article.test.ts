import { expect } from 'chai';
import { WartaError } from '../../../../src/base/errors.js';
import type { FetchResult } from '../../../../src/pipeline/fetch/fetch.js';
import { MAX_PAGES, fetchArticle } from '../../../../src/pipeline/page/article.js';

// Pages served from a map: the fetch is a dependency handed in, as the refresh pipeline will hand in its own.
const site = (pages: Record<string, string>, type = 'text/html; charset=utf-8') => {
  const fetched: string[] = [];
  const fetchPage = async (url: string): Promise<FetchResult> => {
    fetched.push(url);
    const body = pages[url];
    if (body === undefined) return { kind: 'error', status: 404, url, redirects: [], error: new WartaError('http_404', 'HTTP 404'), retryAfter: null };
    return { kind: 'ok', status: 200, url, redirects: [], body: Buffer.from(body), contentType: type, etag: null, lastModified: null, cacheMs: null };
  };
  return { fetchPage, fetched };
};
const paragraph = (n: number) => `<p>Paragraf halaman ${n}: ${'isi berita yang cukup panjang untuk dibaca sebagai artikel utuh. '.repeat(4)}</p>`;
const page = (n: number, next: string | null) =>
  `<html><head><meta property="og:type" content="article">${next ? `<link rel="next" href="${next}">` : ''}</head><body><article>${paragraph(n)}${paragraph(n)}</article></body></html>`;

describe('pipeline/page: fetchArticle follows an article\'s own pagination', () => {
  it(`follows next pages, at most ${MAX_PAGES}`, async () => {
    const pages: Record<string, string> = {};
    for (let i = 1; i <= 12; i++) pages[`https://a.example/berita?page=${i}`] = page(i, `?page=${i + 1}`);
    const { fetchPage } = site(pages);
    const r = await fetchArticle(fetchPage, 'https://a.example/berita?page=1');
    if (!('ok' in r)) throw r.error;
    expect(r.ok.pages).to.have.length(MAX_PAGES);
    expect(r.ok.text).to.match(/^Paragraf halaman 1:/);
    expect(r.ok.text).to.include('Paragraf halaman 10:').and.not.include('Paragraf halaman 11:');
  });

  it('stops at a loop, at another site, and at a page that fails (keeping what it read)', async () => {
    const loop = site({ 'https://a.example/1': page(1, '/2'), 'https://a.example/2': page(2, '/1') });
    const r1 = await fetchArticle(loop.fetchPage, 'https://a.example/1');
    expect('ok' in r1 && r1.ok.pages).to.deep.equal(['https://a.example/1', 'https://a.example/2']);
    const away = site({ 'https://a.example/1': page(1, 'https://b.example/2'), 'https://b.example/2': page(2, null) });
    const r2 = await fetchArticle(away.fetchPage, 'https://a.example/1');
    expect('ok' in r2 && r2.ok.pages).to.deep.equal(['https://a.example/1']);
    expect(away.fetched).to.deep.equal(['https://a.example/1']);
    const broken = site({ 'https://a.example/1': page(1, '/2') });
    const r3 = await fetchArticle(broken.fetchPage, 'https://a.example/1');
    expect('ok' in r3 && r3.ok.pages).to.deep.equal(['https://a.example/1']);
  });

  it('an error when the first page fails or is not HTML', async () => {
    const r = await fetchArticle(site({}).fetchPage, 'https://a.example/x');
    expect('error' in r && r.error.code).to.equal('http_404');
    const feed = await fetchArticle(site({ 'https://a.example/f': '<rss/>' }, 'application/rss+xml').fetchPage, 'https://a.example/f');
    expect('error' in feed && feed.error.code).to.equal('not_html');
  });
});
