/**
 * A farm of append-only RSS feeds on 127.0.0.1 that remembers everything it published.
 *
 * bench/farm.ts slides a fixed window (each advance drops the oldest items), so an item published and dropped
 * while the daemon was dead could never be stored, and "nothing lost" would not be decidable. Here a feed only
 * grows: feed f at count c lists items c-1 … 0, newest first, and the farm keeps every count each feed has had, so
 * a reader of warta's outputs can tell whether what it sees is a state that really existed.
 *
 * Item i of feed f: guid `f<f>-<i>`, link https://berita<f>.example/artikel/<i>, published base + i min + f s
 * (strictly newest-first by i), and its title names Putin when i % 3 = 0, Minsk when i % 5 = 0 and Lukashenko
 * when i % 7 = 0, so the expected tags of every item are known without asking warta. Items with i % 4 = 1 are a
 * wire story: every feed publishes the same title and text for them, so they form stories across the feeds.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bounded } from './lib.js';

/** The farm as a test drives it. */
export interface LedgerFarm {
  origin: string;
  urls: string[];
  /** Items feed f lists now. */
  count(feed: number): number;
  /** Every count feed f has had, in order (the states a reader may legitimately see). */
  history(feed: number): readonly number[];
  /** Appends n items to feed f. */
  publish(feed: number, n: number): void;
  /** 200 responses served (bodies), for the report. */
  served(): number;
  close(): Promise<void>;
}

const FILLER = 'ekonomi politik perbatasan militer latihan gas minyak sanksi Eropa Ukraina Jakarta Indonesia presiden menteri luar negeri kerja sama pertemuan bilateral parlemen anggaran pelabuhan'.split(' ');

/** Which keyword names item i carries. */
export function keywordsOf(i: number): string[] {
  return [i % 3 === 0 && 'Putin', i % 5 === 0 && 'Minsk', i % 7 === 0 && 'Lukashenko'].filter((w): w is string => w !== false);
}

/** Parses an item link back to (feed, index); null for a link the farm never made. */
export function parseFarmLink(link: string | undefined | null): { feed: number; index: number } | null {
  const m = /^https:\/\/berita(\d+)\.example\/artikel\/(\d+)$/.exec(link ?? '');
  return m ? { feed: Number(m[1]), index: Number(m[2]) } : null;
}

function filler(seed: number, n: number): string {
  let x = seed >>> 0;
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(FILLER[x % FILLER.length]!);
  }
  return out.join(' ');
}

/** Item i is a wire story every feed republishes (same title and text, seconds apart) when i % 4 = 1. */
export const isWireStory = (i: number) => i % 4 === 1;

function itemXml(feed: number, i: number, base: number, descWords: number): string {
  // A wire story's words come from i alone, so every feed carries the same story: warta clusters them (issue 13).
  const seed = isWireStory(i) ? 104729 : feed;
  const title = [...keywordsOf(i), filler(seed * 7919 + i, 6)].join(' ');
  const when = new Date(base + i * 60_000 + feed * 1000).toUTCString();
  return `<item><title>${title} #${i}</title><link>https://berita${feed}.example/artikel/${i}</link><guid isPermaLink="false">f${feed}-${i}</guid><pubDate>${when}</pubDate><description>&lt;p&gt;${filler(seed * 31 + i, descWords)}&lt;/p&gt;</description><category>Dunia</category></item>`;
}

/**
 * Starts `feeds` feeds of `initial` items each. `descWords` sizes each description (about 8 bytes a word), so a
 * test can make documents big enough that parsing and storing take a while.
 */
export async function startLedgerFarm(feeds: number, initial: number, descWords = 150): Promise<LedgerFarm> {
  // Dated in the past (more than the daemon's future-date skew would ever clip: a feed here stays well under 2,880
  // items), strictly increasing per feed, and within the stories window (72 h) so wire stories cluster.
  const base = Date.now() - 48 * 3_600_000;
  const histories = Array.from({ length: feeds }, () => [initial]);
  const itemCache = new Map<string, string>();
  const docCache = new Map<number, { count: number; body: Buffer; etag: string }>();
  let served = 0;
  const item = (f: number, i: number) => {
    const key = `${f}:${i}`;
    let x = itemCache.get(key);
    if (x === undefined) itemCache.set(key, (x = itemXml(f, i, base, descWords)));
    return x;
  };
  const doc = (f: number) => {
    const count = histories[f]!.at(-1)!;
    const hit = docCache.get(f);
    if (hit?.count === count) return hit;
    const parts: string[] = [];
    for (let i = count - 1; i >= 0; i--) parts.push(item(f, i));
    const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Berita ${f}</title><link>https://berita${f}.example/</link><description>ledger farm</description>${parts.join('')}</channel></rss>`);
    const d = { count, body, etag: `"${createHash('sha1').update(body).digest('hex')}"` };
    docCache.set(f, d);
    return d;
  };
  const server: Server = createServer((req, res) => {
    const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    const f = m ? Number(m[1]) : -1;
    if (f < 0 || f >= feeds) return void res.writeHead(404).end();
    const d = doc(f);
    if (req.headers['if-none-match'] === d.etag) return void res.writeHead(304, { ETag: d.etag }).end();
    served++;
    res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: d.etag, 'Content-Length': d.body.length }).end(d.body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    urls: Array.from({ length: feeds }, (_, f) => `${origin}/feed/${f}.xml`),
    count: (f) => histories[f]!.at(-1)!,
    history: (f) => histories[f]!,
    publish(f, n) {
      if (n > 0) histories[f]!.push(histories[f]!.at(-1)! + n);
    },
    served: () => served,
    close: () =>
      bounded(
        `the ledger farm's server on ${origin} to close`,
        10_000,
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
      ),
  };
}
