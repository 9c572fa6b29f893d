import { expect } from 'chai';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Db } from '../../src/store/sqlite/open.js';
import type { Store } from '../../src/store/store.js';
import { sqliteStore } from '../helpers/store.js';
import { fetchFeed, makeFetchAgent } from '../../src/pipeline/fetch/fetch.js';
import { ingestDocument } from '../../src/pipeline/feed/ingest.js';
import { makeIngestPool } from '../../src/pipeline/feed/ingest-pool.js';
import { refreshSource, type RefreshDeps } from '../../src/pipeline/refresh.js';
import { makeClassifier } from '../../src/tagging/classify.js';
import { parseConfig } from '../../src/config/load.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';

const classifier = makeClassifier(parseConfig(`tags:\n  - name: Putin\n    match: Putin\n`, 'test.yaml'));
const limits = { timeoutMs: 2000, maxBody: 1024 * 1024, maxRedirects: 5, userAgent: 'warta/test' };

type Article = Parameters<typeof rss>[0][number];
const article = (n: number, extra: Partial<Article> = {}): Article =>
  ({ guid: `g${n}`, link: `https://berita.example/${n}`, title: `Berita ${n} tentang Putin`, description: `Isi berita ${n}`, pubDate: `Wed, 25 Nov 2026 ${String(n % 24).padStart(2, '0')}:00:00 +0700`, ...extra });

/**
 * A changed feed is read in proportion to what changed (src/pipeline/skim.ts): items stored from the same raw text
 * are not parsed again. These cases check that the store ends exactly as a full reading leaves it, and that the
 * document handed to the parser holds only what is new or changed.
 */
// Skimmed and read on this thread, and on a parser thread as the runtime does it (which keeps the skim's text for
// the read, and reads a first document whole with its digests in one answer).
for (const onThread of [false, true]) describe(`refreshSource of a changed feed: only new and edited items are parsed, with the same outcome${onThread ? ' (skimmed and read on a parser thread)' : ''}`, function () {
  this.timeout(20_000);
  let server: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let store: Store;
  let clock: Date;
  let doc: string;
  /** The documents the parser was handed, in order (the real ingest, recorded; on the thread, the items it read). */
  let parsed: string[];
  const agent = makeFetchAgent(limits);
  const src = { id: 'berita', url: '' };
  const pool = onThread ? makeIngestPool({ size: 1 }) : null;
  let skims = 0;
  /** The pool's answers to the refreshes of a poll, by kind. */
  let trips: string[] = [];

  const deps = (): RefreshDeps => ({
    store,
    fetch: (req) => fetchFeed(agent, req, limits, () => clock),
    ingest: (body, meta) => {
      parsed.push(Buffer.from(body).toString('utf8'));
      return ingestDocument(body, meta);
    },
    cut: pool ? {
      skim: (body, meta) => (skims++, trips.push('skim'), pool.skim(body, meta)),
      read: async (body, meta) => {
        trips.push('read');
        const read = await pool.read(body, meta);
        parsed.push(read.feed.items.map((i) => `<title>${i.title}</title>`).join(''));
        return read;
      },
    } : undefined,
    classifier: () => classifier,
    policy: { minIntervalMs: 0, maxIntervalMs: 86_400_000, redirectPersistAfter: 3 },
    now: () => clock,
    random: () => 0.5,
    log: pino({ level: 'silent' }),
  });
  const poll = async (articles: Article[]) => {
    doc = rss(articles);
    parsed = [];
    trips = [];
    return refreshSource(deps(), src);
  };
  const rows = () => db.prepare('SELECT dedupe_key AS key, title, summary, published FROM items ORDER BY dedupe_key').all() as { key: string; title: string; summary: string; published: string }[];
  const titlesParsed = () => parsed.flatMap((d) => [...d.matchAll(/<title>(Berita \d+)/g)].map((m) => m[1]));

  beforeEach(async () => {
    tmp = tempDir();
    server = await new FeedServer().start();
    server.routes.set('/feed', feedRoute(() => ({ body: doc })));
    src.url = server.url('/feed');
    clock = new Date('2026-11-26T10:00:00Z');
    ({ store, db } = sqliteStore(join(tmp.dir, 'warta.db')));
  });
  afterEach(async () => {
    db.close();
    await server.stop();
    tmp.cleanup();
  });
  after(async () => {
    await agent.close();
    if (pool) {
      // Every changed poll of these cases was skimmed there.
      expect(skims).to.be.greaterThan(5);
      await pool.close();
    }
  });

  it('parses only the new and the edited items; the edit is written, the new ones inserted, the rest left alone', async () => {
    const first = [1, 2, 3, 4, 5].map((n) => article(n));
    expect(await poll(first)).to.include({ result: 'updated', inserted: 5 });
    expect(titlesParsed()).to.deep.equal(['Berita 1', 'Berita 2', 'Berita 3', 'Berita 4', 'Berita 5']);
    // A first read is one answer of the thread (decoded, cut, read, digested there); a changed one two.
    if (pool) expect(trips).to.deep.equal(['read']);
    const before = rows();

    const second = [article(7), article(6), article(1), article(2, { description: 'Isi berita 2, diperbarui' }), article(3), article(4), article(5)];
    expect(await poll(second)).to.include({ result: 'updated', inserted: 2, updated: 1 });
    expect(titlesParsed()).to.deep.equal(['Berita 7', 'Berita 6', 'Berita 2']);
    if (pool) expect(trips).to.deep.equal(['skim', 'read']);
    const after = rows();
    expect(after).to.have.length(7);
    expect(after.find((r) => r.key === 'g:g2')!.summary).to.equal('Isi berita 2, diperbarui');
    for (const k of ['g:g1', 'g:g3', 'g:g4', 'g:g5']) expect(after.find((r) => r.key === k)).to.deep.equal(before.find((r) => r.key === k));
    const tagged = db.prepare("SELECT count(*) FROM item_tags WHERE tag = 'Putin'").pluck().get();
    expect(tagged).to.equal(7);

    // Nothing new in the items (another channel element changed): nothing of theirs is parsed, nothing written.
    doc = rss(second, { title: 'Fixture, renamed', link: 'http://127.0.0.1/' });
    parsed = [];
    expect(await refreshSource(deps(), src)).to.include({ result: 'updated', inserted: 0, updated: 0 });
    expect(titlesParsed()).to.deep.equal([]);
    expect(db.prepare('SELECT title FROM sources').pluck().get()).to.equal('Fixture, renamed');
  });

  it('asks the store only for the keys of the items it parsed; a recognised item keyed as its row is not looked up', async () => {
    await poll([article(1), article(2), article(3)]);
    const asked: string[][] = [];
    const lookup = store.items.lookup.bind(store.items);
    store.items.lookup = (sourceId, keys) => {
      asked.push([...keys]);
      return lookup(sourceId, keys);
    };
    expect(await poll([article(4), article(1), article(2), article(3)])).to.include({ inserted: 1, updated: 0 });
    // The new item's key, and the guid+link key it would adopt a row from.
    expect(asked).to.deep.equal([['g:g4', 'gl:g4\nhttps://berita.example/4']]);
  });

  it('an item removed and listed again is not stored twice nor parsed again; an edit back to old text is an update', async () => {
    await poll([article(1), article(2), article(3)]);
    expect(await poll([article(1), article(3)])).to.include({ inserted: 0, updated: 0 });
    expect(await poll([article(1), article(2), article(3)])).to.include({ inserted: 0, updated: 0 });
    expect(titlesParsed()).to.deep.equal([]);
    expect(rows()).to.have.length(3);

    expect(await poll([article(1), article(2, { title: 'Berita 2 diganti' }), article(3)])).to.include({ inserted: 0, updated: 1 });
    expect(await poll([article(1), article(2), article(3)])).to.include({ inserted: 0, updated: 1 });
    expect(rows().find((r) => r.key === 'g:g2')!.title).to.equal('Berita 2 tentang Putin');
  });

  it('a guid a new item starts to share re-keys the unparsed one exactly as a full reading does', async () => {
    await poll([article(1, { guid: 'same' })]);
    const out = await poll([article(2, { guid: 'same' }), article(1, { guid: 'same' })]);
    // The stored article moves to its guid+link key and the new one is inserted beside it: neither overwrites.
    expect(out).to.include({ inserted: 1, updated: 1 });
    // The unparsed item would need a write after all: the whole document is read (after the skimmed one).
    expect(titlesParsed()).to.deep.equal(['Berita 2', 'Berita 2', 'Berita 1']);
    expect(rows().map((r) => [r.key, r.title])).to.deep.equal([
      ['gl:same\nhttps://berita.example/1', 'Berita 1 tentang Putin'],
      ['gl:same\nhttps://berita.example/2', 'Berita 2 tentang Putin'],
    ]);
  });

  it('an item dated ahead of the clock is read again once its date has come', async () => {
    const ahead = article(1, { pubDate: 'Thu, 26 Nov 2026 12:00:00 +0000' });
    await poll([ahead, article(2)]);
    expect(rows()[0]!.published).to.equal('2026-11-26T10:00:00.000Z'); // first-seen time stands in
    clock = new Date('2026-11-26T13:00:00Z');
    doc = rss([ahead, article(2), article(3)]);
    parsed = [];
    expect(await refreshSource(deps(), src)).to.include({ inserted: 1, updated: 1 });
    expect(titlesParsed()).to.deep.equal(['Berita 1', 'Berita 3']);
    expect(rows()[0]!.published).to.equal('2026-11-26T12:00:00.000Z');
  });

  it('rows stored without a digest (before this change) are given one, and skipped from the next poll on', async () => {
    await poll([article(1), article(2)]);
    db.prepare('UPDATE items SET raw_digest = NULL').run();
    expect(await poll([article(3), article(1), article(2)])).to.include({ inserted: 1, updated: 0 });
    expect(titlesParsed()).to.deep.equal(['Berita 3', 'Berita 1', 'Berita 2']);
    expect(db.prepare('SELECT count(*) FROM items WHERE raw_digest IS NULL').pluck().get()).to.equal(0);
    expect(await poll([article(4), article(3), article(1), article(2)])).to.include({ inserted: 1, updated: 0 });
    expect(titlesParsed()).to.deep.equal(['Berita 4']);
  });
});
