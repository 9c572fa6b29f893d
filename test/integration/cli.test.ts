import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, runWarta } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';

describe('CLI (the built bin/warta.js)', function () {
  this.timeout(30_000);
  let feeds: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/ok.xml', feedRoute(() => ({ body: rss([{ guid: '1', title: 'Putin di Minsk', link: 'https://b.example/1' }]) })));
    feeds.routes.set('/broken.xml', (_req, res) => void res.writeHead(503).end());
    feeds.routes.set('/gone.xml', (_req, res) => void res.writeHead(410).end());
    tmp = tempDir();
  });
  it('exits quietly with its own status when the reader of its output has gone (`warta --help | head`)', async () => {
    // The read end is closed before the CLI writes: its write fails with EPIPE, which crashed it with a stack trace.
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).to.not.include('EPIPE');
    expect(code).to.equal(0);
  });

  after(async () => {
    await feeds.stop();
    tmp.cleanup();
  });

  const config = (name: string, sources: string) => {
    const file = join(tmp.dir, name);
    writeFileSync(file, `storage:\n  path: "${join(tmp.dir, name + '.db')}"\nsources:\n${sources}tags:\n  - name: Putin\n    match: Putin\n`);
    return file;
  };

  describe('check-config', () => {
    it('exits 0 and says ok for the shipped config', async () => {
      const r = await runWarta(['check-config', '--config', 'config/warta.yaml']);
      expect(r.stderr).to.equal('');
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/config\/warta\.yaml: ok \(3 sources, 4 tags, 1 outputs\)/);
    });

    it('prints every problem as FILE:LINE:COL: message and exits 1', async () => {
      const file = join(tmp.dir, 'bad.yaml');
      writeFileSync(file, 'server:\n  listen: "nowhere"\nsources:\n  - id: a\n    url: "http://x/"\n    schedul: "* * * * *"\ntags:\n  - name: A\n    match: "(a OR"\n');
      const r = await runWarta(['check-config', '--config', file]);
      expect(r.code).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).to.have.length(3);
      expect(lines[0]).to.match(new RegExp(`^${file}:2:11: server\\.listen: must be host:port`));
      expect(lines[1]).to.match(new RegExp(`^${file}:6:5: unknown key "schedul"`));
      expect(lines[2]).to.match(new RegExp(`^${file}:9:\\d+: tag "A": `));
    });

    it('uses WARTA_CONFIG when --config is absent and reports a missing file', async () => {
      const r = await runWarta(['check-config'], { WARTA_CONFIG: join(tmp.dir, 'missing.yaml') });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/missing\.yaml:1:1: cannot read config: no such file/);
    });
  });

  describe('fetch', () => {
    it('prints one line per source and exits 0 when every source answered', async () => {
      const file = config('ok.yaml', `  - id: ok\n    url: "${feeds.url('/ok.xml')}"\n`);
      const r = await runWarta(['fetch', '--config', file]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^ok\tupdated\t200\tnew 1\tupdated 0\t\d+ ms\n$/);
      const again = await runWarta(['fetch', '--config', file]);
      expect(again.stdout).to.match(/^ok\tnot_modified\t304\tnew 0\tupdated 0\t\d+ ms\n$/);
      expect(again.code).to.equal(0);
    });

    it('exits 3 when a polled source failed, lists held-back sources as skipped, and refreshes named sources anyway', async () => {
      const file = config('mixed.yaml', `  - id: ok\n    url: "${feeds.url('/ok.xml')}"\n  - id: broken\n    url: "${feeds.url('/broken.xml')}"\n  - id: gone\n    url: "${feeds.url('/gone.xml')}"\n`);
      const first = await runWarta(['fetch', '--config', file]);
      expect(first.code).to.equal(3);
      expect(first.stdout).to.match(/^broken\tfailed\t503\t.*http_503: HTTP 503$/m);
      expect(first.stdout).to.match(/^gone\tfailed\t410\t.*gone: /m);

      const second = await runWarta(['fetch', '--config', file]);
      expect(second.stdout).to.match(/^broken\tskipped\t-\theld back until \d{4}-/m);
      expect(second.stdout).to.match(/^gone\tskipped\t-\tgone/m);
      expect(second.code).to.equal(0);

      const named = await runWarta(['fetch', '--config', file, 'broken']);
      expect(named.stdout).to.match(/^broken\tfailed\t503/);
      expect(named.stdout.trim().split('\n')).to.have.length(1);
      expect(named.code).to.equal(3);
    });

    it('writes its log lines to stderr as JSON or as pretty lines, as --log-format asks', async () => {
      // A permanent redirect adopted on the first poll is logged at info (warta fetch is otherwise quiet).
      feeds.routes.set('/moved.xml', (_req, res) => void res.writeHead(301, { location: feeds.url('/ok.xml') }).end());
      const logConfig = (name: string) => {
        const file = join(tmp.dir, name);
        writeFileSync(file, `storage:\n  path: "${join(tmp.dir, name + '.db')}"\nfetch:\n  redirect_persist_after: 1\nsources:\n  - id: moved\n    url: "${feeds.url('/moved.xml')}"\n`);
        return file;
      };
      const json = await runWarta(['fetch', '--config', logConfig('json.yaml'), '--log-level', 'info', '--log-format', 'json']);
      expect(json.stdout).to.match(/^moved\tupdated\t200/);
      const events = json.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; service: string; to?: string });
      expect(events.find((e) => e.msg === 'permanent redirect adopted'), json.stderr).to.include({ level: 'info', service: 'warta', to: feeds.url('/ok.xml') });
      const pretty = await runWarta(['fetch', '--config', logConfig('pretty.yaml'), '--log-level', 'info', '--log-format', 'pretty']);
      expect(pretty.stderr).to.include('permanent redirect adopted');
      expect(pretty.stderr.split('\n').some((l) => l.startsWith('{')), pretty.stderr).to.equal(false);
      expect((await runWarta(['fetch', '--config', logConfig('xml.yaml'), '--log-format', 'xml'])).code).to.equal(2);
    });

    it('exits 1 on a config error and 2 on an unknown source id', async () => {
      const bad = join(tmp.dir, 'broken.yaml');
      writeFileSync(bad, 'sources: 5\n');
      expect((await runWarta(['fetch', '--config', bad])).code).to.equal(1);
      const file = config('one.yaml', `  - id: ok\n    url: "${feeds.url('/ok.xml')}"\n`);
      const r = await runWarta(['fetch', '--config', file, 'nope']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/unknown source: nope/);
    });
  });
});
