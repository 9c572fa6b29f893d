import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { INDEX_PAGE_CONTENT_TYPE, INDEX_PAGE_CSP, renderIndexPage } from '../../../src/http/index-page.js';
import { samplePage } from './index-page-fixtures.js';

describe('http/renderIndexPage', () => {
  const html = renderIndexPage(samplePage());

  it('links every feed in every format, absolutely', () => {
    for (const f of samplePage().feeds) {
      for (const ext of ['rss', 'atom', 'json']) expect(html).to.include(`href="http://127.0.0.1:8080${f.path}.${ext}"`);
    }
    expect(html).to.include('href="http://127.0.0.1:8080/opml"');
    expect(html).to.include('<link rel="alternate" type="application/rss+xml" title="Vladimir Putin" href="http://127.0.0.1:8080/tags/vladimir-putin.rss">');
  });

  it('escapes every piece of text it did not write', () => {
    expect(html).not.to.include('<script');
    expect(html).not.to.include('<img');
    expect(html).to.include('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;q&#39;');
    expect(html).to.include('http_500: &#60;script&#62;');
  });

  it('links only web URLs of sources', () => {
    expect(html).not.to.include('javascript:');
    expect(html).to.include('<a href="https://www.antaranews.com/rss/dunia.xml" rel="noreferrer nofollow">ANTARA — Dunia</a>');
  });

  it('shows state, items, last poll and last error of each source', () => {
    expect(html).to.include('<span class="state state-degraded">degraded</span>');
    expect(html).to.include('<td data-label="Items" class="num">1,234</td>');
    expect(html).to.include('<time datetime="2024-06-01T11:50:00.000Z">2024-06-01 11:50 UTC</time>');
    expect(html).to.include('<td data-label="Last poll" class="nowrap">never</td>');
    expect(html).to.include('timeout: no answer within 20s');
    expect(html).to.include('>tempo-dunia</a>'); // no title: the id names it
    expect(html).to.include('Last refresh <time datetime="2024-06-01T11:50:30.000Z">2024-06-01 11:50 UTC</time> · 4 sources, 2 failing · 4 feeds');
  });

  it('never writes a state it does not know into a class name', () => {
    const page = renderIndexPage(samplePage({ sources: [{ ...samplePage().sources![0]!, state: '" onclick="x' }] }));
    expect(page).to.include('class="state state-unknown">&#34; onclick=&#34;x</span>');
  });

  it('says so when nothing is configured yet', () => {
    const page = renderIndexPage(samplePage({ feeds: [], sources: [], lastRefresh: null, baseUrl: 'https://news.example/warta/' }));
    expect(page).to.include('No outputs are configured.');
    expect(page).to.include('No tags are configured.');
    expect(page).to.include('No sources are configured.');
    expect(page).to.include('Last refresh not yet · 0 sources · 0 feeds');
    expect(page).to.include('href="https://news.example/warta/opml"');
  });

  it('is one self-contained document: no script, no external resource, its style allowed by the CSP hash', () => {
    expect(html).to.match(/^<!doctype html>\n<html lang="en">/);
    // Checked on a page without the hostile title, whose escaped text reads " onerror=" as text.
    const plain = renderIndexPage(samplePage({ feeds: samplePage().feeds.slice(0, 3), sources: samplePage().sources!.slice(0, 2) }));
    expect(plain).not.to.match(/<script|\son\w+=|<link[^>]+rel="stylesheet"|@import|url\(/i);
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    expect(INDEX_PAGE_CSP).to.include(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(INDEX_PAGE_CSP).to.match(/^default-src 'none';/);
    expect(INDEX_PAGE_CONTENT_TYPE).to.equal('text/html; charset=utf-8');
  });

  it('leaves source health out when it gets none (the public page)', () => {
    const page = renderIndexPage(samplePage({ sources: null }));
    expect(page).not.to.include('id="sources"');
    expect(page).not.to.match(/\d sources?\b/);
    expect(page).to.include('· 4 feeds</p>');
  });

  it('is deterministic', () => {
    expect(renderIndexPage(samplePage())).to.equal(html);
  });
});
