import { expect } from 'chai';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Db } from '../../src/store/sqlite/open.js';
import type { Store } from '../../src/store/store.js';
import { sqliteStore } from '../helpers/store.js';
import { fetchFeed, makeFetchAgent } from '../../src/pipeline/fetch/fetch.js';
import { ingestDocument } from '../../src/pipeline/feed/ingest.js';
import { refreshSource, type RefreshDeps } from '../../src/pipeline/refresh.js';
import { makeClassifier } from '../../src/tagging/classify.js';
import { parseConfig } from '../../src/config/load.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';

const TAG = 'Hubungan Rusia dengan Belarusia';
const classifier = makeClassifier(parseConfig(`tags:\n  - name: "${TAG}"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n`, 'test.yaml'));
const limits = { timeoutMs: 2000, maxBody: 1024 * 1024, maxRedirects: 5, userAgent: 'warta/test' };

describe('refreshSource: fetch → parse → dedupe → tag → store, on a real database and server', () => {
  let server: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let store: Store;
  let clock: Date;
  const agent = makeFetchAgent(limits);
  let policy = { minIntervalMs: 0, maxIntervalMs: 86_400_000, redirectPersistAfter: 3 };

  const deps = (): RefreshDeps => ({
    store,
    fetch: (req) => fetchFeed(agent, req, limits, () => clock),
    ingest: ingestDocument,
    classifier: () => classifier,
    policy,
    now: () => clock,
    random: () => 0.5,
    log: pino({ level: 'silent' }),
  });
  const reopen = () => {
    db?.close();
    ({ store, db } = sqliteStore(join(tmp.dir, 'warta.db')));
  };
  const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).pluck().get(...args) as number);

  beforeEach(async () => {
    tmp = tempDir();
    server = await new FeedServer().start();
    clock = new Date('2026-11-26T10:00:00Z');
    policy = { minIntervalMs: 0, maxIntervalMs: 86_400_000, redirectPersistAfter: 3 };
    reopen();
  });
  afterEach(async () => {
    db.close();
    await server.stop();
    tmp.cleanup();
  });
  after(() => agent.close());

  const ARTICLES = [
    { guid: '101', link: 'https://berita.example/101', title: 'Putin dan Lukashenko bahas integrasi Rusia-Belarus di Minsk', pubDate: 'Wed, 25 Nov 2026 20:15:00 +0700' },
    { guid: '102', link: 'https://berita.example/102', title: 'Oposisi Belarusia gelar aksi di Vilnius', pubDate: 'Wed, 25 Nov 2026 18:00:00 +0700' },
    { guid: '103', link: 'https://berita.example/103', title: 'Harga minyak naik', content: '<p>Kremlin menyebut pasokan ke <b>Belarus</b> aman</p>' },
  ];

  it('stores every item once, tags exactly the right ones, then answers a re-poll with a 304 and writes nothing', async () => {
    const doc = rss(ARTICLES);
    server.routes.set('/feed', feedRoute(() => ({ body: doc })));
    const src = { id: 'berita', url: server.url('/feed') };

    const first = await refreshSource(deps(), src);
    expect(first).to.include({ result: 'updated', httpStatus: 200, inserted: 3, updated: 0 });
    const tagged = db.prepare('SELECT i.guid FROM items i JOIN item_tags t ON t.item_id = i.id WHERE t.tag = ? ORDER BY i.guid').pluck().all(TAG);
    expect(tagged).to.deep.equal(['101', '103']);

    // +0700 keeps its instant; a missing date becomes the first-seen time.
    const dates = db.prepare('SELECT guid, published FROM items ORDER BY guid').all() as { guid: string; published: string }[];
    expect(dates.map((d) => d.published)).to.deep.equal(['2026-11-25T13:15:00.000Z', '2026-11-25T11:00:00.000Z', '2026-11-26T10:00:00.000Z']);

    const before = store.changeToken();
    const second = await refreshSource(deps(), src);
    expect(second).to.include({ result: 'not_modified', httpStatus: 304 });
    expect(server.requests.at(-1)!.headers['if-none-match']).to.be.a('string');
    expect(count('SELECT count(*) FROM items')).to.equal(3);
    expect((await store.sources.get('berita'))!.notModifiedCount).to.equal(1);
    // Only the source's bookkeeping was written: the render caches stay valid.
    expect(store.changeToken()).to.equal(before);
  });

  it('updates a changed item in place and re-tags it; unchanged items are not rewritten', async () => {
    let items = ARTICLES.map((a) => ({ ...a }));
    server.routes.set('/feed', feedRoute(() => ({ body: rss(items) })));
    const src = { id: 'berita', url: server.url('/feed') };
    await refreshSource(deps(), src);
    const uid = db.prepare("SELECT uid FROM items WHERE guid = '102'").pluck().get();

    items = items.map((a) => (a.guid === '102' ? { ...a, title: 'Kremlin kecam aksi oposisi Belarusia di Vilnius' } : a));
    clock = new Date('2026-11-26T11:00:00Z');
    const r = await refreshSource(deps(), src);
    expect(r).to.include({ result: 'updated', inserted: 0, updated: 1 });
    expect(count('SELECT count(*) FROM items')).to.equal(3);
    expect(db.prepare("SELECT uid FROM items WHERE guid = '102'").pluck().get()).to.equal(uid);
    expect(count("SELECT count(*) FROM item_tags t JOIN items i ON i.id = t.item_id WHERE i.guid = '102' AND t.tag = ?", TAG)).to.equal(1);
  });

  it('never duplicates across restarts, even when the server has no validators and reorders the feed', async () => {
    let order = ARTICLES;
    server.routes.set('/feed', (_req, res) => void res.end(rss(order)));
    const src = { id: 'berita', url: server.url('/feed') };
    await refreshSource(deps(), src);
    reopen();
    const same = await refreshSource(deps(), src);
    expect(same.result).to.equal('not_modified'); // identical body: not parsed again
    order = [...ARTICLES].reverse();
    reopen();
    const reordered = await refreshSource(deps(), src);
    expect(reordered).to.include({ result: 'updated', inserted: 0, updated: 0 });
    expect(count('SELECT count(*) FROM items')).to.equal(3);
  });

  it('keeps one item per article when a feed reuses one guid for every item', async () => {
    const reused = ['a', 'b', 'c'].map((x) => ({ guid: 'https://berita.example/', link: `https://berita.example/${x}`, title: `Artikel ${x}` }));
    server.routes.set('/feed', (_req, res) => void res.end(rss([...reused, reused[0]!])));
    await refreshSource(deps(), { id: 'berita', url: server.url('/feed') });
    expect(db.prepare('SELECT link FROM items ORDER BY link').pluck().all()).to.deep.equal(reused.map((r) => r.link));
  });

  it('scopes guids by source: the same bare number from two sources is two items', async () => {
    server.routes.set('/a', (_req, res) => void res.end(rss([{ guid: '1', title: 'A' }])));
    server.routes.set('/b', (_req, res) => void res.end(rss([{ guid: '1', title: 'B' }])));
    await refreshSource(deps(), { id: 'a', url: server.url('/a') });
    await refreshSource(deps(), { id: 'b', url: server.url('/b') });
    expect(count('SELECT count(DISTINCT uid) FROM items')).to.equal(2);
  });

  it('records failures on the source: degraded, then failing, held back, and skipped until the hold expires', async () => {
    server.routes.set('/err', (_req, res) => void res.writeHead(500).end());
    const src = { id: 'rusak', url: server.url('/err') };
    const r1 = await refreshSource(deps(), src);
    expect(r1).to.deep.include({ result: 'failed', httpStatus: 500, error: { code: 'http_500', message: 'HTTP 500' } });
    expect(await store.sources.get('rusak')).to.include({ state: 'degraded', consecutiveFailures: 1, lastErrorCode: 'http_500' });
    const skipped = await refreshSource(deps(), src);
    expect(skipped.result).to.equal('skipped');
    for (let i = 0; i < 2; i++) await refreshSource(deps(), src, { force: true });
    expect(await store.sources.get('rusak')).to.include({ state: 'failing', consecutiveFailures: 3 });
    clock = new Date(clock.getTime() + 25 * 3_600_000);
    server.routes.set('/err', feedRoute(() => ({ body: rss(ARTICLES) })));
    const ok = await refreshSource(deps(), src);
    expect(ok.result).to.equal('updated');
    expect(await store.sources.get('rusak')).to.include({ state: 'ok', consecutiveFailures: 0, lastErrorCode: null });
  });

  it('marks a 410 source gone and stops polling it until forced', async () => {
    server.routes.set('/gone', (_req, res) => void res.writeHead(410).end());
    const src = { id: 'hilang', url: server.url('/gone') };
    await refreshSource(deps(), src);
    expect((await store.sources.get('hilang'))!.state).to.equal('gone');
    clock = new Date(clock.getTime() + 7 * 86_400_000);
    expect((await refreshSource(deps(), src)).skipped).to.deep.equal({ reason: 'gone', until: null });
    expect(server.hits.get('/gone')).to.equal(1);
    expect((await refreshSource(deps(), src, { force: true })).result).to.equal('failed');
    expect(server.hits.get('/gone')).to.equal(2);
  });

  it('records an HTML page as not_a_feed without storing anything', async () => {
    server.routes.set('/html', (_req, res) => void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><body>Hello</body></html>'));
    const r = await refreshSource(deps(), { id: 'html', url: server.url('/html') });
    expect(r.result).to.equal('failed');
    expect(r.error!.code).to.equal('not_a_feed');
    expect(count('SELECT count(*) FROM items')).to.equal(0);
  });

  it('honours the feed\'s <ttl> and the min interval on cron ticks, but not at start-up', async () => {
    policy = { minIntervalMs: 5 * 60_000, maxIntervalMs: 86_400_000, redirectPersistAfter: 3 };
    const doc = rss(ARTICLES).replace('<description>fixture</description>', '<description>fixture</description><ttl>60</ttl>');
    server.routes.set('/feed', feedRoute(() => ({ body: doc })));
    const src = { id: 'berita', url: server.url('/feed') };
    await refreshSource(deps(), src);
    expect((await store.sources.get('berita'))!.hintUntil!.toISOString()).to.equal('2026-11-26T11:00:00.000Z');
    clock = new Date('2026-11-26T10:15:00Z');
    const tick = await refreshSource(deps(), src);
    expect(tick.skipped).to.deep.equal({ reason: 'hint', until: new Date('2026-11-26T11:00:00Z') });
    expect(server.hits.get('/feed')).to.equal(1);
    const startup = await refreshSource(deps(), src, { ignoreHints: true });
    expect(startup.result).to.equal('not_modified');
    // A 304 keeps the feed's own interval: the next hold is again 60 min, not the 5 min minimum.
    expect((await store.sources.get('berita'))!.hintUntil!.toISOString()).to.equal('2026-11-26T11:15:00.000Z');
  });

  it('adopts a 301 target only after three consecutive polls see it, and never a 302', async () => {
    server.routes.set('/new', feedRoute(() => ({ body: rss(ARTICLES) })));
    server.routes.set('/old', (_req, res) => void res.writeHead(301, { Location: '/new' }).end());
    server.routes.set('/temp', (_req, res) => void res.writeHead(302, { Location: '/new' }).end());
    const moved = { id: 'pindah', url: server.url('/old') };
    for (let i = 1; i <= 2; i++) {
      await refreshSource(deps(), moved, { force: true });
      expect(await store.sources.get('pindah')).to.include({ effectiveUrl: null, redirectSeen: i, redirectTarget: server.url('/new') });
    }
    await refreshSource(deps(), moved, { force: true });
    expect((await store.sources.get('pindah'))!.effectiveUrl).to.equal(server.url('/new'));
    const oldHits = server.hits.get('/old');
    await refreshSource(deps(), moved, { force: true });
    expect(server.hits.get('/old')).to.equal(oldHits); // now polled at the new URL directly

    const temp = { id: 'sementara', url: server.url('/temp') };
    for (let i = 0; i < 4; i++) await refreshSource(deps(), temp, { force: true });
    expect(await store.sources.get('sementara')).to.include({ effectiveUrl: null, redirectSeen: 0 });
  });

  it('reports Retry-After from a 429 so the caller can pause the host', async () => {
    server.routes.set('/busy', (_req, res) => void res.writeHead(429, { 'Retry-After': '600' }).end());
    const r = await refreshSource(deps(), { id: 'sibuk', url: server.url('/busy') });
    expect(r.error!.code).to.equal('rate_limited');
    expect(r.retryAfter!.toISOString()).to.equal('2026-11-26T10:10:00.000Z');
    // The source itself is held at least that long (the backoff's 15 min is longer here).
    expect((await store.sources.get('sibuk'))!.heldUntil!.getTime()).to.be.at.least(r.retryAfter!.getTime());
  });

  it('max_items holds in the refresh that exceeds it: the oldest go (with tombstones) in the same transaction', async () => {
    const first = ARTICLES.slice(0, 2);
    server.routes.set('/feed', (_req, res) => void res.end(rss(first)));
    const src = { id: 'berita', url: server.url('/feed'), maxItems: 2 };
    expect(await refreshSource(deps(), src)).to.include({ inserted: 2 });
    expect(count('SELECT count(*) FROM items')).to.equal(2);
    // A third item arrives, newer than the others: the source is back at two at once, not after an hourly pass.
    const newer = { guid: '104', link: 'https://berita.example/104', title: 'Minsk dan Moskow teken perjanjian', pubDate: 'Thu, 26 Nov 2026 09:00:00 +0700' };
    server.routes.set('/feed', (_req, res) => void res.end(rss([...first, newer])));
    expect(await refreshSource(deps(), src)).to.include({ inserted: 1 });
    expect(db.prepare('SELECT guid FROM items ORDER BY guid').pluck().all()).to.deep.equal(['101', '104']);
    expect(db.prepare('SELECT count(*) FROM tombstones').pluck().get()).to.equal(1);
    // The feed still lists the pruned one: it does not come back.
    server.routes.set('/feed', (_req, res) => void res.end(rss([...first, newer]) + '\n'));
    expect(await refreshSource(deps(), src)).to.include({ inserted: 0 });
    expect(count('SELECT count(*) FROM items')).to.equal(2);
  });

  it('retention prunes by age and by count, and a pruned item never comes back as new', async () => {
    server.routes.set('/feed', (_req, res) => void res.end(rss(ARTICLES)));
    const src = { id: 'berita', url: server.url('/feed') };
    await refreshSource(deps(), src);
    clock = new Date('2026-11-26T12:00:00Z');
    // Keep 2 of 3 (the oldest by publication goes), then everything first seen more than a day ago.
    const byCount = await store.retention.prune(clock, null, new Map([['berita', 2]]));
    expect(byCount).to.deep.equal({ byAge: 0, byCount: 1 });
    expect(db.prepare('SELECT guid FROM items ORDER BY guid').pluck().all()).to.deep.equal(['101', '103']);

    // The feed still lists all three; a changed body forces a real parse.
    server.routes.set('/feed', (_req, res) => void res.end(rss(ARTICLES) + '\n'));
    const again = await refreshSource(deps(), src);
    expect(again).to.include({ result: 'updated', inserted: 0 });
    expect(count('SELECT count(*) FROM items')).to.equal(2);

    clock = new Date('2026-11-28T12:00:00Z');
    const byAge = await store.retention.prune(clock, 1, new Map());
    expect(byAge).to.deep.equal({ byAge: 2, byCount: 0 });
    server.routes.set('/feed', (_req, res) => void res.end(rss(ARTICLES) + '\n\n'));
    await refreshSource(deps(), src);
    expect(count('SELECT count(*) FROM items')).to.equal(0);
    expect(count('SELECT count(*) FROM tombstones')).to.equal(3);
  });
});
