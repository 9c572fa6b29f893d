/**
 * `warta migrate-store` (issue 14): a SQLite store filled by the real CLI (`warta fetch` against a feed server on
 * 127.0.0.1) copied into a fresh PostgreSQL schema serves, from a daemon on PostgreSQL, the same /api/items
 * bodies and the same feed bytes as a daemon on the SQLite file (the idea of legacy-db.test.ts); a target holding
 * anything is refused without --force and replaced with it. Against the server on 127.0.0.1:5432; pending, with
 * the reason, where none answers.
 */
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { createDaemon, runWarta, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { copySqliteToPostgres } from '../../src/store/copy.js';
import { adminQuery, postgresUnavailable, testSchema } from '../helpers/postgres.js';

const ROUTES = ['/api/items', '/api/items?limit=2', '/feeds/rusia.rss', '/feeds/rusia.json', '/feeds/semua.atom', '/tags/rusia.rss', '/feeds/dibahas.rss'];

describe('warta migrate-store: SQLite → PostgreSQL (127.0.0.1:5432)', function () {
  let feeds: FeedServer;
  let schema: Awaited<ReturnType<typeof testSchema>>;
  let sqlite: Daemon;
  // The feed server's address, kept after it stops: the daemons' sources still point there.
  let origin = '';
  const cleanups: (() => Promise<void>)[] = [];

  // One public URL for both daemons: self links in the feeds name it, not each daemon's port.
  const config = (origin: string) => ({
    server: { base_url: 'http://warta.test' },
    sources: [
      { id: 'kompas', url: `${origin}/kompas.xml`, tags: ['berita'] },
      { id: 'tempo', url: `${origin}/tempo.xml`, from_categories: true },
    ],
    tags: [
      { name: 'Rusia', match: 'Rusia OR Moskow' },
      { name: 'berita', match: 'NOT opini' },
      { name: 'Ekonomi', match: 'ekonomi', aliases: ['harga beras'] },
    ],
    outputs: [
      { id: 'rusia', title: 'Rusia', tags: ['Rusia'] },
      { id: 'semua', title: 'Semua', sources: ['kompas', 'tempo'] },
      { id: 'dibahas', title: 'Dibahas', match: 'title:(Putin OR beras)' },
    ],
  });

  before(async function () {
    const reason = await postgresUnavailable();
    if (reason) {
      console.log(`      pending: ${reason}`);
      return this.skip();
    }
    feeds = await new FeedServer().start();
    const server = feeds;
    cleanups.push(() => server.stop());
    feeds.routes.set('/kompas.xml', feedRoute(() => ({ body: rss([
      { guid: 'k1', link: 'http://127.0.0.1/k1', title: 'Putin bertemu Lukashenko di Moskow', description: 'Rusia &amp; Belarus', pubDate: 'Tue, 01 Dec 2026 10:00:00 GMT' },
      { guid: 'k2', link: 'http://127.0.0.1/k2', title: 'Harga beras naik', description: 'harga beras di pasar', pubDate: 'Tue, 01 Dec 2026 09:00:00 GMT' },
      { link: 'http://127.0.0.1/k3', title: 'Opini: tentang Rusia', content: '<p>opini <b>panjang</b></p>', pubDate: 'Mon, 30 Nov 2026 08:00:00 GMT' },
    ]) })));
    feeds.routes.set('/tempo.xml', feedRoute(() => ({ body: rss([
      { guid: 't1', title: 'Ekonomi Rusia melambat', categories: ['Ekonomi', 'Dunia'], pubDate: 'Tue, 01 Dec 2026 11:00:00 GMT' },
      { guid: 't2', title: 'Tanpa tanggal' },
    ], { title: 'Tempo', link: 'http://127.0.0.1/tempo' }) })));
    sqlite = await createDaemon({ config: config(feeds.origin) });
    cleanups.push(() => sqlite.close());
    const fetched = await runWarta(['fetch', '--config', sqlite.configPath], { WARTA_LISTEN: '', WARTA_DB: '' });
    expect(fetched.code, fetched.stdout + fetched.stderr).to.equal(0);
    // What the CLI cannot make in one run: a tombstone (retention) and a fact in meta beside the rules' own.
    const db = new Database(sqlite.dbPath);
    db.prepare("INSERT INTO tombstones (source_id, dedupe_key, pruned_at) VALUES ('kompas', 'g:k0', '2026-11-01T00:00:00.000Z')").run();
    db.prepare("INSERT INTO meta (key, value) VALUES ('test_note', 'dari SQLite')").run();
    db.close();
    // Every later start-up poll fails the same way on both stores, and leaves the items as they are.
    origin = feeds.origin;
    await feeds.stop();
    schema = await testSchema();
    cleanups.push(() => schema.drop());
  });
  after(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  const migrate = (...extra: string[]) => runWarta(['migrate-store', '--from', `sqlite:${sqlite.dbPath}`, '--to', schema.url, ...extra]);
  const pgCount = async (table: string) => (await adminQuery(`SELECT count(*)::int AS n FROM ${schema.name}.${table}`)).rows[0].n as number;

  it('copies every table, printing the rows per table', async () => {
    const r = await migrate();
    expect(r.code, r.stderr).to.equal(0);
    const db = new Database(sqlite.dbPath, { readonly: true });
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).to.deep.equal(['sources', 'items', 'item_tags', 'item_outputs', 'pages', 'tombstones', 'meta']);
    for (const line of lines) {
      const [table, n] = line.trim().split(/\s+/) as [string, string];
      const expected = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      expect(Number(n), table).to.equal(expected);
      expect(await pgCount(table), table).to.equal(expected);
    }
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).to.equal(5);
    // Explanations byte for byte, ids and uids as they were, meta (the rules' fingerprint) as stored.
    const tags = db.prepare('SELECT tag, item_id, explain FROM item_tags ORDER BY item_id, tag').all();
    expect((await adminQuery(`SELECT tag, item_id::int, explain FROM ${schema.name}.item_tags ORDER BY item_id, tag`)).rows).to.deep.equal(tags);
    const items = db.prepare('SELECT id, uid FROM items ORDER BY id').all();
    expect((await adminQuery(`SELECT id::int, uid FROM ${schema.name}.items ORDER BY id`)).rows).to.deep.equal(items);
    const meta = db.prepare('SELECT key, value FROM meta ORDER BY key').all();
    expect(meta.map((m) => (m as { key: string }).key)).to.include('test_note');
    expect((await adminQuery(`SELECT key, value FROM ${schema.name}.meta ORDER BY key`)).rows).to.deep.equal(meta);
    db.close();
  });

  it('a daemon on the PostgreSQL copy serves the same /api/items bodies and feed bytes as one on the SQLite file', async () => {
    const onSqlite = await startDaemon({ config: { ...config(origin), storage: { path: sqlite.dbPath } } });
    cleanups.push(() => onSqlite.close());
    const onPostgres = await startDaemon({ config: { ...config(origin), storage: { url: schema.url } } });
    cleanups.push(() => onPostgres.close());
    for (const route of ROUTES) {
      const [a, b] = await Promise.all([fetch(onSqlite.base + route), fetch(onPostgres.base + route)]);
      expect(a.status, route).to.equal(200);
      expect(b.status, route).to.equal(a.status);
      const [ba, bb] = await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
      expect(Buffer.from(bb).toString('utf8'), route).to.equal(Buffer.from(ba).toString('utf8'));
    }
    const items = (await (await fetch(`${onPostgres.base}/api/items`)).json()) as { items: unknown[] };
    expect(items.items).to.have.length(5);
    await onSqlite.stop();
    await onPostgres.stop();
  });

  it('refuses a target that holds anything, without --force, and changes nothing', async () => {
    const before = await pgCount('items');
    const r = await migrate();
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^warta migrate-store: the target postgres:\/\/postgres@127\.0\.0\.1:5432\/test is not empty \(sources \d+, items \d+, .*\); use --force to replace what it holds\n$/);
    expect(await pgCount('items')).to.equal(before);
  });

  it('--force replaces what the target holds, ids and counts as in the source', async () => {
    await adminQuery(`INSERT INTO ${schema.name}.meta (key, value) VALUES ('only_in_target', 'x')`);
    const r = await migrate('--force');
    expect(r.code, r.stderr).to.equal(0);
    expect((await adminQuery(`SELECT count(*)::int AS n FROM ${schema.name}.meta WHERE key = 'only_in_target'`)).rows[0].n).to.equal(0);
    const db = new Database(sqlite.dbPath, { readonly: true });
    for (const table of ['sources', 'items', 'item_tags', 'item_outputs', 'pages', 'tombstones', 'meta']) {
      expect(await pgCount(table), table).to.equal(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
    }
    db.close();
  });

  it('streams in batches: with 2 rows a batch, the copy is the same (the SQLite cursor stays open across awaits)', async () => {
    const summary = await copySqliteToPostgres(sqlite.dbPath, schema.url, { force: true, batchSize: 2 });
    const db = new Database(sqlite.dbPath, { readonly: true });
    for (const { table, rows } of summary) expect(rows, table).to.equal(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
    const items = db.prepare('SELECT id, uid, title FROM items ORDER BY id').all();
    expect((await adminQuery(`SELECT id::int, uid, title FROM ${schema.name}.items ORDER BY id`)).rows).to.deep.equal(items);
    db.close();
  });

  it('usage: --from must be sqlite:PATH and --to a postgres:// URL (exit 2)', async () => {
    const a = await runWarta(['migrate-store', '--from', sqlite.dbPath, '--to', schema.url]);
    expect(a.code).to.equal(2);
    expect(a.stderr).to.include('--from must be sqlite:PATH');
    const b = await runWarta(['migrate-store', '--from', `sqlite:${sqlite.dbPath}`, '--to', 'mysql://127.0.0.1/x']);
    expect(b.code).to.equal(2);
    const c = await runWarta(['migrate-store', '--from', `sqlite:${sqlite.dbPath}`]);
    expect(c.code).to.equal(2);
  });
});
