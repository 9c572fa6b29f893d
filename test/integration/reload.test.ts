import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';

describe('config reload (real daemon process)', function () {
  this.timeout(60_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  let file: string;
  let port: number;

  // The harness adds server.listen and storage.path, the same on every rewrite.
  const config = (extra: { tags?: string; sources?: string } = {}) => `sources:
  - id: satu
    url: "${feeds.url('/satu.xml')}"
${extra.sources ?? ''}tags:
  - name: Putin
    match: Putin
${extra.tags ?? ''}`;

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/satu.xml', feedRoute(() => ({ body: rss([{ guid: '1', title: 'Putin di Minsk', link: 'https://a.example/1' }, { guid: '2', title: 'Lukashenko di Moskow', link: 'https://a.example/2' }]) })));
    feeds.routes.set('/dua.xml', feedRoute(() => ({ body: rss([{ guid: '1', title: 'Lukashenko bicara', link: 'https://b.example/1' }]) })));
    daemon = await startDaemon({ yaml: config() });
    port = daemon.port;
    file = daemon.configPath;
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  const reloads = () => daemon.logs().filter((l) => l.msg === 'config reloaded').length;
  const rejects = () => daemon.logs().filter((l) => String(l.msg).startsWith('config reload rejected'));
  const links = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    if (res.status !== 200) return res.status;
    return ((await res.json()) as { items: { url: string }[] }).items.map((i) => i.url).sort();
  };

  it('applies a valid config on SIGHUP, rejects a broken one with FILE:LINE:COL, and keeps serving throughout', async () => {
    await daemon.until(async () => JSON.stringify(await links('/tags/putin.json')) === '["https://a.example/1"]', { what: '/tags/putin.json to list the Putin item' });

    // Requests keep flowing during every reload; none may fail.
    let stop = false;
    const failures: string[] = [];
    let served = 0;
    const load = (async () => {
      while (!stop) {
        const res = await fetch(`http://127.0.0.1:${port}/tags/putin.rss`).catch((e: Error) => ({ status: e.message }));
        if (res.status !== 200) failures.push(String(res.status));
        served++;
      }
    })();

    daemon.writeConfig(config({ tags: '  - name: Lukashenko\n    match: Lukashenko\n', sources: `  - id: dua\n    url: "${feeds.url('/dua.xml')}"\n` }));
    const before = reloads();
    let servedAtSignal = served;
    daemon.child.kill('SIGHUP');
    await daemon.until(() => reloads() > before, { what: 'a "config reloaded" log line after SIGHUP' });
    // Served across the reload, however fast this machine is: requests answered after the signal.
    await daemon.until(() => served > servedAtSignal + 1, { what: 'requests answered after the reload' });
    // The new tag is applied to stored items (re-tag) and to the new source's items (polled at once).
    await daemon.until(async () => JSON.stringify(await links('/tags/lukashenko.json')) === '["https://a.example/2","https://b.example/1"]', { what: '/tags/lukashenko.json to list the re-tagged and the new source\'s items' });

    daemon.writeConfig(config({ tags: '  - name: Lukashenko\n    match: "(Lukashenko OR"\n' }));
    const rejectedBefore = rejects().length;
    servedAtSignal = served;
    daemon.child.kill('SIGHUP');
    await daemon.until(() => rejects().length > rejectedBefore, { what: 'a "config reload rejected" log line after SIGHUP' });
    await daemon.until(() => served > servedAtSignal + 1, { what: 'requests answered after the rejected reload' });
    const problems = rejects().at(-1)!.problems as string[];
    expect(problems[0]).to.match(new RegExp(`^${file}:\\d+:\\d+: tag "Lukashenko": `));
    expect(await links('/tags/lukashenko.json')).to.deep.equal(['https://a.example/2', 'https://b.example/1']);

    stop = true;
    await load;
    expect(failures).to.deep.equal([]);
  });

  it('reloads when the file changes, and keeps the running config when the file is deleted', async () => {
    const before = reloads();
    daemon.writeConfig(config({ tags: '  - name: Minsk\n    match: Minsk\n' }));
    await daemon.until(() => reloads() > before, { what: 'a "config reloaded" log line after the file changed' });
    await daemon.until(async () => JSON.stringify(await links('/tags/minsk.json')) === '["https://a.example/1"]', { what: '/tags/minsk.json to list the Minsk item' });
    expect(await links('/tags/lukashenko.json')).to.equal(404);

    const rejectedBefore = rejects().length;
    rmSync(file);
    await daemon.until(() => rejects().length > rejectedBefore, { what: 'a "config reload rejected" log line after the file was deleted' });
    expect(String(rejects().at(-1)!.problems)).to.match(/cannot read config: no such file/);
    expect(await links('/tags/minsk.json')).to.deep.equal(['https://a.example/1']);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
  });
});
