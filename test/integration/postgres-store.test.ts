/**
 * What the PostgreSQL store does beyond the store contract: migrating once when several open at once, read-only
 * stores, another process's writes reaching the change token, and its errors. Against the server on
 * 127.0.0.1:5432 (test/helpers/postgres.ts); pending, with the reason, where none answers.
 */
import { expect } from 'chai';
import { WartaError } from '../../src/base/errors.js';
import { openStore } from '../../src/store/open.js';
import { ChangeBoard } from '../../src/store/postgres/change-token.js';
import { openPostgresStore } from '../../src/store/postgres/open.js';
import { loadMigrations } from '../../src/store/postgres/migrate.js';
import type { Store } from '../../src/store/store.js';
import { A1, FEEDS, SOURCES, refresh, seed } from '../store-contract/fixtures.js';
import { adminQuery, pendingWithoutPostgres, testSchema } from '../helpers/postgres.js';
import { sqliteStore, storeItems } from '../helpers/store.js';
import { parseConfig } from '../../src/config/load.js';
import { makeClassifier } from '../../src/tagging/classify.js';
import { retagIfRulesChanged } from '../../src/jobs/retag.js';
import { startRetagPool } from '../../src/jobs/retag-pool.js';
import type { IncomingItem } from '../../src/base/model.js';
import { loadMigrations as loadMigrationFiles } from '../../src/store/rows.js';

const MIGRATIONS = new URL('../../migrations/postgres/', import.meta.url).pathname;

async function rejection(p: Promise<unknown>): Promise<WartaError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(WartaError);
    return err as WartaError;
  }
  throw new Error('resolved; expected a rejection');
}

const spec = (url: string, o: { statementTimeoutMs?: number; readonly?: boolean } = {}) => ({
  url, poolSize: 3, statementTimeoutMs: o.statementTimeoutMs ?? 30_000, readonly: o.readonly ?? false,
});

describe('PostgreSQL store beyond the contract (127.0.0.1:5432)', function () {
  let schema: Awaited<ReturnType<typeof testSchema>> | null = null;
  const opened: Store[] = [];
  const open = async (s: ReturnType<typeof spec>, board?: ChangeBoard) => {
    const store = await openPostgresStore(s, board);
    opened.push(store);
    return store;
  };

  before(async function () {
    await pendingWithoutPostgres(this);
  });
  beforeEach(async () => {
    schema = await testSchema();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await schema?.drop();
  });

  it('several stores opening a new database at once migrate it once', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => open(spec(schema!.url))));
    expect(stores).to.have.length(3);
    const { rows } = await adminQuery(`SELECT version, name FROM ${schema!.name}.schema_migrations ORDER BY version`);
    // Each migration once (0002_stories, 0003_pages, 0004_nodes: several daemons' claims, host slots and jobs).
    expect(rows).to.deep.equal(loadMigrations().map((m) => ({ version: m.version, name: m.name })));
    expect(rows.map((r: { name: string }) => r.name)).to.include.members(['0001_init.sql', '0002_stories.sql', '0003_pages.sql', '0004_nodes.sql']);
  });

  it('tag names, source ids and dedupe keys compare in byte order whatever the database locale (COLLATE "C")', async () => {
    await open(spec(schema!.url));
    const { rows } = await adminQuery(
      `SELECT table_name || '.' || column_name AS col, collation_name FROM information_schema.columns
       WHERE table_schema = $1 AND column_name IN ('id', 'tag', 'output_id', 'source_id', 'dedupe_key', 'key') AND data_type = 'text'
       ORDER BY 1`,
      [schema!.name],
    );
    expect(rows.length).to.be.greaterThan(6);
    expect(rows.filter((r: { collation_name: string }) => r.collation_name !== 'C')).to.deep.equal([]);
  });

  it('a write by another process moves the token within about a second (polled change counter)', async () => {
    // Two boards: two stores that share nothing in memory, as two daemons.
    const a = await open(spec(schema!.url), new ChangeBoard());
    const b = await open(spec(schema!.url), new ChangeBoard());
    await a.sources.ensure(SOURCES);
    const before = b.changeToken();
    await refresh(a, 'antara', FEEDS.antara);
    const started = Date.now();
    while (b.changeToken() === before && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
    // Polled once a second: 5 s is only the test's patience, not the promise.
    expect(b.changeToken()).to.not.equal(before);
    // And it stays put while nothing more is written.
    const settled = b.changeToken();
    await new Promise((r) => setTimeout(r, 1300));
    expect(b.changeToken()).to.equal(settled);
  });

  it('a read-only store reads, and the server refuses its writes', async () => {
    const rw = await open(spec(schema!.url));
    await seed(rw);
    const ro = await open(spec(schema!.url, { readonly: true }));
    expect((await ro.sources.all()).map((s) => s.id)).to.deep.equal(SOURCES.map((s) => s.id));
    expect(await ro.retag.readRange(0, Number.MAX_SAFE_INTEGER)).to.have.length(7);
    const err = await rejection(ro.sources.ensure([{ id: 'detik', url: 'https://rss.detik.com/' }]));
    expect(err.code).to.equal('storage');
    expect(err.message).to.match(/read-only/);
  });

  it('a read-only open of a database warta never ran on fails as `storage`, creating nothing', async () => {
    const err = await rejection(openStore({ path: 'unused.db', url: schema!.url }, { readonly: true }));
    expect(err.code).to.equal('storage');
    expect(err.message).to.match(/start warta/);
    const { rows } = await adminQuery('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema!.name]);
    expect(rows[0].n).to.equal(0);
  });

  it('nothing answering is a `storage` error naming the server, without the password', async () => {
    const err = await rejection(openStore({ path: 'unused.db', url: 'postgres://warta:geheim@127.0.0.1:1/warta' }));
    expect(err.code).to.equal('storage');
    expect(err.message).to.match(/cannot reach PostgreSQL at postgres:\/\/warta@127\.0\.0\.1:1\/warta/);
    expect(err.message).to.not.include('geheim');
  });

  it('a lock held past the statement timeout is `busy`', async () => {
    const store = await open(spec(schema!.url, { statementTimeoutMs: 300 }));
    await store.sources.ensure(SOURCES);
    const { default: pg } = await import('pg');
    const holder = new pg.Client({ connectionString: schema!.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE sources IN ACCESS EXCLUSIVE MODE');
      const err = await rejection(store.sources.all());
      expect(err.code).to.equal('busy');
      await holder.query('ROLLBACK');
      expect(await store.sources.all()).to.have.length(3);
    } finally {
      await holder.end();
    }
  });

  it('a refresh that loses a race for a new key to another writer counts it stale, not failed', async () => {
    const a = await open(spec(schema!.url));
    const b = await open(spec(schema!.url));
    await a.sources.ensure(SOURCES);
    const results = await Promise.all([refresh(a, 'antara', [A1]), refresh(b, 'antara', [A1])]);
    expect(results.map((r) => r.inserted).sort()).to.deep.equal([0, 1]);
    expect(results.map((r) => r.stale).sort()).to.deep.equal([0, 1]);
    expect((await a.sources.itemCounts()).get('antara')).to.equal(1);
  });

  it('re-tags on worker threads, each with its own read-only store, as SQLite does on the main thread', async function () {
    this.timeout(60_000);
    const classifierFor = (tags: string) => makeClassifier(parseConfig(`sources:\n  - id: s\n    url: "http://127.0.0.1:9/feed.xml"\ntags:\n${tags}`, 'test.yaml'));
    const before = classifierFor('  - name: Rusia\n    match: Rusia\n  - name: Belarus\n    match: Belarus* OR Minsk\n');
    const after = classifierFor('  - name: Rusia\n    match: Rusia\n  - name: Belarus\n    match: Minsk\n  - name: Hubungan Rusia dengan Belarusia\n    match: Rusia AND (Belarus* OR Minsk)\n');
    const words = ['Rusia', 'Belarusia', 'Minsk', 'Putin', 'Jakarta'];
    const items: IncomingItem[] = Array.from({ length: 300 }, (_, k) => ({
      guid: `g${k}`, link: `https://a.example/${k}`, title: `${words[k % 5]} ${words[(k * 3) % 5]} ${k}`, summary: null,
      content: null, author: null, categories: [], published: new Date(Date.UTC(2026, 0, 1, 0, 0, k)), updated: null,
    }));
    const stores = { sqlite: sqliteStore(':memory:').store, postgres: await open(spec(schema!.url)) };
    for (const store of Object.values(stores)) {
      await storeItems(store, 's', items, (it) => before.classify(it, 's'), new Date('2026-01-02T00:00:00Z'));
      await retagIfRulesChanged(store, before, () => new Date());
    }
    const here = await retagIfRulesChanged(stores.sqlite, after, () => new Date(), { batch: 97 });
    const pooled = await retagIfRulesChanged(stores.postgres, after, () => new Date(), {
      batch: 97, workers: 2, poolMinItems: 1, startPool: (n) => startRetagPool({ path: 'unused.db', url: schema!.url }, after.spec, n),
    });
    expect(pooled!.workers).to.equal(2);
    expect(pooled!.changed).to.equal(here!.changed).and.to.be.greaterThan(50);
    const labels = async (store: Store) =>
      (await store.retag.readRange(0, Number.MAX_SAFE_INTEGER)).map((r) => ({ id: r.id, tags: [...r.tags].sort(), outputs: [...r.outputs].sort() }));
    expect(await labels(stores.postgres)).to.deep.equal(await labels(stores.sqlite));
    await stores.sqlite.close();
  });
});
