/**
 * Re-tagging on worker threads (src/retag-pool.ts) against real SQLite files: the same result as re-tagging on
 * the main thread, nothing stale written over a refresh that happened meanwhile, and a fallback when the
 * workers cannot start.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeClassifier, type Classifier } from '../../src/tagging/classify.js';
import { parseConfig } from '../../src/config/load.js';
import type { Db } from '../../src/store/sqlite/open.js';
import type { Store } from '../../src/store/store.js';
import { retagIfRulesChanged } from '../../src/jobs/retag.js';
import { startRetagPool, type RetagPool } from '../../src/jobs/retag-pool.js';
import type { IncomingItem } from '../../src/base/model.js';
import { sqliteStore, storeItems } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';
import { pendingBecause } from '../helpers/pending.js';

const classifierFor = (tags: string, outputs = ''): Classifier =>
  makeClassifier(parseConfig(`sources:\n  - id: s\n    url: "http://127.0.0.1:9/feed.xml"\ntags:\n${tags}${outputs}`, 'test.yaml'));

// Rules before and after an admin's edit: Rusia–Belarus relations narrowed to Minsk, a new tag, an output query.
const BEFORE = classifierFor('  - name: Rusia\n    match: Rusia\n  - name: Belarus\n    match: Belarus* OR Minsk\n');
const AFTER = classifierFor(
  '  - name: Rusia\n    match: Rusia\n  - name: Belarus\n    match: Minsk\n  - name: Hubungan Rusia dengan Belarusia\n    match: Rusia AND (Belarus* OR Minsk)\n',
  'outputs:\n  - id: tanpa-opini\n    title: Tanpa opini\n    match: NOT title:opini\n',
);

const WORDS = ['Rusia', 'Belarusia', 'Minsk', 'Putin', 'Lukashenko', 'opini', 'Jakarta', 'ekonomi', 'perang', 'sidang'];
const item = (k: number): IncomingItem => ({
  guid: `g${k}`, link: `https://a.example/${k}`,
  title: `${WORDS[k % 10]} ${WORDS[(k * 7) % 10]} ${k}`,
  summary: `<p>${WORDS[(k * 3) % 10]} &amp; ${WORDS[(k * 5 + 1) % 10]}</p>`,
  content: null, author: null, categories: [], published: new Date(Date.UTC(2026, 0, 1, 0, 0, k)), updated: null,
});

async function storeWith(dir: string, name: string, count: number): Promise<{ store: Store; db: Db; path: string }> {
  const path = join(dir, name);
  const { store, db } = sqliteStore(path);
  await storeItems(store, 's', Array.from({ length: count }, (_, k) => item(k)), (it) => BEFORE.classify(it, 's'));
  await retagIfRulesChanged(store, BEFORE, () => new Date());
  return { store, db, path };
}

const snapshot = (db: Db) => ({
  tags: db.prepare('SELECT item_id, tag, explain FROM item_tags ORDER BY item_id, tag').all(),
  outputs: db.prepare('SELECT item_id, output_id FROM item_outputs ORDER BY item_id, output_id').all(),
});
const fingerprintOf = async (store: Store) => (await store.retag.state()).fingerprint;

describe('re-tagging on worker threads', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('writes exactly what re-tagging on the main thread writes', async () => {
    const here = await storeWith(tmp.dir, 'here.db', 1_300);
    const pooled = await storeWith(tmp.dir, 'pooled.db', 1_300);
    const a = await retagIfRulesChanged(here.store, AFTER, () => new Date(), { batch: 97 });
    const b = await retagIfRulesChanged(pooled.store, AFTER, () => new Date(), {
      batch: 97, workers: 2, poolMinItems: 1, startPool: (n) => startRetagPool({ path: pooled.path }, AFTER.spec, n),
    });
    expect(b!.workers).to.equal(2);
    expect(a!.workers).to.equal(0);
    // Nearly every item changes (the output is new), so the comparison covers most rows.
    expect(a!.changed).to.be.within(1_000, 1_300);
    expect(b!.changed).to.equal(a!.changed);
    const expected = snapshot(here.db);
    expect(expected.tags.length).to.be.greaterThan(500);
    expect(snapshot(pooled.db)).to.deep.equal(expected);
    expect(await fingerprintOf(pooled.store)).to.equal(AFTER.fingerprint);
    here.db.close();
    pooled.db.close();
  });

  it('does not write a classification over an item a refresh rewrote meanwhile', async () => {
    const { store, db, path } = await storeWith(tmp.dir, 'race.db', 200);
    const rewritten = item(0); // "Rusia Rusia 0": rewritten below to mention Minsk
    rewritten.title = 'Rusia dan Minsk';
    const startPool = async (n: number): Promise<RetagPool> => {
      const pool = await startRetagPool({ path: path }, AFTER.spec, n);
      let first = true;
      return {
        ...pool,
        classify: async (lo, hi) => {
          const changes = await pool.classify(lo, hi);
          if (first) {
            // A refresh lands between the worker's read and this thread's write, classifying with the new rules.
            first = false;
            await storeItems(store, 's', [rewritten], (it) => AFTER.classify(it, 's'));
          }
          return changes;
        },
      };
    };
    await retagIfRulesChanged(store, AFTER, () => new Date(), { batch: 50, workers: 1, poolMinItems: 1, startPool });
    const tags = db.prepare("SELECT tag FROM item_tags WHERE item_id = (SELECT id FROM items WHERE guid = 'g0') ORDER BY tag").pluck().all();
    expect(tags).to.deep.equal(['Belarus', 'Hubungan Rusia dengan Belarusia', 'Rusia']);
    db.close();
  });

  it('re-tags a small store (under 10,000 items) on the main thread without starting workers', async () => {
    const { store, db, path } = await storeWith(tmp.dir, 'small.db', 300);
    let started = 0;
    const r = await retagIfRulesChanged(store, AFTER, () => new Date(), { workers: 2, startPool: (n) => (started++, startRetagPool({ path: path }, AFTER.spec, n)) });
    expect(started).to.equal(0);
    expect(r).to.deep.include({ workers: 0 });
    expect(r!.changed).to.be.greaterThan(250);
    db.close();
  });

  it('runs the compiled worker (dist/), as the daemon does', async function () {
    const compiled = new URL('../../dist/jobs/retag-pool.js', import.meta.url);
    if (!existsSync(compiled)) pendingBecause(this, 'dist/ is not built (npm run build; npm test builds it first)');
    const { startRetagPool: startCompiled } = (await import(compiled.href)) as typeof import('../../src/jobs/retag-pool.js');
    const pooled = await storeWith(tmp.dir, 'compiled.db', 300);
    const r = await retagIfRulesChanged(pooled.store, AFTER, () => new Date(), { workers: 2, poolMinItems: 1, startPool: (n) => startCompiled({ path: pooled.path }, AFTER.spec, n) });
    expect(r).to.deep.include({ workers: 2 });
    expect(r!.changed).to.be.greaterThan(250);
    pooled.db.close();
  });

  it('re-tags on the main thread when the workers cannot start', async () => {
    const { store, db } = await storeWith(tmp.dir, 'fallback.db', 50);
    const failures: unknown[] = [];
    const r = await retagIfRulesChanged(
      store, AFTER, () => new Date(),
      { workers: 2, poolMinItems: 1, startPool: (n) => startRetagPool({ path: join(tmp.dir, 'missing.db') }, AFTER.spec, n) },
      (err) => failures.push(err),
    );
    expect(failures).to.have.length(1);
    expect(String(failures[0])).to.match(/no database at .*missing\.db/);
    expect(r).to.deep.include({ workers: 0 });
    expect(r!.changed).to.be.greaterThan(40); // all but the "opini" items enter the new output
    expect(await fingerprintOf(store)).to.equal(AFTER.fingerprint);
    db.close();
  });

  describe('keeps explanations current', () => {

    const explainOf = (db: Db, id: number, tag: string) =>
      db.prepare('SELECT explain FROM item_tags WHERE item_id = ? AND tag = ?').pluck().get(id, tag) as string | undefined;
    // Item k = 2 ("Minsk Lukashenko 2", Belarusia in its summary) carries the Belarus tag before and after.
    const MINSK = 3; // ids start at 1

    // The Belarus rule rewritten without changing what it matches: same tags, outputs and items, new reason.
    const REWORDED = classifierFor('  - name: Rusia\n    match: Rusia\n  - name: Belarus\n    match: Minsk OR Belarus*\n');

    for (const workers of [0, 2]) {
      it(`rewrites the reason of a tag an edited rule still gives, and nothing else (${workers} workers)`, async () => {
        const { store, db, path } = await storeWith(tmp.dir, `explained-${workers}.db`, 300);
        expect(explainOf(db, MINSK, 'Belarus')).to.include('"Belarus* OR Minsk"');
        const rusia = db.prepare("SELECT item_id, explain FROM item_tags WHERE tag = 'Rusia' ORDER BY item_id").all();
        const belarus = db.prepare("SELECT count(*) FROM item_tags WHERE tag = 'Belarus'").pluck().get() as number;
        const r = await retagIfRulesChanged(store, REWORDED, () => new Date(), {
          workers, poolMinItems: 1, startPool: workers === 0 ? null : (n) => startRetagPool({ path: path }, REWORDED.spec, n),
        });
        expect(r).to.deep.include({ changed: 0, explained: belarus, workers });
        expect(explainOf(db, MINSK, 'Belarus')).to.equal('{"rules":["Minsk OR Belarus*"],"m":[[0,"title","Minsk",0,5],[0,"summary","Belarusia",10,19]]}');
        // The Rusia rule did not change: its rows are untouched.
        expect(db.prepare("SELECT item_id, explain FROM item_tags WHERE tag = 'Rusia' ORDER BY item_id").all()).to.deep.equal(rusia);
        // Re-tagging again with the same rules finds nothing to write.
        db.prepare("UPDATE meta SET value = 'forced' WHERE key = 'rules_fingerprint'").run();
        expect(await retagIfRulesChanged(store, REWORDED, () => new Date())).to.deep.include({ changed: 0, explained: 0 });
        db.close();
      });
    }

    it('rewrites explanations stored in the old format when the rules change', async () => {
      const { store, db } = await storeWith(tmp.dir, 'old-format.db', 50);
      const old = JSON.stringify([{ rule: 'Rusia', field: 'title', text: 'Rusia', start: 0, end: 5 }]);
      const first = db.prepare("SELECT item_id FROM item_tags WHERE tag = 'Rusia' ORDER BY item_id LIMIT 1").pluck().get() as number;
      db.prepare("UPDATE item_tags SET explain = ? WHERE tag = 'Rusia' AND item_id = ?").run(old, first);
      await retagIfRulesChanged(store, AFTER, () => new Date());
      expect(explainOf(db, first, 'Rusia')).to.match(/^\{"rules":\["Rusia"\],"m":/);
      db.close();
    });
  });
});
