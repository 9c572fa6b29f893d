import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local farm of RSS feeds on loopback for benchmarks: /feed/<n>.xml, each with `items` items, ETag/304. */
export interface Farm {
  origin: string;
  urls: string[];
  /** Makes every feed publish `n` new items on top (a changing farm); documents are built when first asked for. */
  advance(n: number): void;
  /**
   * Builds every feed's document now, so that a timed fetch after advance() measures the client, not the farm
   * (building 300 feeds of 50 items took ~0.3-0.5 s of this process's CPU during a changed poll).
   */
  build(): void;
  /** When the farm answered its first feed request since the last advance() (Date.now()), or null. */
  firstRequestAt(): number | null;
  close(): Promise<void>;
}

const WORDS = 'Rusia Belarusia Putin Lukashenko Minsk Moskow Kremlin ekonomi politik perbatasan militer latihan gas minyak sanksi Eropa Ukraina Jakarta Indonesia presiden menteri luar negeri kerja sama pertemuan bilateral'.split(' ');

const SYLLABLES = 'ba be bi bu da de di du ga gi gu ja ka ke ki ku la le li lu ma me mi mu na ne ni nu pa pe pi pu ra re ri ru sa se si su ta te ti tu wa ya'.split(' ');

// A made-up word of 2-4 syllables for `x` (a vocabulary of ~5,000 words, common ones more often).
function madeUpWord(x: number): string {
  const k = (x % 5000) * ((x >>> 13) % 7 === 0 ? 1 : 0) + ((x >>> 8) % 60);
  let w = '';
  let y = k + 7;
  for (let s = 0; s < 2 + (k % 3); s++, y = Math.floor(y / SYLLABLES.length)) w += SYLLABLES[y % SYLLABLES.length]!;
  return w;
}

function words(seed: number, n: number, varied = false): string {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    // Varied text: a third of the words from a larger vocabulary, so the story index finds some rare terms.
    out.push(varied && x % 3 === 0 ? madeUpWord(x >>> 2) : WORDS[x % WORDS.length]!);
  }
  return out.join(' ');
}

function feedXml(feed: number, first: number, items: number, articleOrigin: string | null, recentFrom: number | null): string {
  const parts: string[] = [];
  const varied = recentFrom !== null;
  for (let i = first + items - 1; i >= first; i--) {
    const when = new Date((recentFrom ?? Date.UTC(2026, 10, 1)) + i * 60_000).toUTCString();
    // With article pages: summary-only items (one sentence, as the measured Indonesian feeds give) linking to them.
    const link = articleOrigin ? `${articleOrigin}/artikel/${feed}/${i}` : `https://berita${feed}.example/artikel/${i}`;
    const text = words(feed * 31 + i, articleOrigin ? 16 : 120, varied);
    parts.push(`<item><title>${words(feed * 7919 + i, 9, varied)}</title><link>${link}</link><guid isPermaLink="false">${feed}-${i}</guid><pubDate>${when}</pubDate><description>&lt;p&gt;${text}&lt;/p&gt;</description><category>Dunia</category></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Berita ${feed}</title><link>https://berita${feed}.example/</link><description>farm</description>${parts.join('')}</channel></rss>`;
}

/**
 * Starts the farm on 127.0.0.1 (one server; the bench raises per_host so the host gate is not the limit). With
 * `articles` (HTML pages), items link to /artikel/<feed>/<n> on the farm, which serves those pages in turn.
 * `keepAliveMs`: how long an idle connection stays open (a client under valgrind takes longer than 30 s between
 * two requests on one connection, and reusing one the farm closed fails the fetch).
 * `recent`: items dated in the last hours (within a story window, so the story index and its assignment run)
 * with a more varied vocabulary (terms rare enough to be looked up); otherwise dated November 2026 from a
 * 28-word vocabulary.
 */
export async function startFarm(feeds: number, items: number, articles: readonly string[] = [], opts: { keepAliveMs?: number; recent?: boolean } = {}): Promise<Farm> {
  // A minute apart per item number, the newest an hour ago at the start.
  const recentFrom = opts.recent ? Date.now() - (items + 60) * 60_000 : null;
  let offset = 0;
  let origin = '';
  const cache = new Map<number, { body: Buffer; etag: string }>();
  let firstRequest: number | null = null;
  const documentOf = (n: number) => {
    let doc = cache.get(n);
    if (!doc) {
      const body = Buffer.from(feedXml(n, offset, items, articles.length > 0 ? origin : null, recentFrom));
      doc = { body, etag: `"${createHash('sha1').update(body).digest('hex')}"` };
      cache.set(n, doc);
    }
    return doc;
  };
  const server: Server = createServer((req, res) => {
    const a = /^\/artikel\/(\d+)\/(\d+)$/.exec(req.url ?? '');
    if (a && articles.length > 0) {
      const page = articles[(Number(a[1]) * 131 + Number(a[2])) % articles.length]!;
      return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    }
    const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    firstRequest ??= Date.now();
    const doc = documentOf(Number(m[1]));
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
      firstRequest = null;
    },
    build() {
      for (let n = 0; n < feeds; n++) documentOf(n);
    },
    firstRequestAt: () => firstRequest,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The farm's feed documents without a server (`recent` items, as startFarm gives them): for in-process benches. */
export function farmDocuments(feeds: number, items: number): string[] {
  const recentFrom = Date.now() - (items + 60) * 60_000;
  return Array.from({ length: feeds }, (_, n) => feedXml(n, 0, items, null, recentFrom));
}
