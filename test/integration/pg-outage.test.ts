/**
 * A daemon on PostgreSQL while its database is unreachable (issue 14): the database is reached through a TCP
 * relay on 127.0.0.1 (test/helpers/relay.ts) that the test takes down, dropping every connection and refusing new
 * ones, as an outage looks to the daemon. A feed rendered before the outage, whose data changed since, must still
 * be served: its last rendered copy, with a Warning header that says it is stale, not cached by proxies, logged
 * and counted (/metrics still answers), while /readyz reports the database down; once the database is back, the feed is rendered afresh.
 * Pending, with the reason, where no PostgreSQL answers.
 */
import { expect } from 'chai';
import { freePort, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { adminQuery, pendingWithoutPostgres, testSchema } from '../helpers/postgres.js';
import { Relay } from '../helpers/relay.js';
import { waitFor } from '../helpers/wait.js';

const item = (n: number) => ({ guid: `b-${n}`, link: `http://127.0.0.1:9/berita/${n}`, title: `Berita nomor ${n}`, pubDate: new Date(Date.UTC(2026, 10, 30, 8, n)).toUTCString() });

describe('a feed during a PostgreSQL outage', function () {
  this.timeout(120_000);
  let schema: Awaited<ReturnType<typeof testSchema>> | null = null;
  let relay: Relay | null = null;
  let server: FeedServer | null = null;
  let daemon: Daemon | null = null;
  let published = 1;

  before(async function () {
    await pendingWithoutPostgres(this);
    schema = await testSchema();
    relay = new Relay(await freePort());
    await relay.up();
    server = await new FeedServer().start();
    server.routes.set('/feed.xml', feedRoute(() => ({ body: rss(Array.from({ length: published }, (_, k) => item(published - k))) })));
    daemon = await startDaemon({
      config: {
        storage: { url: schema.url.replace('127.0.0.1:5432', `127.0.0.1:${relay.port}`), pool_size: 3 },
        // Every second, so the item published below is stored soon.
        fetch: { schedule: '* * * * * *', min_interval: '1s' },
        tags: [{ name: 'berita', match: 'zzznevermatches' }],
        sources: [{ id: 'berita', url: server.url('/feed.xml'), tags: ['berita'] }],
        outputs: [{ id: 'semua', title: 'Semua', tags: ['berita'] }],
      },
    });
  });
  after(async () => {
    await daemon?.close();
    await relay?.down();
    await server?.stop();
    await schema?.drop();
  });

  const feed = async () => {
    const res = await fetch(`${daemon!.base}/feeds/semua.json`, { signal: AbortSignal.timeout(20_000) });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const titles = (body: string) => (JSON.parse(body) as { items: { title: string }[] }).items.map((i) => i.title);
  const stored = async () => Number((await adminQuery(`SELECT count(*) AS n FROM ${schema!.name}.items`)).rows[0].n);

  it('serves the last rendered copy, marked stale, while /readyz says the database is down; renders afresh after', async () => {
    // Rendered (and cached) with the first item.
    await waitFor(async () => (await feed()).status === 200 && titles((await feed()).body).length === 1, { what: 'the feed to list the first item', timeoutMs: 30_000 });
    const before = await feed();
    expect(before.headers.get('warning')).to.equal(null);
    // A second item is stored after that render: the cached copy is no longer current, so the next request
    // renders again, and that render meets the outage.
    published = 2;
    await waitFor(async () => (await stored()) === 2, { what: 'the second item stored', timeoutMs: 30_000 });
    await relay!.down();
    try {
      const during = await feed();
      expect(during.status, during.body).to.equal(200);
      expect(during.body).to.equal(before.body);
      expect(during.headers.get('warning')).to.match(/^110 warta "Response is Stale: .*(PostgreSQL|database)/);
      expect(during.headers.get('cache-control')).to.equal('no-cache');
      expect(during.headers.get('etag')).to.equal(before.headers.get('etag'));
      // A reader revalidating the copy it holds is told it is still that copy.
      const revalidated = await fetch(`${daemon!.base}/feeds/semua.json`, { headers: { 'If-None-Match': before.headers.get('etag')! } });
      expect(revalidated.status).to.equal(304);
      const ready = await fetch(`${daemon!.base}/readyz`);
      expect(ready.status).to.equal(503);
      const metricsRes = await fetch(`${daemon!.base}/metrics`);
      const metrics = await metricsRes.text();
      expect(metricsRes.status, 'GET /metrics during the outage').to.equal(200);
      expect(Number(/^warta_feeds_served_stale_total (\d+)/m.exec(metrics)?.[1] ?? 0)).to.be.greaterThan(0);
      expect(daemon!.logs().filter((l) => String(l.msg).startsWith('serving the last rendered copy of a feed')).map((l) => l.feed)).to.deep.equal(['/feeds/semua.json']);
    } finally {
      await relay!.up();
    }
    // The database back: the feed is rendered afresh, with both items and no warning.
    await waitFor(async () => {
      const r = await feed();
      return r.status === 200 && r.headers.get('warning') === null && titles(r.body).length === 2;
    }, { what: 'the feed rendered afresh with both items once the database is back', timeoutMs: 30_000 });
  });
});
