import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import type { SourceStatus } from '../../src/daemon/source-status.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, rss } from '../helpers/feed-server.js';

/**
 * One daemon against a server that misbehaves in every way we know, one source per misbehaviour. Each source
 * must end in the right state with the right error code, the good sources must still be ingested, and the
 * daemon must stay up with bounded memory.
 */
describe('a misbehaving feed server (real daemon process)', function () {
  this.timeout(90_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  let base: string;
  const good = rss([{ guid: 'g1', title: 'Putin dan Lukashenko', link: 'https://ok.example/1' }]);

  // id → [route handler, expected state, expected error code or null]
  const cases: Record<string, [(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void, string, string | null]> = {
    'slow-body': [(_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      r.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      const t = setInterval(() => r.write(' '), 500);
      r.on('close', () => clearInterval(t));
    }, 'degraded', 'timeout'],
    'endless-body': [(_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => { while (r.write(chunk)) { /* until backpressure */ } };
      r.on('drain', pump);
      pump();
    }, 'degraded', 'too_large'],
    'gzip-bomb': [(_q, r) => void r.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'application/rss+xml' }).end(BOMB), 'degraded', 'too_large'],
    'redirect-loop': [(_q, r) => void r.writeHead(301, { Location: '/redirect-loop-b' }).end(), 'degraded', 'redirect_loop'],
    'redirect-chain': [(_q, r) => void r.writeHead(301, { Location: '/chain-1' }).end(), 'ok', null],
    'temporary': [(_q, r) => void r.writeHead(302, { Location: '/good.xml' }).end(), 'ok', null],
    'gone': [(_q, r) => void r.writeHead(410).end(), 'gone', 'gone'],
    'rate-limited-seconds': [(_q, r) => void r.writeHead(429, { 'Retry-After': '3600' }).end(), 'degraded', 'rate_limited'],
    'unavailable-date': [(_q, r) => void r.writeHead(503, { 'Retry-After': new Date(Date.now() + 7200_000).toUTCString() }).end(), 'degraded', 'http_503'],
    'html-page': [(_q, r) => void r.writeHead(200, { 'Content-Type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Berita</title></head><body><p>Bukan feed</p></body></html>'), 'degraded', 'not_a_feed'],
    'truncated': [(_q, r) => void r.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(good.slice(0, good.length / 2)), 'degraded', 'parse_error'],
    'wrong-charset': [(_q, r) => void r.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=windows-1252' }).end(iconv.encode(rss([{ guid: 'c1', title: 'Kafe “Rusia” di Minsk – café', link: 'https://ok.example/c1' }]).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'windows-1252')), 'ok', null],
    'good': [(_q, r) => void r.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(good), 'ok', null],
  };
  const BOMB = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20));

  before(async () => {
    feeds = await new FeedServer().start();
    for (const [id, [route]] of Object.entries(cases)) feeds.routes.set(`/${id}`, route);
    feeds.routes.set('/redirect-loop-b', (_q, r) => void r.writeHead(301, { Location: '/redirect-loop' }).end());
    for (let i = 1; i < 4; i++) feeds.routes.set(`/chain-${i}`, (_q, r) => void r.writeHead(301, { Location: `/chain-${i + 1}` }).end());
    feeds.routes.set('/chain-4', (_q, r) => void r.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(good));
    feeds.routes.set('/good.xml', (_q, r) => void r.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(good));

    const sources = Object.keys(cases).map((id) => `  - id: ${id}\n    url: "${feeds.url(`/${id}`)}"\n`).join('');
    daemon = await startDaemon({ yaml: `fetch:\n  timeout: "3s"\n  max_body: "2MiB"\n  per_host: 16\nsources:\n${sources}tags:\n  - name: Rusia\n    match: Rusia OR Putin\n` });
    base = daemon.base;
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  it('ends every source in the right state with the right error code, and keeps the daemon up', async () => {
    const statuses = async () => (await (await fetch(`${base}/api/sources`)).json()) as SourceStatus[];
    await daemon.until(async () => (await statuses()).every((s) => s.last_poll !== null), { timeoutMs: 30_000, what: 'every source in /api/sources to have been polled' });
    const got = Object.fromEntries((await statuses()).map((s) => [s.id, [s.state, s.last_error?.code ?? null]]));
    const want = Object.fromEntries(Object.entries(cases).map(([id, [, state, code]]) => [id, [state, code]]));
    expect(got).to.deep.equal(want);

    const all = await statuses();
    for (const s of all) {
      expect(s.last_poll, s.id).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      if (s.state === 'gone') expect(s.next_poll, s.id).to.equal(null);
      else expect(s.next_poll, s.id).to.match(/Z$/);
    }
    expect(all.find((s) => s.id === 'rate-limited-seconds')!.held_until).to.be.a('string');
    expect(all.find((s) => s.id === 'good')!.items).to.equal(1);

    // The wrongly declared charset (prolog says ISO-8859-1, HTTP says windows-1252) still reads right.
    const tag = (await (await fetch(`${base}/tags/rusia.json`)).json()) as { items: { title: string }[] };
    expect(tag.items.map((i) => i.title)).to.include('Kafe “Rusia” di Minsk – café');

    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    // The 200 MB gzip bomb and the endless body were cut at the 2 MiB cap: the process stayed small.
    const rssMb = Number((await import('node:fs')).readFileSync(`/proc/${daemon.child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)![1]) / 1024;
    expect(rssMb).to.be.below(400);
  });
});
