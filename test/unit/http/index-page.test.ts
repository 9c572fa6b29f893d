import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { INDEX_PAGE_CONTENT_TYPE, INDEX_PAGE_CSP, renderIndexPage, type IndexSource } from '../../../src/http/index-page.js';
import { SAMPLE_SOURCES, samplePage } from './index-page-fixtures.js';

describe('http/renderIndexPage', () => {
  const html = renderIndexPage(samplePage());
  const failing = (s: IndexSource): IndexSource => ({ ...s, state: 'failing', consecutiveFailures: 3, lastError: 'network: ECONNREFUSED', nextPollReason: 'backoff' });

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

  it('links a source\'s name to its site and shows its feed URL beside it; only web URLs become links', () => {
    expect(html).not.to.match(/<a [^>]*href="(?!https?:)/);
    expect(html).to.include('<span class="feed-url">javascript:alert(1)</span>');
    expect(html).to.include('<a class="name" href="https://www.antaranews.com/dunia" rel="noreferrer nofollow">ANTARA — Dunia</a> <span class="id">antara-dunia</span><br><a class="feed-url" href="https://www.antaranews.com/rss/dunia.xml" rel="noreferrer nofollow">https://www.antaranews.com/rss/dunia.xml</a>');
    // No site known yet (never read from the feed): the name is text, the feed URL still a link.
    expect(html).to.include('<span class="name">tempo-dunia</span><br><a class="feed-url" href="https://rss.tempo.co/dunia"');
  });

  it('shows every time in fetch.timezone and names the zone once', () => {
    expect(html).to.include('times in Asia/Jakarta (UTC+07:00)');
    expect(html).to.include('<td data-label="Last poll" class="nowrap"><time datetime="2024-06-01T11:50:00.000Z">2024-06-01 18:50</time></td>');
    expect(html).not.to.include(' UTC</time>');
    const utc = renderIndexPage(samplePage({ timezone: 'UTC' }));
    expect(utc).to.include('times in UTC');
    expect(utc).to.include('<time datetime="2024-06-01T11:50:00.000Z">2024-06-01 11:50</time>');
  });

  const reasons: { id: string; text: string }[] = [
    { id: 'antara-dunia', text: '<td data-label="Next poll"><div><span class="nowrap"><time datetime="2024-06-01T12:00:00.000Z">2024-06-01 19:00</time></span></div></td>' },
    { id: 'kompas-global', text: 'feed hint (ttl, update period or Cache-Control) until <time datetime="2024-06-01T12:45:00.000Z">' },
    { id: 'tempo-dunia', text: 'retry: backoff after 1 failure until <time datetime="2024-06-01T12:01:00.000Z">2024-06-01 19:01</time>' },
    { id: 'detik-news', text: 'retry: the server asked to wait (Retry-After) until <time datetime="2024-06-01T13:55:00.000Z">' },
    { id: 'detik-inet', text: 'its host is paused (Retry-After) until <time datetime="2024-06-01T12:05:00.000Z">' },
    { id: 'gone-source', text: 'gone (HTTP 410): fix the URL or run <code>warta fetch gone-source</code>' },
  ];
  for (const r of reasons) {
    it(`says what moved the next poll of ${r.id}`, () => {
      const row = html.split('\n').find((l) => l.includes(`<span class="id">${r.id}</span>`) || l.includes(`>${r.id}</span><br>`));
      expect(row, r.id).to.include(r.text);
    });
  }

  it('counts the sources that answer: all failing reads as failing, not as "3 sources"', () => {
    const cases: { sources: IndexSource[]; header: string; alert: boolean }[] = [
      { sources: SAMPLE_SOURCES.slice(0, 3).map(failing), header: '<strong class="bad">0 of 3 sources answering</strong>', alert: true },
      { sources: SAMPLE_SOURCES.slice(0, 3), header: '<strong class="warn">2 of 3 sources answering</strong>', alert: false },
      { sources: SAMPLE_SOURCES.slice(0, 2), header: '<strong class="good">2 of 2 sources answering</strong>', alert: false },
      { sources: [SAMPLE_SOURCES[0]!, { ...SAMPLE_SOURCES[0]!, id: 'new', lastPoll: null }], header: '<strong class="good">1 of 2 sources answering</strong>, 1 not polled yet', alert: false },
      { sources: [{ ...SAMPLE_SOURCES[0]!, lastPoll: null }], header: '<strong class="good">0 of 1 source answering</strong>, 1 not polled yet', alert: false },
      { sources: [], header: '<strong class="good">0 of 0 sources answering</strong>', alert: false },
    ];
    for (const c of cases) {
      const page = renderIndexPage(samplePage({ sources: c.sources }));
      expect(page).to.include(c.header);
      expect(page.includes('No source is answering'), c.header).to.equal(c.alert);
    }
  });

  it('shows how many items each feed and each source holds, an empty one marked', () => {
    expect(html).to.include('<span class="name">Hubungan Rusia dan Belarusia</span><span class="count">50 items</span>');
    expect(html).to.include('<span class="name">Hubungan Rusia dengan Belarusia</span><span class="count">1 item</span>');
    expect(html).to.include('<span class="name">Vladimir Putin</span><span class="count zero">empty</span>');
    expect(html).to.include('<td data-label="Items" class="num">1,234</td>');
    expect(html).to.include('<td data-label="Items" class="num"><span class="zero">0</span></td>');
  });

  it('shows the config in force, and a rejected reload with its problems until a reload applies', () => {
    expect(html).to.include('Config <code>/etc/warta/warta.yaml</code> in force since <time datetime="2024-06-01T09:00:00.000Z">2024-06-01 16:00</time>, loaded at start.');
    const lastRejected = { at: new Date('2024-06-01T10:00:00Z'), reason: 'SIGHUP', problems: ['/etc/warta/warta.yaml:12:5: unknown key "max_item" in sources.2', 'x <b>'] };
    const rejected = renderIndexPage(samplePage({ config: { ...samplePage().config!, lastRejected } }));
    expect(rejected).to.include('<section class="config rejected" aria-label="Config" role="alert">');
    expect(rejected).to.include('The reload at <time datetime="2024-06-01T10:00:00.000Z">2024-06-01 17:00</time> (SIGHUP) was rejected</strong>; the config above stays in force.');
    expect(rejected).to.include('<li><code>/etc/warta/warta.yaml:12:5: unknown key &#34;max_item&#34; in sources.2</code></li><li><code>x &#60;b&#62;</code></li>');
    // A later reload applied: the rejection is history, folded away.
    const later = renderIndexPage(samplePage({ config: { ...samplePage().config!, since: new Date('2024-06-01T11:00:00Z'), how: 'config file changed', lastRejected } }));
    expect(later).to.include('reloaded (config file changed)');
    expect(later).to.include('<details><summary>An earlier reload at');
    expect(later).not.to.include('role="alert"');
  });

  it('renders without the source section and config status (what a visitor may not see)', () => {
    const page = renderIndexPage(samplePage({ sources: undefined, config: undefined }));
    expect(page).not.to.include('id="sources"');
    expect(page).not.to.include('answering');
    expect(page).not.to.include('Config <code>');
    expect(page).to.include('Last refresh <time datetime="2024-06-01T11:50:30.000Z">2024-06-01 18:50</time> · 4 feeds · times in Asia/Jakarta (UTC+07:00)');
    expect(page).to.include('</section>\n</main>');
  });

  it('never writes a state it does not know into a class name', () => {
    const page = renderIndexPage(samplePage({ sources: [{ ...SAMPLE_SOURCES[0]!, state: '" onclick="x' }] }));
    expect(page).to.include('class="state state-unknown">&#34; onclick=&#34;x</span>');
  });

  it('says so when nothing is configured yet, in one line each', () => {
    const page = renderIndexPage(samplePage({ feeds: [], sources: [], lastRefresh: null, baseUrl: 'https://news.example/warta/' }));
    expect(page).to.include('No outputs or tags are configured yet');
    expect(page).not.to.include('<h3>');
    expect(page).to.include('No sources are configured.');
    expect(page).to.include('Last refresh not yet · <strong class="good">0 of 0 sources answering</strong> · 0 feeds');
    expect(page).to.include('href="https://news.example/warta/opml"');
    const tagsOnly = renderIndexPage(samplePage({ feeds: samplePage().feeds.filter((f) => f.kind === 'tag') }));
    expect(tagsOnly).to.include('<p class="empty">No outputs are configured.</p>');
    expect(tagsOnly).not.to.include('<h3>Outputs</h3>');
  });

  it('is one self-contained document: no script, no external resource, its style allowed by the CSP hash', () => {
    expect(html).to.match(/^<!doctype html>\n<html lang="en">/);
    // Checked on a page without the hostile title, whose escaped text reads " onerror=" as text.
    const plain = renderIndexPage(samplePage({ feeds: samplePage().feeds.slice(0, 3), sources: SAMPLE_SOURCES.slice(0, 2) }));
    expect(plain).not.to.match(/<script|\son\w+=|<link[^>]+rel="stylesheet"|@import|url\(/i);
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    expect(INDEX_PAGE_CSP).to.include(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(INDEX_PAGE_CSP).to.match(/^default-src 'none';/);
    expect(INDEX_PAGE_CONTENT_TYPE).to.equal('text/html; charset=utf-8');
  });

  it('is deterministic', () => {
    expect(renderIndexPage(samplePage())).to.equal(html);
  });
});
