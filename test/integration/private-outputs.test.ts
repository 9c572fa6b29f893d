import { expect } from 'chai';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';

describe('private outputs and readiness (real daemon process)', function () {
  this.timeout(30_000);
  const TOKEN = 'rahasia-redaksi-7f3a9c2e41';
  let feeds: FeedServer;
  let daemon: Daemon | undefined;
  let base: string;

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/a.xml', feedRoute(() => ({ body: rss([{ guid: '1', title: 'Putin di Minsk', link: 'https://a.example/1' }]) })));
    daemon = await startDaemon({
      yaml: `sources:\n  - id: a\n    url: "${feeds.url('/a.xml')}"\ntags:\n  - name: Putin\n    match: Putin\noutputs:\n  - id: redaksi\n    title: Internal\n    tags: [Putin]\n    token: "\${WARTA_TEST_TOKEN}"\n  - id: publik\n    title: Publik\n    tags: [Putin]\n`,
      env: { WARTA_TEST_TOKEN: TOKEN },
    });
    base = daemon.base;
    await daemon.until(async () => (await (await fetch(`${base}/feeds/publik.json`)).json() as { items: unknown[] }).items.length === 1, { what: 'the item in /feeds/publik.json' });
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  it('answers a private output only with its token (from ${ENV}); without it or with a wrong one: 404', async () => {
    const ok = await fetch(`${base}/feeds/redaksi.atom?token=${TOKEN}`);
    expect(ok.status).to.equal(200);
    const body = await ok.text();
    expect(body).to.include(`href="${base}/feeds/redaksi.atom?token=${TOKEN}"`);
    const missing = await fetch(`${base}/feeds/redaksi.atom`);
    const wrong = await fetch(`${base}/feeds/redaksi.atom?token=${TOKEN.slice(0, -1)}x`);
    const unknown = await fetch(`${base}/feeds/tidak-ada.atom`);
    expect([missing.status, wrong.status]).to.deep.equal([404, 404]);
    // Indistinguishable from a feed that does not exist.
    expect(await missing.text()).to.equal((await unknown.text()).replace('/feeds/tidak-ada.atom', '/feeds/redaksi.atom'));
  });

  it('never lists a private output in /opml', async () => {
    const opml = await (await fetch(`${base}/opml`)).text();
    expect(opml).to.include('/feeds/publik.rss');
    expect(opml).to.not.include('redaksi');
    expect(opml).to.not.include(TOKEN);
  });

  it('reports readiness with its checks', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { status: string; database: boolean; event_loop_lag_ms: number };
    expect(body.status).to.equal('ready');
    expect(body.database).to.equal(true);
    expect(body.event_loop_lag_ms).to.be.a('number').below(5000);
  });
});
