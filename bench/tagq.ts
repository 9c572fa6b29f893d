/**
 * A tag-filtered output render against a filled SQLite store (issue 15, branch tagq15), and the API's tag browse
 * and story list (branch browse15): read system calls, bytes read and time of one `items.select`, `items.browse`
 * or `stories.list` of 50 for a common tag (set) and a rare tag (and the story list with no tag, branch clusters15:
 * all sources, and without 300 of them), each on a fresh connection
 * with the daemon's page cache (16 MB, no mmap), so every page the query needs is read from the file.
 *   npx tsx bench/tagq.ts fill DIR [feeds=3000] [items=50]   # builds DIR/w.db with `warta fetch` over the farm
 *   npx tsx bench/tagq.ts measure DIR [--repo /work/base-main]  # copies DIR/w.db, opens it with that repo's src
 * The rare tag `Langka` is added after the fetch: every 400th item carrying `Putin`, with its explanation.
 * PostgreSQL (branch pgstory15): the same reads on a store copied into a schema (`warta migrate-store`, ANALYZEd),
 * as buffers (EXPLAIN (ANALYZE, BUFFERS) of every statement each read runs, src/store/postgres/explain.ts), on a
 * fresh connection and again after the read ran 8 times for the other tag (the server's plan cache at work):
 *   npx tsx bench/tagq.ts pg SCHEMA [--repo /work/base-main]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { explaining } from '../src/store/postgres/explain.js';
import type { Queryable } from '../src/store/postgres/statement.js';
import { startFarm } from './farm.js';
import { REPO, runFetch, writeConfig } from './lib.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const [mode, dirArg] = positional;
const dir = resolve(dirArg ?? '/tmp/tagq');
type Store = Awaited<ReturnType<typeof import('../src/store/open.js').openStore>>;
type Reads = { items: Pick<Store['items'], 'select' | 'browse'>; stories: Pick<Store['stories'], 'list'> };
const PRIVATE = Array.from({ length: 300 }, (_, k) => `f${k}`);
// Outputs (tagq15) and the API's browse and story list (`/api/items?tag=`, `/api/clusters?tag=`, branch browse15).
const CASES: Record<string, (s: Reads) => Promise<unknown[]>> = {
  'output common ["Putin","Minsk"]': (s) => s.items.select({ tags: ['Putin', 'Minsk'], output: null, sources: [], limit: 50 }),
  'output rare ["Langka"]': (s) => s.items.select({ tags: ['Langka'], output: null, sources: [], limit: 50 }),
  'browse common Putin': (s) => s.items.browse({ tag: 'Putin', source: null, since: null, before: null, limit: 50 }),
  'browse rare Langka': (s) => s.items.browse({ tag: 'Langka', source: null, since: null, before: null, limit: 50 }),
  'clusters common Putin': (s) => s.stories.list({ tag: 'Putin', since: null, limit: 50 }),
  'clusters rare Langka': (s) => s.stories.list({ tag: 'Langka', since: null, limit: 50 }),
  // The story list with no tag (`/api/clusters`, branch clusters15), and as a public view sees it (sources excluded).
  'clusters all': (s) => s.stories.list({ tag: null, since: null, limit: 50 }),
  'clusters all, 300 sources excluded': (s) => s.stories.list({ tag: null, since: null, excludeSources: PRIVATE, limit: 50 }),
};

function io(): { syscr: number; rchar: number } {
  const t = readFileSync('/proc/self/io', 'utf8');
  return { syscr: Number(/syscr: (\d+)/.exec(t)![1]), rchar: Number(/rchar: (\d+)/.exec(t)![1]) };
}

if (mode === 'fill') {
  const [feeds = 3000, items = 50] = positional.slice(2).map(Number);
  mkdirSync(dir, { recursive: true });
  const farm = await startFarm(feeds, items);
  try {
    const r = await runFetch(writeConfig(dir, farm.urls));
    console.log(`filled ${join(dir, 'w.db')}: ${r.inserted} items in ${r.secs.toFixed(0)} s`);
  } finally {
    await farm.close();
  }
  const db = new Database(join(dir, 'w.db'));
  const n = db.prepare("INSERT INTO item_tags (tag, item_id, explain) SELECT 'Langka', item_id, explain FROM item_tags WHERE tag = 'Putin' AND item_id % 400 = 0").run().changes;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(`Langka: ${n} items`);
} else if (mode === 'measure' && !argv.includes('--child')) {
  const repo = resolve(flag('--repo') ?? REPO);
  const copy = join(dir, `measure-${process.pid}.db`);
  copyFileSync(join(dir, 'w.db'), copy);
  try {
    // Opening migrates (a branch's new migration runs here, once, before anything is measured).
    const r = spawnSync(process.execPath, ['--import', 'tsx', process.argv[1]!, 'measure', dir, '--child', copy, '--repo', repo], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    process.stdout.write(r.stdout);
    const db = new Database(copy);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = (name: string) => (db.prepare('SELECT count(*) FROM dbstat WHERE name = ?').pluck().get(name) as number);
    console.log(`file ${(statSync(copy).size / 2 ** 20).toFixed(1)} MiB; item_tags ${(pages('item_tags') * 4096 / 2 ** 20).toFixed(1)} MiB, item_tags_by_item ${(pages('item_tags_by_item') * 4096 / 2 ** 20).toFixed(1)} MiB`);
    db.close();
  } finally {
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) if (existsSync(f)) rmSync(f);
  }
} else if (mode === 'measure') {
  const repo = flag('--repo')!;
  const path = flag('--child')!;
  // The repo's sources through tsx (a checkout needs no build): `--repo` is any commit's tree with node_modules.
  const { openStore } = (await import(pathToFileURL(join(repo, 'src/store/open.ts')).href)) as typeof import('../src/store/open.js');
  (await openStore({ path }, { role: 'daemon' })).close();
  console.log(`repo ${repo}`);
  for (const [name, run] of Object.entries(CASES)) {
    const rows: string[] = [];
    for (let k = 0; k < 3; k++) {
      const store = await openStore({ path }, { role: 'daemon' });
      const before = io();
      const t = process.hrtime.bigint();
      const got = await run(store);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const after = io();
      rows.push(`${after.syscr - before.syscr} reads ${((after.rchar - before.rchar) / 2 ** 20).toFixed(2)} MiB ${ms.toFixed(0)} ms (${got.length})`);
      await store.close();
    }
    console.log(`${name}: ${rows.join('; ')}`);
  }
} else if (mode === 'pg') {
  const repo = resolve(flag('--repo') ?? REPO);
  const url = `postgres://postgres@127.0.0.1:5432/test?options=${encodeURIComponent(`-c search_path=${dirArg}`)}`;
  const src = (path: string) => import(pathToFileURL(join(repo, 'src/store/postgres', path)).href);
  const { items } = (await src('items.ts')) as typeof import('../src/store/postgres/items.js');
  const { stories } = (await src('stories.ts')) as typeof import('../src/store/postgres/stories.js');
  const { makePool } = (await src('pool.ts')) as typeof import('../src/store/postgres/pool.js');
  const pool = makePool({ url, poolSize: 1, statementTimeoutMs: 600_000, readonly: false });
  const reads = (db: Queryable): Reads => ({
    items: { select: (f) => items.select(db, f), browse: (f) => items.browse(db, f) },
    stories: { list: (f) => stories.list(db, f) },
  });
  console.log(`repo ${repo}, schema ${dirArg}`);
  const names = Object.keys(CASES);
  for (const [k, name] of names.entries()) {
    const other = CASES[names[k ^ 1]!]!; // the same read for the other tag (with no tag: the other filter)
    const client = await pool.connect();
    try {
      const runs: string[] = [];
      for (const warm of [0, 8]) {
        for (let j = 0; j < warm; j++) await other(reads(client));
        const x = explaining(client);
        const got = await CASES[name]!(reads(x.db));
        runs.push(`${warm === 0 ? 'fresh' : 'after 8 of the other tag'}: ${x.buffers()} buffers (${got.length}; ${x.statements.map((s) => `${s.name} ${s.buffers}`).join(', ')})`);
      }
      console.log(`${name}: ${runs.join('; ')}`);
    } finally {
      client.release(true); // a fresh connection (and plan cache) for the next case
    }
  }
  await pool.end();
} else {
  console.error('usage: bench/tagq.ts fill DIR [feeds] [items] | measure DIR [--repo R] | pg SCHEMA [--repo R]');
  process.exit(2);
}
