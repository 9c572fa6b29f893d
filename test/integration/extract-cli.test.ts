import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { runWarta } from '../helpers/daemon.js';
import { FeedServer, type Route } from '../helpers/feed-server.js';
import { tokenF1 } from '../helpers/token-f1.js';

const DIR = new URL('../fixtures/pages/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, DIR));
// The test-only switch that lets `warta extract` reach 127.0.0.1; every other private address stays refused.
const LOOPBACK = { WARTA_TEST_ALLOW_LOOPBACK: '1' };

const html = (body: Buffer | string, type = 'text/html; charset=utf-8'): Route => (_req, res) => {
  res.setHeader('Content-Type', type);
  res.end(body);
};

describe('CLI: warta extract (the built bin/warta.js against fixture pages on 127.0.0.1)', function () {
  this.timeout(30_000);
  let server: FeedServer;
  before(async () => {
    server = await new FeedServer().start();
    for (const f of readdirSync(DIR).filter((n) => n.endsWith('.html'))) server.routes.set(`/${f.replace(/\.html$/, '')}`, html(fixture(f)));
    // detik paginates with ?page=N on the same path.
    server.routes.set('/detik-banjir', (req, res) => html(fixture(req.url?.endsWith('page=2') ? 'detik-banjir.p2.html' : 'detik-banjir.html'))(req, res));
    server.routes.set('/pindah', (_req, res) => void res.writeHead(301, { Location: '/jurnas-putin' }).end());
    server.routes.set('/gz', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(fixture('tempo-ikn.html')));
    });
    server.routes.set('/feed.xml', html('<rss version="2.0"><channel></channel></rss>', 'application/rss+xml'));
    server.routes.set('/latin1', html(Buffer.from('<html><head><meta charset="iso-8859-1"><meta property="og:type" content="article"></head><body><article><p>Caf\xe9 di Jakarta ramai dikunjungi warga pada akhir pekan.</p></article></body></html>', 'latin1'), 'text/html'));
  });
  after(() => server.stop());

  const extract = (args: string[], env: NodeJS.ProcessEnv = LOOPBACK) => runWarta(['extract', ...args], env);

  it('--json prints what warta would store from an article: the fields of issue 12', async () => {
    const r = await extract(['--json', server.url('/pindah')]);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).to.deep.equal(['url', 'canonical', 'title', 'published', 'keywords', 'text', 'html', 'pages', 'is_article', 'links']);
    expect(out.url).to.equal(server.url('/jurnas-putin')); // after the redirect
    expect(out.canonical).to.equal('https://www.jurnas.example/artikel/162345/putin-dan-lukashenko-bahas-penempatan-rudal-oreshnik-di-belarusia/');
    expect(out.title).to.equal('Putin dan Lukashenko Bahas Penempatan Rudal Oreshnik di Belarusia');
    expect(out.published).to.equal('2024-11-07T21:40:00.000Z');
    expect(out.keywords).to.deep.equal(['Hubungan Rusia dengan Belarusia', 'Vladimir Putin', 'Alexander Lukashenko', 'Yevgeny Prigozhin']);
    expect(tokenF1(out.text, fixture('jurnas-putin.txt').toString())).to.be.above(0.95);
    expect(out.text).to.include('Yevgeny Prigozhin kembali disebut');
    expect(out.html).to.match(/^<div>|<p>/);
    expect(out.html).not.to.match(/<script|class=|id=|PILIHAN REDAKSI/);
    expect(out.html).to.include(`src="${server.url('/images/2024/11/putin-lukashenko.jpg')}"`); // absolute, sanitized
    expect(out.pages).to.deep.equal([server.url('/jurnas-putin')]);
    expect(out.is_article).to.equal(true);
    expect(out.links).to.deep.equal([]);
    expect(server.hits.get('/jurnas-putin')).to.be.at.least(1);
  });

  it('follows the article\'s own pagination', async () => {
    const r = await extract(['--json', server.url('/detik-banjir')]);
    expect(r.code).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.pages).to.deep.equal([server.url('/detik-banjir'), server.url('/detik-banjir?page=2')]);
    const want = `${fixture('detik-banjir.txt')}\n${fixture('detik-banjir.p2.txt')}`;
    expect(tokenF1(out.text, want)).to.be.above(0.95);
    expect(out.text).to.match(/Bojongsoang/);
    expect(out.text).not.to.match(/Baca juga|Simak Video/);
  });

  it('a listing page: is_article false and the article links of the same site', async () => {
    const r = await extract(['--json', server.url('/jurnas-kanal')]);
    expect(r.code).to.equal(0);
    const out = JSON.parse(r.stdout);
    const want = JSON.parse(fixture('jurnas-kanal.json').toString()) as { links: string[] };
    expect(out.is_article).to.equal(false);
    expect(out.links).to.deep.equal(want.links.map((l) => server.url(l)));
    expect([out.text, out.html, out.published]).to.deep.equal(['', '', null]);
  });

  it('prints a readable summary without --json', async () => {
    const r = await extract([server.url('/tribun-makassar')]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^url +http:\/\/127\.0\.0\.1:\d+\/tribun-makassar\n/);
    expect(r.stdout).to.match(/\npublished +2024-11-16T00:00:00\.000Z\n/);
    expect(r.stdout).to.match(/\nkeywords +Pelabuhan Soekarno-Hatta · Makassar · Pelni · pemudik\n/);
    expect(r.stdout).to.include('\n\nTRIBUN-TIMUR.COM, MAKASSAR - Ribuan calon penumpang');
  });

  it('--selector takes the article from there; one that matches nothing is reported, exit 0', async () => {
    const ok = await extract(['--json', '--selector', 'div.txt-detail', server.url('/jurnas-putin')]);
    expect(ok.code).to.equal(0);
    expect(JSON.parse(ok.stdout).text).to.match(/^Presiden Rusia Vladimir Putin \(kanan\)/);
    const none = await extract(['--json', '--selector', '.tidak-ada', server.url('/jurnas-putin')]);
    expect(none.code).to.equal(0);
    expect(none.stderr).to.match(/selector_empty: \.tidak-ada matched nothing/);
    expect(JSON.parse(none.stdout).text).to.equal('');
  });

  it('gzip, and a page in its <meta charset>', async () => {
    const gz = await extract(['--json', server.url('/gz')]);
    expect(JSON.parse(gz.stdout).keywords).to.deep.equal(['IKN', 'Ibu Kota Nusantara', 'investasi', 'Otorita IKN']);
    const latin = await extract(['--json', server.url('/latin1')]);
    expect(JSON.parse(latin.stdout).text).to.match(/^Café di Jakarta/);
  });

  it('exit 3 when the page cannot be fetched: 404, not HTML', async () => {
    const missing = await extract([server.url('/tidak-ada')]);
    expect([missing.code, missing.stderr]).to.deep.equal([3, 'warta extract: http_404: HTTP 404\n']);
    const feed = await extract([server.url('/feed.xml')]);
    expect(feed.code).to.equal(3);
    expect(feed.stderr).to.match(/not_html/);
  });

  // Eight runs of the CLI, each a process start (seconds apiece on a loaded machine): a longer bound than the file's.
  it('exit 3 for non-public addresses (blocked_address), refused before connecting', async function () {
    this.timeout(90_000);
    // Without the test-only switch loopback is refused like any private address; with it, only loopback passes.
    const hits = server.hits.get('/jurnas-putin') ?? 0;
    const strict = await extract([server.url('/jurnas-putin')], { WARTA_TEST_ALLOW_LOOPBACK: '' });
    expect(strict.code).to.equal(3);
    expect(server.hits.get('/jurnas-putin') ?? 0).to.equal(hits); // refused before connecting
    expect(strict.stderr).to.match(/^warta extract: blocked_address: /);
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/', 'http://192.168.1.1/', 'http://[::ffff:10.0.0.1]/', 'http://0.0.0.0/']) {
      const r = await extract([url]);
      expect([r.code, r.stderr.split(':')[0] + ':' + r.stderr.split(':')[1]], url).to.deep.equal([3, 'warta extract: blocked_address']);
    }
  });

  it('exit 2 for usage errors: no URL, not http(s), a bad selector', async () => {
    expect((await extract([])).code).to.equal(2);
    expect((await extract(['ftp://example.com/a'])).code).to.equal(2);
    expect((await extract(['bukan-url'])).code).to.equal(2);
    expect((await extract(['--selector', 'div[', server.url('/jurnas-putin')])).code).to.equal(2);
  });
});
