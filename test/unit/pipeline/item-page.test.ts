/**
 * pipeline/item-page.ts: one queued page into what its item becomes, against fixture pages served by a real
 * HTTP server on 127.0.0.1 through the real fetcher; and the pure parts (retry times, categories) as tables.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseConfig } from '../../../src/config/load.js';
import { fetchFeed, makeFetchAgent, type FetchLimits } from '../../../src/pipeline/fetch/fetch.js';
import { mergeCategories, PAGE_RETRY_MS, readItemPage, retryTime, type PageSource } from '../../../src/pipeline/item-page.js';
import type { PageJob } from '../../../src/store/store.js';
import { makeClassifier } from '../../../src/tagging/classify.js';
import { FeedServer } from '../../helpers/feed-server.js';

const NOW = new Date('2026-12-02T08:00:00Z');
const page = (name: string) => readFileSync(new URL(`../../fixtures/pages/${name}`, import.meta.url), 'utf8');

describe('pipeline/item-page: retryTime', () => {
  const at = (ms: number) => new Date(NOW.getTime() + ms);
  const cases: { attempts: number; retryAfter: Date | null; want: Date | null; why: string }[] = [
    { attempts: 0, retryAfter: null, want: at(PAGE_RETRY_MS[0]), why: 'first failure: the first backoff' },
    { attempts: 1, retryAfter: null, want: at(PAGE_RETRY_MS[1]), why: 'second failure: the second backoff' },
    { attempts: 2, retryAfter: null, want: null, why: 'third failure: the two retries are used up' },
    { attempts: 0, retryAfter: at(3_600_000), want: at(3_600_000), why: "a longer Retry-After wins" },
    { attempts: 0, retryAfter: at(1_000), want: at(PAGE_RETRY_MS[0]), why: 'a shorter Retry-After does not shorten the backoff' },
    { attempts: 2, retryAfter: at(1_000), want: null, why: 'no retry left, whatever the server says' },
  ];
  for (const c of cases) it(c.why, () => expect(retryTime(NOW, c.attempts, c.retryAfter)).to.deep.equal(c.want));
});

describe('pipeline/item-page: mergeCategories', () => {
  const cases: { categories: string[]; keywords: string[]; want: string[] }[] = [
    { categories: ['Dunia'], keywords: ['Vladimir Putin', 'Belarusia'], want: ['Dunia', 'Vladimir Putin', 'Belarusia'] },
    { categories: ['Dunia', 'Putin'], keywords: ['putin', 'PUTIN', 'Minsk'], want: ['Dunia', 'Putin', 'Minsk'] },
    { categories: [], keywords: [], want: [] },
  ];
  for (const c of cases) it(`${JSON.stringify(c.categories)} + ${JSON.stringify(c.keywords)}`, () => expect(mergeCategories(c.categories, c.keywords)).to.deep.equal(c.want));
});

describe('pipeline/item-page: readItemPage over a real server', function () {
  this.timeout(20_000);
  let server: FeedServer;
  const limits: FetchLimits = { timeoutMs: 5_000, maxBody: 10 * 1024 * 1024, maxRedirects: 5, userAgent: 'warta-test', blockPrivateAddresses: false };
  const agent = makeFetchAgent(limits);
  const config = parseConfig(
    `sources:
  - id: jurnas
    url: "http://127.0.0.1:9/rss"
    full_text: true
    publisher_keywords: true
tags:
  - name: Juru Bicara Kremlin
    match: Peskov
  - name: Vladimir Putin
    match: Putin
`,
    'test.yaml',
  );
  const classifier = makeClassifier(config);
  const deps = {
    fetchPage: (url: string) => fetchFeed(agent, { url, etag: null, lastModified: null, accept: 'text/html' }, limits, () => NOW),
    classifier: () => classifier,
    now: () => NOW,
  };
  const source = (o: Partial<PageSource> = {}): PageSource => ({ id: 'jurnas', url: 'http://127.0.0.1:9/rss', contentSelector: null, remove: [], ...o });
  const job = (path: string, o: Partial<PageJob> = {}): PageJob => ({
    itemId: 7, sourceId: 'jurnas', url: server.url(path), mode: 'full', feedDated: false, attempts: 0, contentHash: 'h1',
    item: { title: 'Putin dan Lukashenko', summary: 'Ringkasan dari feed.', content: null, author: null, link: server.url(path), categories: ['Dunia'] },
    ...o,
  });

  before(async () => {
    server = await new FeedServer().start();
    server.routes.set('/putin', (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page('jurnas-putin.html')));
    server.routes.set('/kanal', (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page('jurnas-kanal.html')));
    server.routes.set('/sibuk', (_q, res) => res.writeHead(503, { 'retry-after': '7200' }).end());
  });
  after(async () => {
    await agent.close();
    await server.stop();
  });

  it('full: the article as content, the feed text as summary, the page date for an undated item, tags and keywords', async () => {
    const o = await readItemPage(deps, source(), job('/putin'));
    if (o.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(o)}`);
    const d = o.done;
    expect(d).to.include({ itemId: 7, expectedHash: 'h1', article: null });
    expect(d.publish!.summary).to.equal('Ringkasan dari feed.');
    expect(d.publish!.content).to.include('Dmitry Peskov');
    expect(d.published).to.deep.equal(new Date('2024-11-07T21:40:00Z'));
    expect(d.keywords).to.deep.equal(['Hubungan Rusia dengan Belarusia', 'Vladimir Putin', 'Alexander Lukashenko', 'Yevgeny Prigozhin']);
    expect(d.categories).to.deep.equal(['Dunia', ...d.keywords]);
    expect(d.tags.map((t) => t.tag).sort()).to.deep.equal(['Alexander Lukashenko', 'Hubungan Rusia dengan Belarusia', 'Juru Bicara Kremlin', 'Vladimir Putin', 'Yevgeny Prigozhin']);
    expect(d.canonicalUrl).to.match(/^https:\/\/www\.jurnas\.example\/artikel\/162345\//);
  });

  it("tag_only: the article for tagging only, nothing to publish; a dated item keeps the feed's date", async () => {
    const o = await readItemPage(deps, source(), job('/putin', { mode: 'tag_only', feedDated: true }));
    if (o.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(o)}`);
    expect(o.done.publish).to.equal(null);
    expect(o.done.article).to.include('Dmitry Peskov');
    expect(o.done.published).to.equal(null);
    expect(o.done.tags.map((t) => t.tag)).to.include('Juru Bicara Kremlin');
  });

  const failures: { why: string; path: string; src?: Partial<PageSource>; attempts?: number; code: string; retry: boolean }[] = [
    { why: 'a section page is not an article', path: '/kanal', code: 'no_article', retry: false },
    { why: 'a selector that matches nothing', path: '/putin', src: { contentSelector: 'div.tidak-ada' }, code: 'selector_empty', retry: false },
    { why: 'a 404 is not retried', path: '/tidak-ada', code: 'http_404', retry: false },
    { why: 'a 503 is retried, after its Retry-After', path: '/sibuk', code: 'http_503', retry: true },
    { why: 'a 503 after two retries is not', path: '/sibuk', attempts: 2, code: 'http_503', retry: false },
  ];
  for (const f of failures) {
    it(`${f.why}: ${f.code}`, async () => {
      const o = await readItemPage(deps, source(f.src), job(f.path, { attempts: f.attempts ?? 0 }));
      if (o.kind !== 'failed') throw new Error(`expected failed, got ${o.kind}`);
      expect(o.error.code).to.equal(f.code);
      expect(o.retryAt !== null).to.equal(f.retry);
      if (f.code === 'http_503') expect(o.retryAfter).to.deep.equal(new Date(NOW.getTime() + 7_200_000));
      if (f.retry) expect(o.retryAt).to.deep.equal(new Date(NOW.getTime() + 7_200_000));
    });
  }
});
