/**
 * sources[].max_items as an admin sees it: never more items than the limit in /api/items, from the first
 * refresh on, and a lowered limit applied by a reload without a restart.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, freePort } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';

describe('max_items (real daemon process)', function () {
  this.timeout(60_000);
  let feeds: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  let daemon: DaemonProcess;
  let port: number;
  const articles = Array.from({ length: 12 }, (_, k) => ({
    guid: `n${k}`, link: `https://berita.example/${k}`, title: `Berita nomor ${k}`,
    pubDate: new Date(Date.UTC(2026, 10, 20, k)).toUTCString(),
  }));
  const config = (maxItems: number) =>
    `server:\n  listen: "127.0.0.1:${port}"\nstorage:\n  path: "${join(tmp.dir, 'w.db')}"\nsources:\n  - id: banyak\n    url: "${feeds.url('/banyak.xml')}"\n    max_items: ${maxItems}\n`;
  const stored = async () => ((await (await fetch(`http://127.0.0.1:${port}/api/items?source=banyak&limit=500`)).json()) as { items: { link: string }[] }).items.map((i) => i.link);

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/banyak.xml', feedRoute(() => ({ body: rss(articles) })));
    tmp = tempDir();
    port = await freePort();
  });
  after(async () => {
    await daemon?.stop();
    await feeds.stop();
    tmp.cleanup();
  });

  it('keeps the newest max_items from the first refresh, and applies a lowered limit on reload', async () => {
    const file = join(tmp.dir, 'warta.yaml');
    writeFileSync(file, config(5));
    daemon = new DaemonProcess(`http://127.0.0.1:${port}`, ['--config', file, '--log-level', 'info']);
    await daemon.ready();
    await daemon.until(async () => (await stored()).length > 0);
    expect(await stored()).to.deep.equal(articles.slice(7).reverse().map((a) => a.link));

    writeFileSync(file, config(2));
    daemon.child.kill('SIGHUP');
    await daemon.until(() => daemon.logs().some((l) => l.msg === 'config reloaded'));
    await daemon.until(async () => (await stored()).length === 2);
    expect(await stored()).to.deep.equal(articles.slice(10).reverse().map((a) => a.link));
  });
});
