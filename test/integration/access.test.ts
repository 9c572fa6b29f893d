import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWarta, runWarta as runCli, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { get, type Answer } from '../helpers/http-client.js';
import { tempDir } from '../helpers/tmp.js';

// Issue 17 through the real daemon: who may see what, secrets never shown, private means private.
const ADMIN = 'admin-3f9c1d7e5b2a4c6e8f0a';
const OUTPUT_TOKEN = 'redaksi-7f3a9c2e41b5d6e8';
const PASSWORD = 's3cretpass';
const API_KEY = 'TOPSECRETKEY';
const LOOP_TOKEN = 'LOOPSECRET4242';
const SECRETS = [PASSWORD, API_KEY, LOOP_TOKEN, ADMIN];
const REMOTE = '127.0.0.2'; // a loopback address the daemon treats as another machine (WARTA_TEST_REMOTE_ADDRESSES)

const PUBLIC_FEED = rss([{ guid: 'p1', title: 'Putin di Minsk (publik)', link: 'https://publik.example/1', pubDate: 'Thu, 26 Nov 2026 09:00:00 +0700' }]);
const PRIVATE_FEED = rss([{ guid: 'r1', title: 'Putin RAHASIA memo', link: 'https://rahasia.example/1', pubDate: 'Thu, 26 Nov 2026 10:00:00 +0700' }]);

/** Feeds: a public one, one that wants Basic auth and an API key, one whose redirect loop quotes its secret URL. */
async function startFeeds(): Promise<FeedServer> {
  const feeds = await new FeedServer().start();
  feeds.routes.set('/publik.xml', feedRoute(() => ({ body: PUBLIC_FEED })));
  const privateRoute = feedRoute(() => ({ body: PRIVATE_FEED }));
  feeds.routes.set('/rahasia.xml', (req, res) => {
    const basic = `Basic ${Buffer.from(`user:${PASSWORD}`).toString('base64')}`;
    if (req.headers.authorization !== basic || !req.url!.includes(`apikey=${API_KEY}`)) {
      res.statusCode = 401;
      return res.end();
    }
    privateRoute(req, res);
  });
  feeds.routes.set('/loop', (req, res) => {
    res.statusCode = 301;
    res.setHeader('Location', req.url!);
    res.end();
  });
  return feeds;
}

/** The config; the harness adds server.listen (a free port on 127.0.0.1) and storage.path. */
function configText(feeds: FeedServer, server: string): string {
  return `server:
${server}
sources:
  - id: publik
    url: "${feeds.url('/publik.xml')}"
  - id: rahasia
    url: "http://user:${PASSWORD}@${feeds.origin.slice(7)}/rahasia.xml?apikey=${API_KEY}"
    private: true
  - id: loop
    url: "${feeds.url(`/loop?token=${LOOP_TOKEN}`)}"
tags:
  - name: Putin
    match: Putin
outputs:
  - id: umum
    title: Umum
    tags: [Putin]
  - id: umum-sumber
    title: Umum menurut sumber
    sources: [publik, rahasia]
  - id: redaksi
    title: Redaksi
    sources: [publik, rahasia]
    token: "\${WARTA_TEST_OUTPUT_TOKEN}"
  - id: redaksi-tag
    title: Redaksi menurut tag
    tags: [Putin]
    token: "\${WARTA_TEST_OUTPUT_TOKEN}"
log:
  level: debug
`;
}

/** Starts a daemon through the harness and waits until both feeds are stored and the loop source has failed. */
async function startAccessDaemon(feeds: FeedServer, server: string, env: NodeJS.ProcessEnv, withToken: boolean): Promise<Daemon> {
  const daemon = await startDaemon({
    yaml: configText(feeds, server),
    env: { WARTA_TEST_OUTPUT_TOKEN: OUTPUT_TOKEN, WARTA_TEST_REMOTE_ADDRESSES: `${REMOTE},127.0.0.3`, ...env },
  });
  try {
    const auth = withToken ? { authorization: `Bearer ${ADMIN}` } : undefined;
    await daemon.until(
      async () => {
        const r = await get(`${daemon.base}/api/sources`, { headers: auth });
        const list = JSON.parse(r.body) as { id: string; items: number; last_error: unknown }[];
        return list.find((s) => s.id === 'rahasia')?.items === 1 && list.find((s) => s.id === 'publik')?.items === 1 && list.find((s) => s.id === 'loop')?.last_error !== null;
      },
      { what: 'both feeds stored (one item each) and the loop source failed' },
    );
  } catch (err) {
    await daemon.close();
    throw err;
  }
  return daemon;
}

function expectNoSecrets(where: string, text: string, secrets = SECRETS) {
  for (const s of secrets) expect(text.includes(s), `${where} shows the secret ${s}`).to.equal(false);
}

describe('access: admin token, secrets, private sources (real daemon process)', function () {
  this.timeout(60_000);
  let feeds: FeedServer;

  before(async () => {
    feeds = await startFeeds();
  });
  after(async () => feeds.stop());

  describe('with server.admin_token', () => {
    let daemon: Daemon;
    let base: string;
    let file: string;
    const seen: Answer[] = [];
    const bearer = { authorization: `Bearer ${ADMIN}` };

    before(async () => {
      daemon = await startAccessDaemon(feeds, '  admin_token: "${WARTA_TEST_ADMIN}"', { WARTA_TEST_ADMIN: ADMIN }, true);
      ({ base, configPath: file } = daemon);
    });
    after(async () => daemon?.close());

    const ADMIN_ROUTES = ['/api/sources', '/api/items', '/api/items?source=rahasia', '/api/items/1', '/metrics'];

    it('answers the admin routes 401 with no detail without the token or with a wrong one, from loopback and from elsewhere', async () => {
      for (const path of ADMIN_ROUTES) {
        for (const opts of [{}, { headers: { authorization: `Bearer ${ADMIN}x` } }, { headers: { authorization: ADMIN } }, { from: REMOTE }, { from: REMOTE, headers: { authorization: 'Bearer nope' } }]) {
          const r = await get(`${base}${path}`, { ...opts, seen });
          expect(r.status, `${path} ${JSON.stringify(opts)}`).to.equal(401);
          expect(JSON.parse(r.body)).to.deep.equal({ error: { code: 'unauthorized', message: 'unauthorized' } });
          expect(r.headers['www-authenticate']).to.equal('Bearer realm="warta"');
        }
      }
    });

    it('answers them with the right token, from anywhere, with every URL and error message redacted', async () => {
      for (const path of ADMIN_ROUTES) {
        for (const from of [undefined, REMOTE]) expect((await get(`${base}${path}`, { headers: bearer, from, seen })).status, path).to.equal(200);
      }
      const sources = JSON.parse((await get(`${base}/api/sources`, { headers: bearer, seen })).body) as { id: string; url: string; last_error: { code: string; message: string } | null }[];
      const byId = new Map(sources.map((s) => [s.id, s]));
      expect(byId.get('rahasia')!.url).to.equal(`http://***@${feeds.origin.slice(7)}/rahasia.xml?apikey=***`);
      expect(byId.get('loop')!.url).to.equal(feeds.url('/loop?token=***'));
      expect(byId.get('loop')!.last_error!.code).to.equal('redirect_loop');
      expect(byId.get('loop')!.last_error!.message).to.include('/loop?token=***');
    });

    it('shows the admin the private source’s items (fetched with the URL’s credentials and key)', async () => {
      const items = JSON.parse((await get(`${base}/api/items?source=rahasia`, { headers: bearer, seen })).body) as { items: { title: string }[] };
      expect(items.items.map((i) => i.title)).to.deep.equal(['Putin RAHASIA memo']);
      const all = JSON.parse((await get(`${base}/api/items`, { headers: bearer, seen })).body) as { items: { source: string }[] };
      expect(all.items.map((i) => i.source).sort()).to.deep.equal(['publik', 'rahasia']);
    });

    it('keeps the private source’s items out of every public route, for anyone without the token', async () => {
      const publicPaths = ['/', '/opml', '/tags/putin.rss', '/tags/putin.atom', '/tags/putin.json', '/feeds/umum.rss', '/feeds/umum.json', '/feeds/umum-sumber.atom', '/feeds/umum-sumber.json'];
      for (const path of publicPaths) {
        for (const from of [undefined, REMOTE]) {
          const r = await get(`${base}${path}`, { from, seen });
          expect(r.status, path).to.equal(200);
          expect(r.body, path).not.to.match(/RAHASIA|rahasia\.example/);
        }
      }
      expect((await get(`${base}/tags/putin.json`)).body).to.include('Putin di Minsk (publik)');
    });

    it('publishes them in the private output that names the source, not in one that does not', async () => {
      const named = await get(`${base}/feeds/redaksi.json?token=${OUTPUT_TOKEN}`, { from: REMOTE, seen });
      expect(named.status).to.equal(200);
      expect(named.body).to.include('Putin RAHASIA memo').and.to.include('Putin di Minsk (publik)');
      const byTag = await get(`${base}/feeds/redaksi-tag.json?token=${OUTPUT_TOKEN}`, { seen });
      expect(byTag.body).to.include('Putin di Minsk (publik)').and.not.to.include('RAHASIA');
      expect((await get(`${base}/feeds/redaksi.json`, { seen })).status).to.equal(404);
    });

    it('shows source health on / only to the admin: bearer token, or the cookie a ?token= visit sets', async () => {
      const anon = await get(`${base}/`, { seen });
      expect(anon.body).not.to.include('id="sources"');
      expect(anon.body).not.to.include('Redaksi'); // private outputs are never listed
      const admin = await get(`${base}/`, { headers: bearer, from: REMOTE, seen });
      expect(admin.body).to.include('id="sources"').and.to.include('http://***@');
      expect(admin.headers['cache-control']).to.equal('private, no-store');
      expect((await get(`${base}/`, { headers: { authorization: 'Bearer wrong' }, seen })).status).to.equal(401);

      const wrongVisit = await get(`${base}/?token=wrong-token-0123456789`, { seen });
      expect(wrongVisit.status).to.equal(401);
      expect(wrongVisit.headers['set-cookie']).to.equal(undefined);
      const visit = await get(`${base}/?token=${ADMIN}`, { from: REMOTE, seen });
      expect(visit.status).to.equal(303);
      expect(visit.headers.location).to.equal('./');
      const cookie = visit.headers['set-cookie']![0]!;
      expect(cookie).to.match(/^warta_admin=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
      expectNoSecrets('the cookie', cookie);
      const withCookie = await get(`${base}/`, { headers: { cookie: cookie.split(';')[0]! }, from: REMOTE, seen });
      expect(withCookie.body).to.include('id="sources"');
      // The cookie is for the page; the API wants the bearer token.
      expect((await get(`${base}/api/sources`, { headers: { cookie: cookie.split(';')[0]! }, seen })).status).to.equal(401);
    });

    it('keeps feeds, /opml, /healthz and /readyz public', async () => {
      for (const path of ['/tags/putin.rss', '/opml', '/healthz', '/readyz']) expect((await get(`${base}${path}`, { from: REMOTE, seen })).status, path).to.equal(200);
    });

    it('warta sources and warta opml export redact unless --show-secrets', async () => {
      const env = { WARTA_TEST_OUTPUT_TOKEN: OUTPUT_TOKEN, WARTA_TEST_ADMIN: ADMIN };
      const runWarta = (args: string[]) => runCli(args, env);
      const table = await runWarta(['sources', '--config', file]);
      expect(table.code).to.equal(0);
      expectNoSecrets('warta sources', table.stdout + table.stderr);
      expect(table.stdout).to.include('/loop?token=***');
      const json = await runWarta(['sources', '--json', '--config', file]);
      expectNoSecrets('warta sources --json', json.stdout);
      const shown = await runWarta(['sources', '--json', '--show-secrets', '--config', file]);
      expect(shown.stdout).to.include(`user:${PASSWORD}@`).and.to.include(`apikey=${API_KEY}`);
      const opml = await runWarta(['opml', 'export', '--config', file]);
      expect(opml.code).to.equal(0);
      expectNoSecrets('warta opml export', opml.stdout);
      expect(opml.stdout).to.include('apikey=***');
      expect((await runWarta(['opml', 'export', '--show-secrets', '--config', file])).stdout).to.include(`apikey=${API_KEY}`);
      // warta fetch's report and its log (stderr) quote the failing URL, masked.
      const fetched = await runWarta(['fetch', 'loop', 'rahasia', '--log-level', 'debug', '--config', file]);
      expect(fetched.stdout).to.include('redirect_loop: redirect loop:').and.to.include('/loop?token=***');
      expectNoSecrets('warta fetch', fetched.stdout + fetched.stderr);
    });

    it('never shows a secret: not in any response body, /metrics or the log', async () => {
      const metrics = await get(`${base}/metrics`, { headers: bearer });
      expect(metrics.body).to.include('warta_fetches_total{source="rahasia"');
      expectNoSecrets('/metrics', metrics.body);
      expect(seen.length).to.be.greaterThan(60);
      // The private output's own token appears only in its own self links, where it belongs.
      for (const r of seen) expectNoSecrets(`a response (${r.status})`, r.body + JSON.stringify(r.headers), r.body.includes('/feeds/redaksi') ? SECRETS : [...SECRETS, OUTPUT_TOKEN]);
      await daemon.stop();
      const log = daemon.stdout + daemon.stderr;
      expect(log).to.include('"source":"rahasia"').and.to.include('redirect loop');
      expectNoSecrets('the log', log, [...SECRETS, OUTPUT_TOKEN]);
      expect(log).to.include('apikey=***').and.to.include('/loop?token=***'); // the lines are there, masked
      expect(readFileSync(file, 'utf8')).to.include(PASSWORD); // the config itself keeps the real URL
    });
  });

  describe('without server.admin_token', () => {
    let daemon: Daemon;
    let base: string;
    let file: string;
    const seen: Answer[] = [];

    before(async () => {
      // WARTA_TEST_ADMIN is set for the reload case at the end; the config does not use it until then.
      daemon = await startAccessDaemon(feeds, '  rate_limit:\n    requests_per_minute: 60\n    burst: 20', { WARTA_TEST_ADMIN: ADMIN }, false);
      ({ base, configPath: file } = daemon);
    });
    after(async () => daemon?.close());

    it('answers the admin routes to loopback clients only; others get 403 with a one-line hint', async () => {
      for (const path of ['/api/sources', '/api/items', '/metrics']) {
        expect((await get(`${base}${path}`, { seen })).status, path).to.equal(200);
        const remote = await get(`${base}${path}`, { from: REMOTE, seen });
        expect(remote.status, path).to.equal(403);
        const message = (JSON.parse(remote.body) as { error: { message: string } }).error.message;
        expect(message).to.include('server.admin_token').and.not.to.include('\n');
      }
      // A bearer token means nothing when none is configured.
      expect((await get(`${base}/api/sources`, { from: REMOTE, headers: { authorization: `Bearer ${ADMIN}` } })).status).to.equal(403);
    });

    it('treats a request that came through a proxy as remote', async () => {
      expect((await get(`${base}/api/sources`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).to.equal(403);
      expect((await get(`${base}/`, { headers: { forwarded: 'for=203.0.113.9' } })).body).not.to.include('id="sources"');
    });

    it('gives a remote client the public page without source health, and public feeds without private items', async () => {
      const page = await get(`${base}/`, { from: REMOTE, seen });
      expect(page.status).to.equal(200);
      expect(page.body).not.to.include('id="sources"');
      expect((await get(`${base}/`, { seen })).body).to.include('id="sources"');
      const feed = await get(`${base}/feeds/umum-sumber.json`, { from: REMOTE, seen });
      expect(feed.body).to.include('Putin di Minsk (publik)').and.not.to.include('RAHASIA');
      for (const r of seen) expectNoSecrets(`a response (${r.status})`, r.body);
    });

    it('limits a public client’s request rate with 429 and Retry-After, never the probes, never the admin', async () => {
      const from = '127.0.0.3';
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) statuses.push((await get(`${base}/tags/putin.rss`, { from })).status);
      expect(statuses.slice(0, 20).every((s) => s === 200 || s === 304)).to.equal(true);
      const limited = await get(`${base}/tags/putin.rss`, { from });
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers['retry-after'])).to.be.within(1, 60);
      expect(JSON.parse(limited.body)).to.have.nested.property('error.code', 'rate_limited');
      expect((await get(`${base}/healthz`, { from })).status).to.equal(200);
      expect((await get(`${base}/readyz`, { from })).status).to.equal(200);
      // Another client is not held back by the first; nor is the admin (loopback here).
      expect((await get(`${base}/tags/putin.rss`, { from: REMOTE })).status).to.equal(200);
      for (let i = 0; i < 30; i++) expect((await get(`${base}/tags/putin.rss`)).status).to.equal(200);
    });

    it('counts each client behind a trusted proxy on its own (server.trusted_proxies, applied by a reload)', async () => {
      const proxy = '127.0.0.4';
      const reloadsBefore = daemon.logs().filter((l) => l.msg === 'config reloaded').length;
      writeFileSync(file, readFileSync(file, 'utf8').replace('  rate_limit:', `  trusted_proxies: ["${proxy}"]\n  rate_limit:`));
      daemon.child.kill('SIGHUP');
      await daemon.until(() => daemon.logs().filter((l) => l.msg === 'config reloaded').length > reloadsBefore, { what: 'the reload adding trusted_proxies' });
      const via = (client: string) => get(`${base}/tags/putin.rss`, { from: proxy, headers: { 'x-forwarded-for': client } });
      const first: number[] = [];
      for (let i = 0; i < 21; i++) first.push((await via('203.0.113.1')).status);
      expect(first.slice(0, 20).every((s) => s === 200)).to.equal(true);
      expect(first[20]).to.equal(429);
      // Another reader behind the same proxy has its own bucket.
      expect((await via('203.0.113.2')).status).to.equal(200);
      // Headers from a peer that is not a trusted proxy count for nothing: 127.0.0.3 was limited above.
      expect((await get(`${base}/tags/putin.rss`, { from: '127.0.0.3', headers: { 'x-forwarded-for': '203.0.113.77' } })).status).to.equal(429);
    });

    it('applies an admin token added by a reload without a restart', async () => {
      writeFileSync(file, readFileSync(file, 'utf8').replace('  rate_limit:', '  admin_token: "${WARTA_TEST_ADMIN}"\n  rate_limit:'));
      daemon.child.kill('SIGHUP');
      await daemon.until(async () => (await get(`${base}/api/sources`)).status === 401, { what: '/api/sources to answer 401 after the reload added the token' });
      expect((await get(`${base}/api/sources`, { from: REMOTE, headers: { authorization: `Bearer ${ADMIN}` } })).status).to.equal(200);
      expect(daemon.stdout).not.to.include(ADMIN);
    });
  });

  it('warta check-config warns about a non-loopback listen without a token and a private output over public sources', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'w.yaml');
      writeFileSync(file, `server:\n  listen: "0.0.0.0:8080"\nsources:\n  - id: a\n    url: "https://a.example/f"\noutputs:\n  - id: o\n    title: O\n    sources: [a]\n    token: "${OUTPUT_TOKEN}"\n`);
      const r = await runWarta(['check-config', '--config', file]);
      expect(r.code).to.equal(0);
      expect(r.stderr).to.include(`${file}:2:11: warning: server.listen "0.0.0.0:8080" accepts other machines but server.admin_token is not set`);
      expect(r.stderr).to.include(`${file}:10:12: warning: output "o" is private but draws only from public sources`);
      const ok = await runWarta(['check-config', '--config', file], { WARTA_ADMIN_TOKEN: ADMIN });
      expect(ok.stderr).not.to.include('server.listen');
    } finally {
      tmp.cleanup();
    }
  });
});
