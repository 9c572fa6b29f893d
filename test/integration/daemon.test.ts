import { expect } from 'chai';
import Database from 'better-sqlite3';
import { ingestDocument } from '../../src/pipeline/feed/ingest.js';
import { createDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';

const TAG_SLUG = 'hubungan-rusia-dengan-belarusia';

// Two outlets: an RSS feed with +0700 dates and an Atom feed where the subject is only in the content.
const ANTARA = rss(
  [
    { guid: '9001', link: 'https://antara.example/berita/9001', title: 'Putin terima Lukashenko di Kremlin bahas Negara Kesatuan', pubDate: 'Thu, 26 Nov 2026 09:00:00 +0700', categories: ['Dunia'] },
    { guid: '9002', link: 'https://antara.example/berita/9002', title: 'Belarusia buka perbatasan dengan Lituania', pubDate: 'Thu, 26 Nov 2026 08:00:00 +0700' },
    { guid: '9003', link: 'https://antara.example/berita/9003', title: 'Putin hadiri KTT BRICS', pubDate: 'Thu, 26 Nov 2026 07:00:00 +0700' },
    { guid: '9004', link: 'https://antara.example/berita/9004', title: 'Analisis: Rusia &amp; Belarus gelar latihan &lt; 3 hari', pubDate: 'Thu, 26 Nov 2026 06:00:00 +0700' },
    { guid: '9005', link: 'https://antara.example/berita/9005', title: 'Kerja sama ekonomi Prusia', description: 'Sejarah Prusia dan Belarusia', pubDate: 'Thu, 26 Nov 2026 05:00:00 +0700' },
  ],
  { title: 'ANTARA Dunia', link: 'https://antara.example/' },
);
const TEMPO = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Tempo Dunia</title><id>urn:tempo:dunia</id><updated>2026-11-26T03:00:00Z</updated>
  <link href="https://tempo.example/dunia"/>
  <entry>
    <title>Pasokan gas ke Eropa timur</title><id>https://tempo.example/a/1</id>
    <link href="https://tempo.example/a/1"/><updated>2026-11-26T01:30:00Z</updated>
    <content type="html">&lt;p&gt;Moskow menjamin pasokan ke &lt;a href="https://x.example/belarus"&gt;Minsk&lt;/a&gt; tetap aman.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Cuaca ekstrem di Eropa</title><id>https://tempo.example/a/2</id>
    <link href="https://tempo.example/a/2"/><updated>2026-11-26T00:30:00Z</updated>
    <content type="html">&lt;p&gt;Badai melanda &lt;a href="https://x.example/rusia-belarus"&gt;kawasan&lt;/a&gt;.&lt;/p&gt;</content>
  </entry>
</feed>`;
const EXPECTED = ['https://antara.example/berita/9001', 'https://antara.example/berita/9004', 'https://tempo.example/a/1'];

describe('daemon end to end (real process, real feeds on loopback)', function () {
  this.timeout(60_000);
  let feeds: FeedServer;
  // One config, dir and port for every test; each test starts the daemon (again) on them.
  let daemon: Daemon;
  const base = () => daemon.base;

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/antara.xml', feedRoute(() => ({ body: ANTARA })));
    feeds.routes.set('/tempo.atom', feedRoute(() => ({ body: TEMPO, type: 'application/atom+xml' })));
    daemon = await createDaemon({
      yaml: ({ base }) => `server:
  base_url: "${base}"
sources:
  - id: antara-dunia
    url: "${feeds.url('/antara.xml')}"
  - id: tempo-dunia
    url: "${feeds.url('/tempo.atom')}"
  - id: mati
    url: "http://127.0.0.1:9/unreachable.xml"
tags:
  - name: "Hubungan Rusia dengan Belarusia"
    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'
  - name: "Vladimir Putin"
    match: Putin
  - name: "R&D <Riset>"
    match: riset
outputs:
  - id: rusia-belarusia
    title: "Hubungan Rusia & Belarusia"
    tags: ["Hubungan Rusia dengan Belarusia"]
    limit: 2
`,
    });
  });
  afterEach(async () => {
    await daemon?.stop('SIGKILL');
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  const start = async () => {
    await daemon.start();
    // The start-up poll: every source once, at once.
    await daemon.until(() => daemon.logs().filter((l) => String(l.msg).startsWith('refresh ')).length >= 3, { what: 'a "refresh …" log line for each of the 3 sources (the start-up poll)' });
    return daemon;
  };

  it('polls every source at start, keeps serving with an unreachable source, and publishes exactly the right articles', async () => {
    const d = await start();
    const outcomes = Object.fromEntries(d.logs().filter((l) => l.why === 'startup').map((l) => [l.source, l.result]));
    expect(outcomes).to.deep.equal({ 'antara-dunia': 'updated', 'tempo-dunia': 'updated', mati: 'failed' });

    const res = await fetch(`${base()}/tags/${TAG_SLUG}.rss`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/rss+xml; charset=utf-8');
    const feed = ingestDocument(new Uint8Array(await res.arrayBuffer()), { contentType: res.headers.get('content-type'), url: res.url, now: new Date() });
    expect(feed.items.map((i) => i.link).sort()).to.deep.equal(EXPECTED);
    // Newest first, with the +0700 instant kept, the escaped title intact, and tags as categories.
    expect(feed.items[0]!.link).to.equal('https://antara.example/berita/9001');
    expect(feed.items[0]!.published?.toISOString()).to.equal('2026-11-26T02:00:00.000Z');
    expect(feed.items[0]!.categories).to.include.members(['Hubungan Rusia dengan Belarusia', 'Vladimir Putin']);
    expect(feed.items.find((i) => i.link?.endsWith('9004'))!.title).to.equal('Analisis: Rusia & Belarus gelar latihan < 3 hari');
  });

  it('serves Atom and JSON Feed 1.1 with stable ids, outputs with their limit, OPML and health', async () => {
    await start();
    const atom = await fetch(`${base()}/tags/${TAG_SLUG}.atom`);
    expect(atom.headers.get('content-type')).to.equal('application/atom+xml; charset=utf-8');
    const atomFeed = ingestDocument(new Uint8Array(await atom.arrayBuffer()), { contentType: null, url: atom.url, now: new Date() });
    expect(atomFeed.items.map((i) => i.link).sort()).to.deep.equal(EXPECTED);

    const json = await fetch(`${base()}/tags/${TAG_SLUG}.json`);
    expect(json.headers.get('content-type')).to.equal('application/feed+json; charset=utf-8');
    const jf = (await json.json()) as { version: string; feed_url: string; items: { id: string; url: string }[] };
    expect(jf.version).to.equal('https://jsonfeed.org/version/1.1');
    expect(jf.feed_url).to.equal(`${base()}/tags/${TAG_SLUG}.json`);
    expect(jf.items.map((i) => i.url).sort()).to.deep.equal(EXPECTED);
    // One id per item, the same in every format.
    expect(atomFeed.items.map((i) => i.guid).sort()).to.deep.equal(jf.items.map((i) => i.id).sort());
    expect(new Set(jf.items.map((i) => i.id)).size).to.equal(3);

    const output = (await (await fetch(`${base()}/feeds/rusia-belarusia.json`)).json()) as { title: string; items: { url: string }[] };
    expect(output.title).to.equal('Hubungan Rusia & Belarusia');
    expect(output.items.map((i) => i.url)).to.deep.equal(['https://antara.example/berita/9001', 'https://tempo.example/a/1']);

    const special = await fetch(`${base()}/tags/r-d-riset.rss`);
    expect(special.status).to.equal(200);

    const opml = await (await fetch(`${base()}/opml`)).text();
    expect(opml).to.include(`xmlUrl="${base()}/tags/${TAG_SLUG}.rss"`);
    expect(opml).to.include(`xmlUrl="${base()}/feeds/rusia-belarusia.rss"`);

    const health = await fetch(`${base()}/healthz`);
    expect(await health.json()).to.deep.equal({ status: 'ok' });
  });

  it('answers conditional requests with 304, supports HEAD, and says 404/405 where it should', async () => {
    await start();
    const url = `${base()}/tags/${TAG_SLUG}.atom`;
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).to.match(/^"[\w-]+"$/);
    expect(new Date(lastModified).toUTCString()).to.equal(lastModified);
    expect((await fetch(url, { headers: { 'If-None-Match': etag } })).status).to.equal(304);
    expect((await fetch(url, { headers: { 'If-Modified-Since': lastModified } })).status).to.equal(304);
    expect((await fetch(url, { headers: { 'If-None-Match': '"stale"' } })).status).to.equal(200);

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('etag')).to.equal(etag);
    expect(await head.text()).to.equal('');

    expect((await fetch(`${base()}/tags/no-such-tag.rss`)).status).to.equal(404);
    expect((await fetch(`${base()}/feeds/rusia-belarusia.xml`)).status).to.equal(404);
    const post = await fetch(url, { method: 'POST', body: 'x' });
    expect(post.status).to.equal(405);
    expect(post.headers.get('allow')).to.equal('GET, HEAD');
  });

  it('re-polls unchanged feeds with conditional requests, keeps items unique across restarts, and stops on SIGTERM within 5 s', async () => {
    const d = await start();
    const stopped = await d.stop('SIGTERM');
    expect(stopped.code).to.equal(0);
    expect(stopped.ms).to.be.below(5000);

    const conditionalBefore = feeds.requests.filter((r) => r.path === '/antara.xml' && r.headers['if-none-match']).length;
    await start();
    const conditionalAfter = feeds.requests.filter((r) => r.path === '/antara.xml' && r.headers['if-none-match']).length;
    expect(conditionalAfter).to.equal(conditionalBefore + 1);
    const again = await daemon.stop('SIGINT');
    expect(again.code).to.equal(0);

    const db = new Database(daemon.dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM items').pluck().get()).to.equal(7);
      expect(db.prepare('SELECT count(DISTINCT uid) FROM items').pluck().get()).to.equal(7);
      expect(db.pragma('integrity_check', { simple: true })).to.equal('ok');
    } finally {
      db.close();
    }
  });
});
