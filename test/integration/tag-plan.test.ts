/**
 * A tag output's plan on SQLite (issue 15, branch tagq15): a common tag walks the newest items and probes each in
 * item_tags_by_item (O(limit) rows), a rare one lists its ids from the slim item_tags_by_tag; neither reads the
 * tag's range of item_tags itself, whose rows carry the explanations (6,175 page reads a render at 2,800
 * sources). Checked with EXPLAIN QUERY PLAN on a store of 4,000 items, and each plan's rows against the plain query.
 */
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { loadMigrations, migrate } from '../../src/store/sqlite/migrate.js';
import { openDatabase, type Db } from '../../src/store/sqlite/open.js';
import { makeItemStatements } from '../../src/store/sqlite/items.js';
import { makePageStatements } from '../../src/store/sqlite/pages.js';
import { makeStoryStatements } from '../../src/store/sqlite/stories.js';
import type { BrowseFilter, ClusterFilter, OutputFilter } from '../../src/store/store.js';

const N = 4000;

function fill(db: Db): void {
  db.pragma('foreign_keys = OFF');
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
    INSERT INTO items (id, uid, source_id, dedupe_key, title, published, updated, first_seen, content_hash, cluster_id)
    SELECT i, 'u' || i, 's' || (i % 20), 'k' || i, 't' || i,
           strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01', '+' || (i - i % 3) || ' minutes'), '2026-11-01', '2026-11-01', 'h', (i / 2) * 37 % 2003
    FROM n`);
  const tag = db.prepare('INSERT INTO item_tags (tag, item_id, explain) VALUES (?, ?, ?)');
  const why = JSON.stringify({ rules: ['Umum OR Langka'], m: Array.from({ length: 20 }, (_, k) => [0, 'content', 'Umum', k * 10, k * 10 + 4]) });
  for (let i = 1; i <= N; i++) {
    if (i % 10 !== 0) tag.run('Umum', i, why); // 90 % of items
    if (i % 500 === 0) tag.run('Langka', i, why); // 8 items
    if (i <= N / 2) tag.run('Lama', i, why); // common, but only among the oldest half (not the newest 2,000 ids)
  }
  db.prepare('UPDATE items SET appearance_of = 1 WHERE id = ?').run(N - 1); // an appearance: never an entry
}

const WALK = ['SCAN items USING INDEX items_by_published', 'SEARCH t EXISTS USING COVERING INDEX'];
const LIST = ['SEARCH items USING INTEGER PRIMARY KEY (rowid=?)', 'SEARCH item_tags USING COVERING INDEX item_tags_by_tag (tag=?)'];

describe('SQLite: the plan of a tag output (EXPLAIN QUERY PLAN)', () => {
  let db: Db;
  let items: ReturnType<typeof makeItemStatements>;
  before(() => {
    db = openDatabase(':memory:');
    fill(db);
    items = makeItemStatements(db, makePageStatements(db));
  });
  after(() => db.close());

  const cases: { name: string; filter: Partial<OutputFilter>; plan: string[]; none?: string[] }[] = [
    { name: 'a common tag walks the newest items', filter: { tags: ['Umum'] }, plan: WALK, none: ['(tag=?)', 'TEMP B-TREE'] },
    { name: 'a common and a rare tag together walk', filter: { tags: ['Langka', 'Umum'] }, plan: WALK, none: ['(tag=?)', 'TEMP B-TREE'] },
    { name: 'a common tag, limit 1', filter: { tags: ['Umum'], limit: 1 }, plan: WALK },
    { name: 'a common tag without private sources walks', filter: { tags: ['Umum'], excludeSources: ['s1', 's2'] }, plan: WALK },
    { name: 'a rare tag lists its ids from the slim index', filter: { tags: ['Langka'] }, plan: LIST, none: ['SCAN items'] },
    { name: 'a tag common only among old items lists', filter: { tags: ['Lama'] }, plan: LIST, none: ['SCAN items'] },
    { name: 'a common tag limited to sources lists (the walk could read every row)', filter: { tags: ['Umum'], sources: ['s3'] }, plan: LIST },
    { name: 'a common tag in a query output lists', filter: { tags: ['Umum'], output: 'q' }, plan: LIST },
    { name: 'no tag: the newest items', filter: {}, plan: ['SCAN items USING INDEX items_by_published'], none: ['item_tags'] },
  ];
  for (const c of cases) {
    const f: OutputFilter = { tags: [], output: null, sources: [], limit: 50, ...c.filter };
    it(c.name, () => {
      const plan = items.outputPlan(f);
      for (const step of c.plan) expect(plan.join(' | ')).to.include(step);
      // Never the tag's range of item_tags itself (its rows carry the explanations).
      expect(plan.join(' | ')).to.not.include('SEARCH item_tags USING PRIMARY KEY');
      for (const step of c.none ?? []) expect(plan.join(' | ')).to.not.include(step);
    });
    it(`${c.name}: the same rows as the plain query`, () => {
      const expected = db
        .prepare(
          `SELECT id FROM items WHERE appearance_of IS NULL
             AND (? = '[]' OR id IN (SELECT item_id FROM item_tags NOT INDEXED WHERE tag IN (SELECT value FROM json_each(?))))
             AND (? = '[]' OR source_id IN (SELECT value FROM json_each(?)))
             AND source_id NOT IN (SELECT value FROM json_each(?))
             AND (? IS NULL OR id IN (SELECT item_id FROM item_outputs WHERE output_id = ?))
           ORDER BY published DESC, id DESC LIMIT ?`,
        )
        .pluck()
        .all(JSON.stringify(f.tags), JSON.stringify(f.tags), JSON.stringify(f.sources), JSON.stringify(f.sources), JSON.stringify(f.excludeSources ?? []), f.output, f.output, f.limit);
      expect(items.select(f).map((i) => i.id)).to.deep.equal(expected);
    });
  }
});

// The API's browse (`/api/items?tag=`) and story list (`/api/clusters?tag=`, branch browse15): the same two plans,
// each filter a plain condition. Never a walk of the newest items against the tag's whole list. The story list with
// no tag (branch clusters15) walks the newest items too, where it grouped every item.
const PROBE = 'SEARCH t EXISTS USING COVERING INDEX';
const LISTED = 'SEARCH item_tags USING COVERING INDEX item_tags_by_tag (tag=?)';
const CURSOR = { published: '2026-11-02T09:00:00.000Z', id: 1620 };

describe('SQLite: the plan of the API\'s tag browse and story list (EXPLAIN QUERY PLAN)', () => {
  let db: Db;
  let items: ReturnType<typeof makeItemStatements>;
  let stories: ReturnType<typeof makeStoryStatements>;
  before(() => {
    db = openDatabase(':memory:');
    fill(db);
    items = makeItemStatements(db, makePageStatements(db));
    stories = makeStoryStatements(db, items);
  });
  after(() => db.close());

  const browseCases: { name: string; filter: Partial<BrowseFilter>; plan: string[]; none?: string[] }[] = [
    { name: 'a common tag walks the newest items', filter: { tag: 'Umum' }, plan: ['SCAN items USING INDEX items_by_published', PROBE], none: ['(tag=?)', 'TEMP B-TREE'] },
    { name: 'a common tag below a cursor walks from the cursor', filter: { tag: 'Umum', before: CURSOR, limit: 3 }, plan: ['USING INDEX items_by_published (published<?)', PROBE], none: ['TEMP B-TREE'] },
    { name: 'a rare tag lists its ids', filter: { tag: 'Langka' }, plan: [LISTED], none: ['SCAN items'] },
    { name: 'a rare tag below a cursor lists its ids', filter: { tag: 'Langka', before: CURSOR, limit: 2 }, plan: [LISTED], none: ['SCAN items'] },
    { name: 'a rare tag since an instant lists its ids', filter: { tag: 'Langka', since: new Date('2026-11-02T00:00:00Z') }, plan: [LISTED], none: ['SCAN items'] },
    { name: 'a tag common only among old items lists', filter: { tag: 'Lama', limit: 5 }, plan: [LISTED], none: ['SCAN items'] },
    { name: 'a common tag of one source lists', filter: { tag: 'Umum', source: 's3', limit: 5 }, plan: [LISTED] },
    { name: 'a common tag of one story reads the story from items_by_cluster', filter: { tag: 'Umum', cluster: 1558 }, plan: ['items_by_cluster (cluster_id=?)', PROBE], none: ['SCAN items'] },
    { name: 'no tag: the newest items', filter: {}, plan: ['SCAN items USING INDEX items_by_published'], none: ['item_tags'] },
    { name: 'a source below a cursor, no tag', filter: { source: 's3', before: CURSOR, limit: 2 }, plan: ['(source_id=?)'], none: ['item_tags'] },
  ];
  for (const c of browseCases) {
    const f: BrowseFilter = { tag: null, source: null, since: null, before: null, limit: 50, ...c.filter };
    it(`browse: ${c.name}`, () => {
      const plan = items.browsePlan(f).join(' | ');
      for (const step of c.plan) expect(plan).to.include(step);
      expect(plan).to.not.include('SEARCH item_tags USING PRIMARY KEY');
      for (const step of c.none ?? []) expect(plan).to.not.include(step);
    });
    it(`browse: ${c.name}: the same rows as the plain query`, () => {
      const expected = db
        .prepare(
          `SELECT id FROM items NOT INDEXED
           WHERE (@tag IS NULL OR id IN (SELECT item_id FROM item_tags NOT INDEXED WHERE tag = @tag))
             AND (@cluster IS NULL OR cluster_id = @cluster) AND (@source IS NULL OR source_id = @source)
             AND (@since IS NULL OR published >= @since)
             AND (@bp IS NULL OR published < @bp OR (published = @bp AND id < @bid))
           ORDER BY published DESC, id DESC LIMIT @limit`,
        )
        .pluck()
        .all({ tag: f.tag, cluster: f.cluster ?? null, source: f.source, since: f.since?.toISOString() ?? null, bp: f.before?.published ?? null, bid: f.before?.id ?? null, limit: f.limit });
      expect(expected.length).to.be.above(0);
      expect(items.browse(f).map((i) => i.id)).to.deep.equal(expected);
    });
  }

  // A story holds 2 consecutive ids, its cluster id scrambled ((i / 2) × 37 mod 2003: story 1558 holds 1600-1601), and
  // 3 ids share an instant: a limit that ends inside an instant shared by two new stories (51) checks the walk's ties (newest,
  // then cluster id, descending; a story met later at that instant may come first).
  const WALKED = ['SCAN items USING INDEX items_by_published', PROBE];
  const listCases: { name: string; filter: Partial<ClusterFilter>; plan: string[] }[] = [
    { name: 'a common tag walks the newest items', filter: { tag: 'Umum' }, plan: WALKED },
    ...[1, 2, 7, 51].map((limit) => ({ name: `a common tag walks the newest items, limit ${limit}`, filter: { tag: 'Umum', limit }, plan: WALKED })),
    { name: 'a common tag since an instant walks', filter: { tag: 'Umum', since: new Date('2026-11-03T00:00:00Z'), limit: 5 }, plan: WALKED },
    { name: 'a common tag without some sources walks', filter: { tag: 'Umum', excludeSources: ['s1', 's2'], limit: 5 }, plan: WALKED },
    { name: 'a rare tag lists its ids', filter: { tag: 'Langka' }, plan: [LISTED] },
    { name: 'a rare tag since an instant lists, limit 2', filter: { tag: 'Langka', since: new Date('2026-11-02T00:00:00Z'), limit: 2 }, plan: [LISTED] },
    { name: 'a tag common among old items lists, without some sources', filter: { tag: 'Lama', excludeSources: ['s1', 's2'], limit: 3 }, plan: [LISTED] },
    // No tag (branch clusters15): the newest items walked, no tag read; base grouped every item. The 52nd story's
    // instant holds a story met after it with a higher cluster id (37 × j mod 2003 wraps there): a walk that stopped
    // at the 52nd story gave the wrong last one.
    ...[1, 2, 7, 51, 52].map((limit) => ({ name: `no tag walks the newest items, limit ${limit}`, filter: { limit }, plan: [WALKED[0]!] })),
    { name: 'no tag since an instant walks', filter: { since: new Date('2026-11-03T00:00:00Z'), limit: 5 }, plan: [WALKED[0]!] },
    { name: 'no tag without some sources walks', filter: { excludeSources: ['s1', 's2'], limit: 8 }, plan: [WALKED[0]!] },
  ];
  for (const c of listCases) {
    const f: ClusterFilter = { tag: null, since: null, limit: 50, ...c.filter };
    it(`story list: ${c.name}`, () => {
      const plan = stories.listPlan(f).join(' | ');
      for (const step of c.plan) expect(plan).to.include(step);
      // Base walked every item (items_by_cluster) against the tag's whole list: never a list and a scan together.
      if (c.plan.includes(LISTED)) expect(plan).to.not.include('SCAN items');
      else expect(plan).to.not.include('(tag=?)').and.not.include('TEMP B-TREE');
      if (f.tag === null) expect(plan).to.not.include('item_tags');
      expect(plan).to.not.include('SEARCH item_tags USING PRIMARY KEY');
    });
    it(`story list: ${c.name}: the same stories as the plain query`, () => {
      const expected = db
        .prepare(
          `SELECT cluster_id FROM items NOT INDEXED
           WHERE appearance_of IS NULL AND (@tag IS NULL OR id IN (SELECT item_id FROM item_tags NOT INDEXED WHERE tag = @tag))
             AND (@since IS NULL OR published >= @since) AND source_id NOT IN (SELECT value FROM json_each(@excluded))
           GROUP BY cluster_id ORDER BY max(published) DESC, cluster_id DESC LIMIT @limit`,
        )
        .pluck()
        .all({ tag: f.tag, since: f.since?.toISOString() ?? null, excluded: JSON.stringify(f.excludeSources ?? []), limit: f.limit });
      expect(expected.length).to.be.above(0);
      expect(stories.list(f).map((s) => s.clusterId)).to.deep.equal(expected);
    });
  }
});

describe('SQLite migration 0006_item_tags_by_tag on a store with data', () => {
  it('indexes every tag row of a version-5 store, and rare tags are then listed from it', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, loadMigrations().filter((m) => m.version <= 5));
      fill(db);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'item_tags_by_tag'").pluck().get()).to.equal(0);
      const rows = db.prepare('SELECT tag, item_id, explain FROM item_tags ORDER BY tag, item_id').all();
      migrate(db);
      expect(db.pragma('user_version', { simple: true })).to.equal(6);
      // Every row is in the new index (read through it alone), and the table is as it was.
      expect(db.prepare('SELECT count(*) FROM item_tags INDEXED BY item_tags_by_tag WHERE tag >= \'\'').pluck().get()).to.equal(rows.length);
      expect(db.prepare('SELECT tag, item_id, explain FROM item_tags ORDER BY tag, item_id').all()).to.deep.equal(rows);
      const items = makeItemStatements(db, makePageStatements(db));
      const f: OutputFilter = { tags: ['Langka'], output: null, sources: [], limit: 50 };
      expect(items.outputPlan(f).join(' | ')).to.include('item_tags_by_tag (tag=?)');
      expect(items.select(f).map((i) => i.id)).to.deep.equal([4000, 3500, 3000, 2500, 2000, 1500, 1000, 500]);
    } finally {
      db.close();
    }
  });
});
