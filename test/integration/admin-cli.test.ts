import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, freePort, REPO, runWarta } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';

// What a new admin tripped over (issue 16), each checked with the built CLI as a user runs it.
describe('CLI as an admin meets it (issue 16)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir()));
  after(() => tmp.cleanup());

  const write = (name: string, text: string) => {
    const file = join(tmp.dir, name);
    writeFileSync(file, text);
    return file;
  };
  const daemonConfig = (name: string, port: number) => write(name, `server:\n  listen: "127.0.0.1:${port}"\nstorage:\n  path: "${join(tmp.dir, `${name}.db`)}"\n`);
  const healthy = async (port: number) => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  };

  describe('item 1: stopping `npm start`, and a port in use', () => {
    it('SIGTERM to the `npm start` process stops the daemon (npm signals node itself, not a shell in between)', async () => {
      const port = await freePort();
      const file = daemonConfig('npm-start.yaml', port);
      // Its own process group, so a daemon left behind (the bug) is still killed after the test.
      const npm = spawn('npm', ['start', '--silent'], { cwd: REPO, env: { ...process.env, WARTA_CONFIG: file }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const group = npm.pid!;
      let out = '';
      npm.stdout.on('data', (d) => (out += d));
      npm.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
      try {
        const until = Date.now() + 30_000;
        while (!(await healthy(port))) {
          if (Date.now() > until || npm.exitCode !== null) throw new Error(`daemon did not start:\n${out}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        npm.kill('SIGTERM');
        await exited;
        // The daemon logs its own stop, and nothing answers on the port any more (before: reparented, still 200).
        expect(await healthy(port)).to.equal(false);
        expect(out).to.match(/"msg":"stopped"/);
      } finally {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // The group is gone: nothing was left behind.
        }
      }
    });

    it('a port held by another warta: one line naming the address and the cause, exit 1, no stack trace', async () => {
      const port = await freePort();
      const file = daemonConfig('busy.yaml', port);
      const first = new DaemonProcess(`http://127.0.0.1:${port}`, ['--config', file]);
      try {
        await first.ready();
        // A database of its own: on the first's, the SQLite guard would refuse it before it tries the port
        // (test/integration/daemon-lock.test.ts).
        const second = await runWarta(['start', '--config', daemonConfig('busy-2.yaml', port)]);
        expect(second.code).to.equal(1);
        expect(second.stderr).to.equal(
          `warta start: cannot listen on 127.0.0.1:${port}: address already in use: another warta is already running there (its /healthz answers); stop it first (find it with: pgrep -af "warta.js start")\n`,
        );
      } finally {
        await first.stop();
      }
    });

    it('a port held by another program: says so', async () => {
      const port = await freePort();
      const { createServer } = await import('node:net');
      const other = createServer((s) => s.end());
      await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
      try {
        const r = await runWarta(['start', '--config', daemonConfig('other.yaml', port)]);
        expect(r.code).to.equal(1);
        expect(r.stderr.trim().split('\n')).to.deep.equal([`warta start: cannot listen on 127.0.0.1:${port}: address already in use: another program is listening there; stop it or choose another port (server.listen or WARTA_LISTEN)`]);
      } finally {
        other.close();
      }
    });
  });

  describe('items 5 and 7: check-config reports what start would reject, and start refuses it the same way', () => {
    const cases: { name: string; text: string; env?: () => NodeJS.ProcessEnv; line: RegExp }[] = [
      {
        name: 'a typo in source: inside an output query',
        text: "sources:\n  - id: viva\n    url: http://x/\noutputs:\n  - id: o\n    title: O\n    match: 'NOT source:vivaa'\n",
        line: /:7:24: output "o": source:vivaa names unknown source "vivaa" \(did you mean "viva"\?\)$/,
      },
      { name: 'a port above 65535 in the file', text: 'server:\n  listen: "127.0.0.1:99999"\n', line: /:2:11: server\.listen: port must be 1–65535$/ },
      {
        name: 'a bad port in WARTA_LISTEN',
        text: 'server:\n  listen: "127.0.0.1:8080"\n',
        env: () => ({ WARTA_LISTEN: '127.0.0.1:99999' }),
        line: /:2:11: WARTA_LISTEN="127\.0\.0\.1:99999": server\.listen: port must be 1–65535$/,
      },
      {
        name: 'an address this machine does not have',
        text: 'server:\n  listen: "192.0.2.77:8080"\n',
        line: /:2:11: server\.listen: 192\.0\.2\.77 is not an address of this machine/,
      },
      {
        name: 'a database path under a regular file (WARTA_DB)',
        text: 'storage:\n  path: "data/w.db"\n',
        env: () => ({ WARTA_DB: join(write('plain-file', ''), 'warta.db') }),
        line: /:2:9: WARTA_DB=".*\/plain-file\/warta\.db": storage\.path: cannot create the database: .*\/plain-file is a file, not a directory$/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const file = write('rejected.yaml', c.text);
        const env = c.env?.() ?? {};
        const check = await runWarta(['check-config', '--config', file], env);
        expect(check.code, check.stdout).to.equal(1);
        expect(check.stderr.trim().split('\n')).to.have.length(1);
        expect(check.stderr.trim()).to.match(c.line).and.to.satisfy((l: string) => l.startsWith(`${file}:`));
        const start = await runWarta(['start', '--config', file], env);
        expect(start.code).to.equal(1);
        expect(start.stderr).to.equal(check.stderr);
      });
    }
  });

  describe('item 9: --help and behaviour agree', () => {
    // The README's CLI table: | `warta COMMAND [args]` | what | exit |
    const readmeRows = [...readFileSync(join(REPO, 'README.md'), 'utf8').matchAll(/^\| `warta ([a-z-]+(?: [a-z]+)?)[^`]*` \| .* \| ([^|]+) \|$/gm)].map((m) => ({
      command: m[1]!,
      exit: m[2]!.trim(),
    }));

    it('the README lists every command', () => {
      expect(readmeRows.map((r) => r.command).sort()).to.deep.equal(
        ['backup', 'check-config', 'extract', 'fetch', 'migrate-store', 'opml export', 'opml import', 'schema', 'sources', 'start', 'stories explain', 'tags explain', 'tags test'].sort(),
      );
    });

    for (const command of ['start', 'fetch', 'extract', 'sources', 'check-config', 'tags test', 'tags explain', 'stories explain', 'backup', 'migrate-store', 'opml export', 'opml import', 'schema']) {
      it(`warta ${command} --help states the README's exit codes and --config`, async () => {
        const r = await runWarta([...command.split(' '), '--help']);
        expect(r.code).to.equal(0);
        const row = readmeRows.find((x) => x.command === command);
        expect(r.stdout).to.include(`Exit status: ${row!.exit}\n`);
        expect(r.stdout).to.match(/-c, --config <file>/);
      });
    }

    it('every command takes --config (schema too)', async () => {
      const missing = join(tmp.dir, 'no-such.yaml');
      for (const args of [['start'], ['fetch'], ['sources'], ['check-config'], ['tags', 'test'], ['tags', 'explain', '1'], ['stories', 'explain', '1'], ['backup', join(tmp.dir, 'b.db')], ['opml', 'export'], ['opml', 'import', 'x.opml']]) {
        const r = await runWarta([...args, '--config', missing]);
        expect(r.stderr, args.join(' ')).to.equal(`${missing}:1:1: cannot read config: no such file\n`);
        expect(r.code, args.join(' ')).to.equal(1);
      }
      const schema = await runWarta(['schema', '--config', missing]);
      expect(schema.code).to.equal(0);
      expect(JSON.parse(schema.stdout)).to.have.property('title', 'warta configuration');
    });

    it('fetch --help describes what a plain `warta fetch` does: every source but gone and held-back ones', async () => {
      const r = await runWarta(['fetch', '--help']);
      expect(r.stdout).not.to.match(/due/);
      expect(r.stdout.replace(/\s+/g, ' ')).to.include('default: every source, except gone ones and those held back after failures or a Retry-After; a named source is refreshed anyway');
    });

    it('backup names itself once in its errors', async () => {
      const file = write('backup.yaml', `storage:\n  path: "${join(tmp.dir, 'backup.db')}"\n`);
      const dest = join(tmp.dir, 'copy.db');
      expect((await runWarta(['fetch', '--config', file])).code).to.equal(0); // creates the database (no sources to poll)
      expect((await runWarta(['backup', dest, '--config', file])).code).to.equal(0);
      const again = await runWarta(['backup', dest, '--config', file]);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.equal(`warta backup: ${dest} already exists; choose another file or pass --force to overwrite it\n`);
    });

    it('opml import --dry-run prints a unified diff of the config that patch(1) applies, and writes nothing', async () => {
      const original = 'sources:\n  # the wire\n  - id: antara-dunia\n    url: "https://www.antaranews.com/rss/dunia.xml"\n';
      const file = write('opml-dry.yaml', original);
      const opml = write('feeds.opml', '<?xml version="1.0"?><opml version="2.0"><head><title>r</title></head><body><outline type="rss" text="Tempo Nasional" xmlUrl="https://rss.tempo.co/nasional"/></body></opml>');
      const r = await runWarta(['opml', 'import', opml, '--dry-run', '--config', file]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^--- ${file}\n\\+\\+\\+ ${file}\n@@ `));
      expect(r.stdout).to.include('+  - id: tempo-nasional\n');
      expect(r.stdout).not.to.match(/^ {2}# the wire/m); // context only around the change, not the whole file
      expect(r.stderr).to.equal(`${file}: 1 source would be added, 0 skipped (dry run: nothing written)\n`);
      expect(readFileSync(file, 'utf8')).to.equal(original);
      const patched = spawnSync('patch', ['-p0', '--dry-run'], { cwd: '/', input: r.stdout.replaceAll(`${file}`, file.slice(1)), encoding: 'utf8' });
      expect(patched.status, patched.stdout + patched.stderr).to.equal(0);
    });
  });

  describe('item 9: fetch and sources print times one way, in fetch.timezone with the offset', () => {
    let feeds: FeedServer;
    before(async () => {
      feeds = await new FeedServer().start();
      feeds.routes.set('/ok.xml', feedRoute(() => ({ body: rss([{ guid: '1', title: 'Putin di Minsk', link: 'https://b.example/1' }]) })));
      feeds.routes.set('/down.xml', (_req, res) => void res.writeHead(503).end());
    });
    after(() => feeds.stop());

    it('held-back times in `warta fetch` and poll times in `warta sources` are in Asia/Jakarta (+07:00)', async () => {
      const file = write('tz.yaml', `storage:\n  path: "${join(tmp.dir, 'tz.db')}"\nfetch:\n  timezone: "Asia/Jakarta"\nsources:\n  - id: ok\n    url: "${feeds.url('/ok.xml')}"\n  - id: down\n    url: "${feeds.url('/down.xml')}"\n`);
      expect((await runWarta(['fetch', '--config', file])).code).to.equal(3);
      const again = await runWarta(['fetch', '--config', file]);
      expect(again.stdout).to.match(/^down\tskipped\t-\theld back until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00 \(backoff or Retry-After\)$/m);
      const sources = await runWarta(['sources', '--config', file]);
      const ok = sources.stdout.split('\n').find((l) => l.startsWith('ok '))!;
      expect(ok).to.match(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00/);
      expect(sources.stdout).not.to.match(/T\d\d:|Z\b/);
    });
  });
});
