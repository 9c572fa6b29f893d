import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { makeAdminAuth } from '../../../src/http/admin.js';
import { makeHandler, startServer, stopServer, type ServerDeps } from '../../../src/http/server.js';
import type { FeedRenderer, Rendered } from '../../../src/publish/catalogue.js';

const body = Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>All</title></channel></rss>');
const doc: Rendered = { body, gzipped: gzipSync(body), contentType: 'application/rss+xml; charset=utf-8', etag: '"a1"', lastModified: new Date('2026-12-01T10:00:00Z') };

/** Deps over one feed, /feeds/all: `cached` says whether it is current; `render` what a render gives. */
function depsFor(feed: { cached: () => Rendered | undefined; render: () => Promise<Rendered | null> }): ServerDeps {
  const feeds = { cached: feed.cached, render: feed.render, opml: () => doc, tags: async () => [] } as unknown as FeedRenderer;
  const auth = makeAdminAuth({ token: null, secureCookie: false });
  return {
    feeds: () => feeds,
    sources: async () => [],
    items: () => ({}) as ReturnType<ServerDeps['items']>,
    indexPage: async () => '<p>page</p>',
    access: () => ({ auth, rateLimit: { perMinute: 0, burst: 0, concurrentRenders: 4 } }),
    metrics: { countRequest() {} } as unknown as ServerDeps['metrics'],
    ready: async () => ({ ok: true, checks: {} }),
    log: pino({ level: 'silent' }),
  };
}

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('http/server', () => {
  it('answers a current cached feed before the handler returns, with no promise; a render returns one', async () => {
    const returned: unknown[] = [];
    let current = true;
    const handle = makeHandler(depsFor({ cached: () => (current ? doc : undefined), render: async () => doc }));
    const server = createServer((req, res) => {
      const r = handle(req, res);
      // The cached answer is complete (ended) in the same turn; only a render leaves work pending.
      returned.push({ promise: r instanceof Promise, ended: res.writableEnded });
      if (r instanceof Promise) r.catch(() => {});
    });
    const base = await listen(server);
    try {
      const cached = await fetch(`${base}/feeds/all.rss`);
      assert.equal(cached.status, 200);
      assert.equal(await cached.text(), body.toString());
      const notModified = await fetch(`${base}/feeds/all.rss`, { headers: { 'if-none-match': '"a1"' } });
      assert.equal(notModified.status, 304);
      current = false;
      const rendered = await fetch(`${base}/feeds/all.rss`);
      assert.equal(rendered.status, 200);
      assert.deepEqual(returned, [
        { promise: false, ended: true },
        { promise: false, ended: true },
        { promise: true, ended: false },
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('turns a failure thrown at once and a failed render alike into a 500, and names no query in a 404', async () => {
    const table: { name: string; cached: () => Rendered | undefined; render: () => Promise<Rendered | null>; url: string; status: number; text?: RegExp; not?: RegExp }[] = [
      { name: 'cached() throws', cached: () => { throw new Error('boom'); }, render: async () => doc, url: '/feeds/all.rss', status: 500, text: /internal error/ },
      { name: 'render() rejects', cached: () => undefined, render: async () => { throw new Error('boom'); }, url: '/feeds/all.rss', status: 500, text: /internal error/ },
      { name: 'no such feed, with a token in the query', cached: () => undefined, render: async () => null, url: '/feeds/nope.rss?token=s3cret', status: 404, text: /no feed at \/feeds\/nope\.rss"/, not: /s3cret/ },
    ];
    for (const c of table) {
      const server = await startServer(depsFor(c), '127.0.0.1', 0);
      try {
        const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${c.url}`);
        const text = await res.text();
        assert.equal(res.status, c.status, c.name);
        if (c.text) assert.match(text, c.text, c.name);
        if (c.not) assert.doesNotMatch(text, c.not, c.name);
      } finally {
        await stopServer(server);
      }
    }
  });
});
