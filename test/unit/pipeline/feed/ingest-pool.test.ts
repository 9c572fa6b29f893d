/**
 * The feed parser pool (ingest-pool.ts) with its real worker threads: the same feeds and the same WartaErrors as
 * ingestDocument on the caller's thread, a thread that runs out of heap failing only its own document (parse_error)
 * and replaced, idle threads stopped, and close() that rejects what waits and leaves no thread.
 */
import { expect } from 'chai';
import iconv from 'iconv-lite';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { backgroundNice } from '../../../../src/base/thread-priority.js';
import { WartaError } from '../../../../src/base/errors.js';
import type { IngestedFeed } from '../../../../src/base/model.js';
import { assignKeys, hashContent } from '../../../../src/pipeline/dedupe.js';
import { ingestDocument } from '../../../../src/pipeline/feed/ingest.js';
import { makeIngestPool, type IngestMeta } from '../../../../src/pipeline/feed/ingest-pool.js';
import { readSkimmed, skimBody } from '../../../../src/pipeline/feed/skim-body.js';
import { encodeExplain } from '../../../../src/store/explain-json.js';
import { canonicalUrl } from '../../../../src/stories/canonical-url.js';
import { encodeSketch, sketchOf } from '../../../../src/stories/sketch.js';
import { makeClassifier } from '../../../../src/tagging/classify.js';
import { JSON_FEED_10, JSON_FEED_11, RSS2_NEWS, XML_FIXTURES } from './fixtures.js';

const NOW = new Date('2024-09-01T00:00:00Z');
const meta = (contentType: string | null = null, url = 'https://warta.example/feed/'): IngestMeta => ({ contentType, url, now: NOW });

/** ingestDocument on this thread, each item with its content hash as a parser thread gives it (dedupe's hashContent). */
function hashed(body: Uint8Array | string, m: IngestMeta): IngestedFeed {
  const feed = ingestDocument(body, m);
  for (const item of feed.items) item.contentHash = hashContent(item);
  return feed;
}

/** What ingestDocument gives on this thread (hashed): the feed, or the error's class, code and message. */
function here(body: Uint8Array | string, m: IngestMeta): unknown {
  try {
    return hashed(body, m);
  } catch (err) {
    return { error: err instanceof WartaError ? [err.name, err.code, err.message] : String(err) };
  }
}

async function there(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    return { error: err instanceof WartaError ? [err.name, err.code, err.message] : String(err) };
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const got = (await there(p)) as { error?: [string, string, string] };
  if (!got.error) throw new Error('expected the read to fail');
  return got.error[1];
}

// An RSS feed of `n` items of ~1 KB: 20,000 of them are ~25 MB of text, more than a 24 MB heap can read.
const bigFeed = (n: number) => `<rss version="2.0"><channel><title>Besar</title><link>https://besar.example/</link>${Array.from({ length: n }, (_, i) => `<item><title>Judul ${i}</title><link>https://besar.example/${i}</link><description>${'Banjir melanda kawasan pesisir, warga mengungsi. '.repeat(20)}</description></item>`).join('')}</channel></rss>`;

describe('pipeline/feed: the feed parser pool (worker threads)', function () {
  this.timeout(60_000);

  it('reads every fixture, as bytes and as decoded text, exactly as ingestDocument on this thread (errors too)', async () => {
    const cases: [string, Uint8Array | string, IngestMeta][] = [];
    for (const [name, xml] of Object.entries(XML_FIXTURES)) {
      cases.push([`${name} as text`, xml, meta()]);
      // The ISO-8859-1 fixtures as their own bytes: the thread decodes them by the prolog.
      cases.push([`${name} as bytes`, /ISO-8859-1/i.test(xml) ? iconv.encode(xml, 'latin1') : Buffer.from(xml), meta('application/xml')]);
    }
    cases.push(['JSON Feed 1.1', Buffer.from(JSON_FEED_11), meta('application/feed+json', 'https://json.example/feed.json')]);
    cases.push(['JSON Feed 1.0', JSON_FEED_10, meta('application/json', 'https://json.example/feed.json')]);
    // A Buffer that is a view into a larger pooled one (Buffer.from of a short string): only its own bytes go.
    cases.push(['a pooled Buffer view', Buffer.from('<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>'), meta()]);
    const failing: [string, Uint8Array][] = [
      ['empty', Buffer.alloc(0)],
      ['plain text', Buffer.from('Service Unavailable')],
      ['undeclared gzip', gzipSync(Buffer.from(RSS2_NEWS))],
      ['broken JSON', Buffer.from('{"version": "https://jsonfeed.org/version/1.1", "items": [')],
      ['a sitemap', Buffer.from('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url/></urlset>')],
      ['truncated', Buffer.from(RSS2_NEWS.slice(0, RSS2_NEWS.length / 2))],
    ];
    for (const [name, body] of failing) cases.push([name, body, meta()]);
    const pool = makeIngestPool({ size: 2 });
    try {
      const got = await Promise.all(cases.map(([, body, m]) => there(pool.ingest(body, m))));
      cases.forEach(([name, body, m], i) => expect(got[i], name).to.deep.equal(here(body, m)));
      expect(got.filter((g) => (g as { error?: unknown }).error).length).to.equal(failing.length);
      const rss = got[0] as IngestedFeed;
      expect(rss.items[0]!.published).to.be.instanceOf(Date);
      // Dedupe keys and hashes the thread's items as it does items read here (it takes the hash made there).
      const plain = ingestDocument(cases[0]![1], cases[0]![2]).items;
      expect(assignKeys(rss.items).map((k) => k.contentHash)).to.deep.equal(assignKeys(plain).map((k) => k.contentHash)).and.have.length.above(0);
      expect(pool.stats()).to.include({ started: 2, reading: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it('skim() gives the cut\'s count and digests skimBody gives on this thread (under the site link asked for), not the text, which stays there for read()', async () => {
    const cases: [string, Uint8Array, string | null, string | null | false][] = [];
    for (const [name, xml] of Object.entries(XML_FIXTURES)) {
      const bytes = /ISO-8859-1/i.test(xml) ? iconv.encode(xml, 'latin1') : Buffer.from(xml);
      cases.push([`${name}, guessed under a site`, bytes, 'application/xml', 'https://warta.example/'], [`${name}, no guess`, bytes, null, false], [`${name}, guessed under none`, bytes, null, null]);
    }
    // Not cut (null doc): JSON, a DOCTYPE, undecodable gzip; a pooled Buffer view sends only its own bytes.
    cases.push(['JSON Feed', Buffer.from(JSON_FEED_11), 'application/feed+json', null], ['undeclared gzip', gzipSync(Buffer.from(RSS2_NEWS)), null, null]);
    cases.push(['a pooled Buffer view', Buffer.from('<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>'), null, null]);
    const pool = makeIngestPool({ size: 1 });
    try {
      const got = await Promise.all(cases.map(([, body, ct, site]) => pool.skim(body, { contentType: ct, url: 'https://warta.example/feed/', guessSite: site })));
      cases.forEach(([name, body, ct, site], i) => {
        const local = skimBody(body, ct, 'https://warta.example/feed/', site);
        const { kept, ...rest } = got[i]!;
        expect(rest, name).to.deep.equal({ items: local.doc?.items.length ?? null, guessed: local.guessed });
        expect(kept, name).to.be.an('object');
      });
      // The cases do exercise the cut and the digests.
      expect(got[0]!.guessed!.length, 'RSS2_NEWS guessed under a site').to.equal(got[0]!.items).and.greaterThan(1);
      expect(got[1]!.guessed, 'no guess asked').to.equal(null);
      expect(got.at(-1)!.items).to.equal(1);
    } finally {
      await pool.close();
    }
  });

  it('read() gives what readSkimmed gives on this thread: after a skim (its kept text) or without one, whole or without the items skipped', async () => {
    const url = 'https://warta.example/feed/';
    const cases: [string, Uint8Array, string | null, string | null | false][] = [];
    for (const [name, xml] of Object.entries(XML_FIXTURES)) {
      const bytes = /ISO-8859-1/i.test(xml) ? iconv.encode(xml, 'latin1') : Buffer.from(xml);
      cases.push([`${name}, a first read`, bytes, 'application/xml', false], [`${name}, guessed under none`, bytes, null, null]);
    }
    cases.push(['JSON Feed', Buffer.from(JSON_FEED_11), 'application/feed+json', false], ['truncated', Buffer.from(RSS2_NEWS.slice(0, RSS2_NEWS.length / 2)), null, false]);
    /** The expected read on this thread: every other item skipped when `skipping`, errors as values. */
    const local = async (body: Uint8Array, ct: string | null, site: string | null | false, skipping: boolean) => {
      const skimmed = skimBody(body, ct, url, site);
      const skip = skipping && skimmed.guessed ? skimmed.guessed.filter((_, i) => i % 2 === 1) : null;
      return { skip, want: await there(readSkimmed(skimmed, body, { contentType: ct, url, guessSite: site, skip }, (input, contentType) => hashed(input, { ...meta(contentType, url) }))) };
    };
    const pool = makeIngestPool({ size: 2 });
    try {
      let read = 0;
      let skippedSome = 0;
      for (const [name, body, ct, site] of cases) {
        for (const skipping of [false, true]) {
          const { skip, want } = await local(body, ct, site, skipping);
          // Without a skim (a first read: one answer), and after one whose text the thread kept.
          const first = await there(pool.read(body, { ...meta(ct, url), guessSite: site, skip, kept: null }));
          const token = site === false ? null : (await pool.skim(body, { contentType: ct, url, guessSite: site })).kept;
          const after = await there(pool.read(body, { ...meta(ct, url), guessSite: site, skip, kept: token }));
          expect(first, `${name}${skipping ? ', skipping' : ''}`).to.deep.equal(want);
          expect(after, `${name}${skipping ? ', skipping' : ''}, after a skim`).to.deep.equal(want);
          if ((want as { skipped?: number }).skipped) skippedSome++;
          if ((want as { digests?: unknown }).digests) read++;
        }
      }
      // The cases do exercise the digests of a whole read and the items skipped.
      expect(read).to.be.greaterThan(3);
      expect(skippedSome).to.be.greaterThan(3);
    } finally {
      await pool.close();
    }
  });

  it('with sketch, each item carries the sketch the plan would make of it (sketchOf, encoded), and nothing else differs', async () => {
    const pool = makeIngestPool({ size: 1, sketch: true });
    try {
      for (const [name, xml] of Object.entries(XML_FIXTURES)) {
        const got = await pool.ingest(xml, meta());
        const want = hashed(xml, meta());
        expect(got.items.length, name).to.equal(want.items.length);
        got.items.forEach((item, i) => {
          const { sketched, ...rest } = item;
          expect(rest, name).to.deep.equal(want.items[i]);
          const sketch = sketchOf({ title: item.title, summary: item.summary, content: item.content });
          expect(sketched, name).to.deep.equal({ sketch, encoded: encodeSketch(sketch), canonical: { url: item.link ? canonicalUrl(item.link) : null, params: '' } });
        });
      }
    } finally {
      await pool.close();
    }
  });

  it('with sketch, each link\'s canonical URL under the tracking parameters in force when the document is sent', async () => {
    let ignoreParams: string[] = [];
    const pool = makeIngestPool({ size: 1, sketch: true, ignoreParams: () => ignoreParams });
    const xml = '<rss><channel><title>t</title><item><title>a</title><link>https://Example.com/a?ref=rss&amp;utm_source=x&amp;id=2#c</link></item></channel></rss>';
    try {
      const before = await pool.ingest(xml, meta());
      ignoreParams = ['ref'];
      const after = await pool.ingest(xml, meta());
      expect(before.items[0]!.sketched!.canonical).to.deep.equal({ url: 'https://example.com/a?id=2&ref=rss', params: '' });
      expect(after.items[0]!.sketched!.canonical).to.deep.equal({ url: 'https://example.com/a?id=2', params: 'ref' });
    } finally {
      await pool.close();
    }
  });

  it('with rules, each item carries what the classifier gives it for the source; setRules() applies to what is sent after', async () => {
    const rulesA = makeClassifier({ tags: [{ name: 'Beras', match: 'beras', aliases: [], stem: null }], sources: [{ id: 'warta', tags: ['Lokal'], fromCategories: null }], outputs: [] });
    const rulesB = makeClassifier({ tags: [{ name: 'Gempa', match: 'gempa OR maluku', aliases: [], stem: null }], sources: [{ id: 'warta', tags: [], fromCategories: 'same-name' }], outputs: [{ id: 'ekonomi', match: 'harga' }] });
    const rules = (c: typeof rulesA) => ({ spec: c.spec, fingerprint: c.fingerprint });
    const pool = makeIngestPool({ size: 1, rules: rules(rulesA) });
    try {
      // Explanations come as the store's column text (encodeExplain), made on the thread.
      const classified = (c: typeof rulesA, sourceId: string) => ingestDocument(RSS2_NEWS, meta()).items.map((it) => {
        const { tags, outputs } = c.classify(it, sourceId);
        return { fingerprint: c.fingerprint, sourceId, tags: tags.map((t) => ({ tag: t.tag, explain: encodeExplain(t.explain) })), outputs };
      });
      const a = await pool.ingest(RSS2_NEWS, { ...meta(), sourceId: 'warta' });
      expect(a.items.map((it) => it.classified)).to.deep.equal(classified(rulesA, 'warta'));
      expect(a.items.some((it) => it.classified!.tags.some((t) => t.tag === 'Beras'))).to.equal(true);
      // Without a source id nothing is classified.
      expect((await pool.ingest(RSS2_NEWS, meta())).items.every((it) => it.classified === undefined)).to.equal(true);
      pool.setRules(rules(rulesB));
      const b = await pool.ingest(RSS2_NEWS, { ...meta(), sourceId: 'warta' });
      expect(b.items.map((it) => it.classified)).to.deep.equal(classified(rulesB, 'warta'));
      expect(b.items.some((it) => it.classified!.tags.some((t) => t.tag === 'Gempa'))).to.equal(true);
    } finally {
      await pool.close();
    }
  });

  it('a thread past its heap limit fails only the document it was reading, with parse_error, and is replaced', async () => {
    const pool = makeIngestPool({ size: 1, heapMb: 24 });
    try {
      const small = RSS2_NEWS;
      // The big document and the two behind it reach the one thread together (two sent, one queued): only the
      // big one fails; the others are read by the thread that replaces it.
      const [big, after1, after2] = [pool.ingest(bigFeed(20_000), meta()), pool.ingest(small, meta()), pool.ingest(small, meta())];
      const err = (await there(big)) as { error: [string, string, string] };
      expect(err.error.slice(0, 2)).to.deep.equal(['WartaError', 'parse_error']);
      expect(err.error[2]).to.match(/more than the parser thread's 24 MB of memory/);
      expect(await after1).to.deep.equal(hashed(small, meta()));
      expect(await after2).to.deep.equal(hashed(small, meta()));
      expect(pool.stats()).to.include({ threads: 1, started: 2 });
    } finally {
      await pool.close();
    }
  });

  it('starts no thread until a document comes, and stops an idle one', async () => {
    const pool = makeIngestPool({ size: 1, idleMs: 200 });
    try {
      expect(pool.stats()).to.include({ threads: 0, started: 0 });
      await pool.ingest(RSS2_NEWS, meta());
      expect(pool.stats()).to.include({ threads: 1, started: 1 });
      await new Promise((r) => setTimeout(r, 600));
      expect(pool.stats()).to.include({ threads: 0, started: 1 });
      expect((await pool.ingest(RSS2_NEWS, meta())).items.length).to.equal(2);
      expect(pool.stats()).to.include({ threads: 1, started: 2 });
    } finally {
      await pool.close();
    }
  });

  it('with warmMs, the last idle thread rests instead of stopping, reads the next document, and is stopped after warmMs more', async () => {
    const pool = makeIngestPool({ size: 1, idleMs: 100, warmMs: 3000 });
    try {
      await pool.ingest(RSS2_NEWS, meta());
      await new Promise((r) => setTimeout(r, 600));
      // Past idleMs: told to rest (a full GC), not stopped.
      expect(pool.stats()).to.include({ threads: 1, started: 1 });
      expect((await pool.ingest(RSS2_NEWS, meta())).items.length).to.equal(2);
      expect(pool.stats()).to.include({ threads: 1, started: 1 });
      await new Promise((r) => setTimeout(r, 100 + 3000 + 1500));
      expect(pool.stats()).to.include({ threads: 0, started: 1 });
    } finally {
      await pool.close();
    }
  });

  /** The nice value of each of this process's threads (Linux: /proc/self/task/TID/stat, field 19). */
  function threadNices(): Map<number, number> {
    const nices = new Map<number, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    }
    return nices;
  }

  it('its threads run below the main thread\'s priority (Linux: 10 nice levels lower), so HTTP and commits come first on a busy machine', async function () {
    if (process.platform !== 'linux' || !existsSync('/proc/thread-self')) return this.skip(); // per-thread nice is Linux's
    const background = backgroundNice(threadNices().get(process.pid)!);
    const before = new Set([...threadNices()].filter(([, nice]) => nice === background).map(([tid]) => tid));
    const pool = makeIngestPool({ size: 1 });
    try {
      await pool.ingest(RSS2_NEWS, meta());
      const after = threadNices();
      const lowered = [...after].filter(([tid, nice]) => nice === background && !before.has(tid));
      expect(lowered, 'a thread 10 nice levels below the main thread appeared with the pool').to.have.length.greaterThan(0);
      expect(background, 'below the main thread').to.be.greaterThan(Math.min(18, threadNices().get(process.pid)!));
    } finally {
      await pool.close();
    }
  });

  // A worker module that cannot load stands for any thread that dies before it is ready (a container's thread
  // limit: ERR_WORKER_INIT_FAILED).
  const noWorker = new URL('./no-such-ingest-worker.ts', import.meta.url);

  it('when no thread can start: with a fallback every document is read by it from then on (told once); without, the waiting ones fail', async () => {
    const told: string[] = [];
    const readHere = async (body: Uint8Array | string, m: IngestMeta) => ingestDocument(body, m);
    const pool = makeIngestPool({ size: 2, workerUrl: noWorker, fallback: readHere, onFallback: (e) => told.push(e.code) });
    try {
      const first = await Promise.all([pool.ingest(RSS2_NEWS, meta()), there(pool.ingest('<html><body>no feed</body></html>', meta('text/html')))]);
      expect(first[0]).to.deep.equal(ingestDocument(RSS2_NEWS, meta()));
      expect(first[1]).to.deep.equal(here('<html><body>no feed</body></html>', meta('text/html')));
      expect(await pool.ingest(JSON_FEED_11, meta('application/feed+json'))).to.deep.equal(ingestDocument(JSON_FEED_11, meta('application/feed+json')));
      expect(told).to.deep.equal(['parse_error']);
      // A skim, too, is done here from then on.
      const bytes = Buffer.from(RSS2_NEWS);
      const skimmed = skimBody(bytes, null, 'https://warta.example/feed/', null);
      const got = await pool.skim(bytes, { contentType: null, url: 'https://warta.example/feed/', guessSite: null });
      expect(got).to.deep.include({ items: skimmed.doc!.items.length, guessed: skimmed.guessed });
      // Its token is the skim itself: the read that follows does not decode and cut the bytes again.
      expect(got.kept, 'the skim, kept for the read').to.deep.equal(skimmed);
      const skip = skimmed.guessed!.slice(1);
      for (const [bytesRead, kept] of [[bytes, null], [new Uint8Array(0), got.kept]] as const) {
        // Empty bytes with the skim's token: only the kept text can give the items.
        const read = await pool.read(bytesRead, { ...meta(), guessSite: null, skip, kept });
        expect(read, kept ? 'read from the kept skim' : 'read from the bytes').to.include({ items: skimmed.doc!.items.length, skipped: skimmed.doc!.items.length - 1 });
        expect(read.feed.items).to.have.length(1);
      }
      expect(pool.stats()).to.include({ threads: 0, reading: 0, queued: 0 });
    } finally {
      await pool.close();
    }
    const bare = makeIngestPool({ size: 1, workerUrl: noWorker });
    try {
      expect(await Promise.all([codeOf(bare.ingest(RSS2_NEWS, meta())), codeOf(bare.ingest(RSS2_NEWS, meta()))])).to.deep.equal(['parse_error', 'parse_error']);
    } finally {
      await bare.close();
    }
  });

  it('close() rejects documents being read and queued with aborted, leaves no thread, and refuses more', async () => {
    const pool = makeIngestPool({ size: 1 });
    const reads = Array.from({ length: 5 }, () => codeOf(pool.ingest(bigFeed(2_000), meta())));
    // Until the thread has started and holds two of them (one being read), the rest queued here.
    while (pool.stats().reading < 2) await new Promise((r) => setTimeout(r, 10));
    expect(pool.stats()).to.include({ threads: 1, reading: 2, queued: 3 });
    await pool.close();
    expect(await Promise.all(reads)).to.deep.equal(Array(5).fill('aborted'));
    expect(pool.stats()).to.include({ threads: 0, reading: 0, queued: 0 });
    expect(await codeOf(pool.ingest(RSS2_NEWS, meta()))).to.equal('aborted');
  });
});
