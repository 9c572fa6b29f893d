import { expect } from 'chai';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWarta, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { parseExposition } from '../helpers/prometheus.js';

describe('operations (real daemon process): metrics, index page, backup, OPML', function () {
  this.timeout(60_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  let dir: string;
  let base: string;
  let file: string;
  let generation = 0;

  before(async () => {
    feeds = await new FeedServer().start();
    // A feed that grows on every poll, so the daemon keeps writing while a backup runs.
    feeds.routes.set('/tumbuh.xml', feedRoute(() => ({ body: rss(Array.from({ length: 30 }, (_, i) => ({ guid: `${generation}-${i}`, title: `Putin berita ${generation}-${i}`, link: `https://a.example/${generation}/${i}` }))) })));
    feeds.routes.set('/rusak.xml', (_q, r) => void r.writeHead(500).end());
    daemon = await startDaemon({
      yaml: `# komentar: sumber berita\nsources:\n  - id: tumbuh\n    title: "Tumbuh & <Berkembang>"\n    url: "${feeds.url('/tumbuh.xml')}"\n    schedule: "* * * * * *"\n  - id: rusak\n    url: "${feeds.url('/rusak.xml')}"\nfetch:\n  min_interval: "1s"\ntags:\n  - name: Putin\n    match: Putin\n`,
    });
    ({ base, configPath: file, dir } = daemon);
    await daemon.until(async () => ((await (await fetch(`${base}/api/items?limit=1`)).json()) as { items: unknown[] }).items.length > 0, { what: 'a first item in /api/items' });
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  it('serves /metrics as valid Prometheus text with fetch, item, tag and request figures', async () => {
    await fetch(`${base}/tags/putin.rss`);
    await fetch(`${base}/tags/nope.rss`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).to.equal(200);
    const { samples } = parseExposition(await res.text());
    const sum = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
    expect(sum('warta_fetches_total', { source: 'tumbuh', outcome: 'updated', host: '127.0.0.1' })).to.be.at.least(1);
    expect(sum('warta_fetch_errors_total', { source: 'rusak', code: 'http_5xx' })).to.be.at.least(1);
    expect(sum('warta_items_new_total', { source: 'tumbuh' })).to.be.at.least(30);
    expect(sum('warta_items_per_tag', { tag: 'Putin' })).to.be.at.least(30);
    expect(sum('warta_http_requests_total', { route: '/tags/{slug}.{fmt}', status: '200' })).to.be.at.least(1);
    expect(sum('warta_http_requests_total', { route: '/tags/{slug}.{fmt}', status: '404' })).to.be.at.least(1);
    expect(samples.some((s) => s.name === 'warta_event_loop_lag_seconds')).to.equal(true);
  });

  it('serves the index page with subscribe links and escaped source titles', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-security-policy')).to.match(/default-src 'none'/);
    const html = await res.text();
    expect(html).to.include(`href="${base}/tags/putin.rss"`);
    expect(html).to.include('Tumbuh &#38; &#60;Berkembang&#62;');
    expect(html).to.not.include('<Berkembang>');
  });

  it('backs up the database while the daemon ingests; the copy opens and is consistent; no overwrite without --force', async () => {
    const stop = setInterval(() => generation++, 200);
    try {
      const dest = join(dir, 'cadangan.db');
      const r = await runWarta(['backup', '--config', file, dest]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/cadangan\.db: \d+ pages, \d+ bytes/);
      const copy = new Database(dest, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).to.equal('ok');
        expect(copy.prepare('SELECT count(*) FROM items').pluck().get()).to.be.at.least(30);
        // Every item in the copy has its tag: no half-written refresh.
        expect(copy.prepare("SELECT count(*) FROM items WHERE id NOT IN (SELECT item_id FROM item_tags WHERE tag = 'Putin')").pluck().get()).to.equal(0);
      } finally {
        copy.close();
      }
      const again = await runWarta(['backup', '--config', file, dest]);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/already exists; choose another file or pass --force/);
      expect((await runWarta(['backup', '--config', file, '--force', dest])).code).to.equal(0);
    } finally {
      clearInterval(stop);
    }
  });

  it('round-trips the sources through OPML: export, import into a fresh config keeping its comments', async () => {
    const exported = await runWarta(['opml', 'export', '--config', file]);
    expect(exported.code, exported.stderr).to.equal(0);
    expect(exported.stdout).to.match(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<opml version="2\.0"/);
    const opmlFile = join(dir, 'langganan.opml');
    writeFileSync(opmlFile, exported.stdout);

    const fresh = join(dir, 'baru.yaml');
    writeFileSync(fresh, '# konfigurasi baru\nstorage:\n  path: "baru.db"\nsources: []\n');
    const imported = await runWarta(['opml', 'import', '--config', fresh, opmlFile]);
    expect(imported.code, imported.stderr).to.equal(0);
    expect(imported.stdout).to.match(/2 sources added, 0 skipped/);
    const text = readFileSync(fresh, 'utf8');
    expect(text.startsWith('# konfigurasi baru\n')).to.equal(true);
    expect(text).to.include(feeds.url('/tumbuh.xml'));
    expect(text).to.include(feeds.url('/rusak.xml'));
    expect((await runWarta(['check-config', '--config', fresh])).code).to.equal(0);
    // Importing again adds nothing: the URLs are already there.
    const twice = await runWarta(['opml', 'import', '--config', fresh, opmlFile]);
    expect(twice.stdout).to.match(/0 sources added, 2 skipped/);
  });
});
