import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local farm of RSS feeds on loopback for benchmarks: /feed/<n>.xml, each with `items` items, ETag/304. */
export interface Farm {
  origin: string;
  urls: string[];
  /** Makes every feed publish `n` new items on top (a changing farm). */
  advance(n: number): void;
  close(): Promise<void>;
}

const WORDS = 'Rusia Belarusia Putin Lukashenko Minsk Moskow Kremlin ekonomi politik perbatasan militer latihan gas minyak sanksi Eropa Ukraina Jakarta Indonesia presiden menteri luar negeri kerja sama pertemuan bilateral'.split(' ');

function words(seed: number, n: number): string {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length]!);
  }
  return out.join(' ');
}

function feedXml(feed: number, first: number, items: number, articleOrigin: string | null): string {
  const parts: string[] = [];
  for (let i = first + items - 1; i >= first; i--) {
    const when = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toUTCString();
    // With article pages: summary-only items (one sentence, as the measured Indonesian feeds give) linking to them.
    const link = articleOrigin ? `${articleOrigin}/artikel/${feed}/${i}` : `https://berita${feed}.example/artikel/${i}`;
    const text = words(feed * 31 + i, articleOrigin ? 16 : 120);
    parts.push(`<item><title>${words(feed * 7919 + i, 9)}</title><link>${link}</link><guid isPermaLink="false">${feed}-${i}</guid><pubDate>${when}</pubDate><description>&lt;p&gt;${text}&lt;/p&gt;</description><category>Dunia</category></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Berita ${feed}</title><link>https://berita${feed}.example/</link><description>farm</description>${parts.join('')}</channel></rss>`;
}

/**
 * Starts the farm on 127.0.0.1 (one server; the bench raises per_host so the host gate is not the limit). With
 * `articles` (HTML pages), items link to /artikel/<feed>/<n> on the farm, which serves those pages in turn.
 * `keepAliveMs`: how long an idle connection stays open (a client under valgrind takes longer than 30 s between
 * two requests on one connection, and reusing one the farm closed fails the fetch).
 */
export async function startFarm(feeds: number, items: number, articles: readonly string[] = [], opts: { keepAliveMs?: number } = {}): Promise<Farm> {
  let offset = 0;
  let origin = '';
  const cache = new Map<number, { body: Buffer; etag: string }>();
  const server: Server = createServer((req, res) => {
    const a = /^\/artikel\/(\d+)\/(\d+)$/.exec(req.url ?? '');
    if (a && articles.length > 0) {
      const page = articles[(Number(a[1]) * 131 + Number(a[2])) % articles.length]!;
      return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    }
    const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const n = Number(m[1]);
    let doc = cache.get(n);
    if (!doc) {
      const body = Buffer.from(feedXml(n, offset, items, articles.length > 0 ? origin : null));
      doc = { body, etag: `"${createHash('sha1').update(body).digest('hex')}"` };
      cache.set(n, doc);
    }
    if (req.headers['if-none-match'] === doc.etag) return void res.writeHead(304, { ETag: doc.etag }).end();
    res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: doc.etag, 'Content-Length': doc.body.length }).end(doc.body);
  });
  server.keepAliveTimeout = opts.keepAliveMs ?? 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    urls: Array.from({ length: feeds }, (_, i) => `${origin}/feed/${i}.xml`),
    advance(n) {
      offset += n;
      cache.clear();
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
