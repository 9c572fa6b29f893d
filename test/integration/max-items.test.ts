/**
 * sources[].max_items as an admin sees it: never more items than the limit in /api/items, from the first
 * refresh on, and a lowered limit applied by a reload without a restart.
 */
import { expect } from 'chai';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';

describe('max_items (real daemon process)', function () {
  this.timeout(60_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  const articles = Array.from({ length: 12 }, (_, k) => ({
    guid: `n${k}`, link: `https://berita.example/${k}`, title: `Berita nomor ${k}`,
    pubDate: new Date(Date.UTC(2026, 10, 20, k)).toUTCString(),
  }));
  // The harness adds server.listen and storage.path, the same on every rewrite.
  const config = (maxItems: number) =>
    `sources:\n  - id: banyak\n    url: "${feeds.url('/banyak.xml')}"\n    max_items: ${maxItems}\n`;
  const stored = async () => ((await (await fetch(`${daemon.base}/api/items?source=banyak&limit=500`)).json()) as { items: { link: string }[] }).items.map((i) => i.link);

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/banyak.xml', feedRoute(() => ({ body: rss(articles) })));
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  it('keeps the newest max_items from the first refresh, and applies a lowered limit on reload', async () => {
    daemon = await startDaemon({ yaml: config(5), args: ['--log-level', 'info'] });
    await daemon.until(async () => (await stored()).length > 0, { what: 'the first refresh to store items' });
    expect(await stored()).to.deep.equal(articles.slice(7).reverse().map((a) => a.link));

    daemon.writeConfig(config(2));
    daemon.child.kill('SIGHUP');
    await daemon.until(() => daemon.logs().some((l) => l.msg === 'config reloaded'), { what: 'a "config reloaded" log line after SIGHUP' });
    await daemon.until(async () => (await stored()).length === 2, { what: 'the lowered max_items (2) to apply' });
    expect(await stored()).to.deep.equal(articles.slice(10).reverse().map((a) => a.link));
  });
});
