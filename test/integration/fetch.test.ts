import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { Agent } from 'undici';
import { fetchFeed, isPrivateAddress, makeFetchAgent, type FetchLimits, type FetchResult } from '../../src/pipeline/fetch/fetch.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { pendingBecause } from '../helpers/pending.js';

const limits: FetchLimits = { timeoutMs: 2000, maxBody: 64 * 1024, maxRedirects: 5, userAgent: 'warta/test' };
const now = () => new Date('2026-11-26T10:00:00Z');

describe('pipeline: fetchFeed against a loopback server', () => {
  let server: FeedServer;
  let agent: Agent;
  before(async () => {
    server = await new FeedServer().start();
    agent = makeFetchAgent(limits);
  });
  after(async () => {
    await agent.close();
    await server.stop();
  });
  const get = (path: string, extra: Partial<{ etag: string; lastModified: string }> = {}, l = limits): Promise<FetchResult> =>
    fetchFeed(agent, { url: server.url(path), etag: extra.etag ?? null, lastModified: extra.lastModified ?? null }, l, now);

  it('sends the User-Agent and answers 200 with the body and validators, then 304 on the conditional re-poll', async () => {
    const doc = rss([{ guid: '1', title: 'Putin' }]);
    server.routes.set('/ok', feedRoute(() => ({ body: doc })));
    const first = await get('/ok');
    if (first.kind !== 'ok') throw new Error(JSON.stringify(first));
    expect(first.body.toString('utf8')).to.equal(doc);
    expect(first.contentType).to.equal('application/rss+xml; charset=utf-8');
    expect(server.requests.at(-1)!.headers['user-agent']).to.equal('warta/test');
    const second = await get('/ok', { etag: first.etag! });
    expect(second.kind).to.equal('not_modified');
  });

  it('decompresses gzip', async () => {
    server.routes.set('/gz', (_req, res) => {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(gzipSync(Buffer.from('<rss>gz</rss>')));
    });
    const r = await get('/gz');
    expect(r.kind === 'ok' && r.body.toString()).to.equal('<rss>gz</rss>');
  });

  it('stops a gzip bomb at the decoded size cap', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).to.be.below(limits.maxBody);
    server.routes.set('/bomb', (_req, res) => {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(bomb);
    });
    const r = await get('/bomb');
    expect(r.kind === 'error' && r.error.code).to.equal('too_large');
  });

  it('follows redirects and records each hop with its status', async () => {
    server.routes.set('/old', (_req, res) => {
      res.writeHead(301, { Location: '/mid' }).end();
    });
    server.routes.set('/mid', (_req, res) => {
      res.writeHead(302, { Location: server.url('/ok') }).end();
    });
    const r = await get('/old');
    expect(r.kind).to.equal('ok');
    expect(r.redirects.map((h) => h.status)).to.deep.equal([301, 302]);
    expect(r.url).to.equal(server.url('/ok'));
  });

  it('reports a redirect loop', async () => {
    server.routes.set('/loop-a', (_req, res) => void res.writeHead(301, { Location: '/loop-b' }).end());
    server.routes.set('/loop-b', (_req, res) => void res.writeHead(301, { Location: '/loop-a' }).end());
    const r = await get('/loop-a');
    expect(r.kind === 'error' && r.error.code).to.equal('redirect_loop');
  });

  it('classifies 410, 429 with Retry-After seconds, and 503 with an HTTP date', async () => {
    server.routes.set('/gone', (_req, res) => void res.writeHead(410).end());
    server.routes.set('/slow-down', (_req, res) => void res.writeHead(429, { 'Retry-After': '120' }).end());
    server.routes.set('/down', (_req, res) => void res.writeHead(503, { 'Retry-After': 'Thu, 26 Nov 2026 12:00:00 GMT' }).end());
    const gone = await get('/gone');
    const limited = await get('/slow-down');
    const down = await get('/down');
    expect(gone.kind === 'error' && gone.error.code).to.equal('gone');
    expect(limited.kind === 'error' && [limited.error.code, limited.retryAfter?.toISOString()]).to.deep.equal(['rate_limited', '2026-11-26T10:02:00.000Z']);
    expect(down.kind === 'error' && [down.error.code, down.retryAfter?.toISOString()]).to.deep.equal(['http_503', '2026-11-26T12:00:00.000Z']);
  });

  it('cuts a body that drips past the deadline', async () => {
    server.routes.set('/drip', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      const timer = setInterval(() => res.write('<'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const r = await get('/drip', {}, { ...limits, timeoutMs: 700 });
    expect(r.kind === 'error' && r.error.code).to.equal('timeout');
    expect(Date.now() - started).to.be.below(5000);
  });

  it('refuses non-http schemes without a request', async () => {
    const r = await fetchFeed(agent, { url: 'file:///etc/passwd', etag: null, lastModified: null }, limits, now);
    expect(r.kind === 'error' && r.error.code).to.equal('bad_url');
  });

  it('reports a refused connection as a network error', async () => {
    const r = await fetchFeed(agent, { url: 'http://127.0.0.1:9/feed', etag: null, lastModified: null }, limits, now);
    expect(r.kind === 'error' && r.error.code).to.equal('network');
  });

  it('refuses private addresses when block_private_addresses is on: IP literals and names that resolve to them', async function () {
    const strict = { ...limits, blockPrivateAddresses: true };
    let unexercised: string | null = null;
    const strictAgent = makeFetchAgent(strict);
    try {
      const literal = await fetchFeed(strictAgent, { url: server.url('/ok'), etag: null, lastModified: null }, strict, now);
      expect(literal.kind === 'error' && literal.error.code).to.equal('blocked_address');
      // A name (not an IP literal) goes through the DNS check: this machine's own name resolves to loopback.
      const name = hostname();
      const resolved = await lookup(name).catch(() => null);
      if (resolved && isPrivateAddress(resolved.address)) {
        const port = new URL(server.origin).port;
        const named = await fetchFeed(strictAgent, { url: `http://${name}:${port}/ok`, etag: null, lastModified: null }, strict, now);
        expect(named.kind === 'error' && named.error.code).to.equal('blocked_address');
        expect(named.kind === 'error' && named.error.message).to.match(new RegExp(`${name} resolves to ${resolved.address}, a private address`));
      } else {
        unexercised = `the DNS path was not exercised: ${name} does not resolve to a private address here (the IP-literal and default checks passed)`;
      }
    } finally {
      await strictAgent.close();
    }
    // Off by default: the same URL is fetched.
    const open = await get('/ok');
    expect(open.kind).to.equal('ok');
    if (unexercised !== null) pendingBecause(this, unexercised);
  });

  it('allowLoopback (tests only) lets loopback through the block and nothing else, on every redirect hop', async () => {
    const l = { ...limits, blockPrivateAddresses: true, allowLoopback: true };
    const a = makeFetchAgent(l);
    try {
      server.routes.set('/to-private', (_req, res) => void res.writeHead(302, { Location: 'http://10.0.0.1/feed' }).end());
      server.routes.set('/to-metadata', (_req, res) => void res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end());
      const fetchIt = (url: string) => fetchFeed(a, { url, etag: null, lastModified: null }, l, now);
      expect((await fetchIt(server.url('/ok'))).kind).to.equal('ok');
      const port = new URL(server.origin).port;
      expect((await fetchIt(`http://localhost:${port}/ok`)).kind).to.equal('ok');
      for (const path of ['/to-private', '/to-metadata']) {
        const r = await fetchIt(server.url(path));
        expect(r.kind === 'error' && r.error.code, path).to.equal('blocked_address');
      }
    } finally {
      await a.close();
    }
  });
});
