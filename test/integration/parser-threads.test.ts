/**
 * Feeds read on parser threads (src/pipeline/feed/ingest-pool.ts, wired in daemon/runtime.ts) store exactly what
 * reading them on the main thread stores: the same items, tags with their explanations, outputs, sketches and
 * stories, over real feeds of the labelled story set served on 127.0.0.1, each runtime with its own SQLite file,
 * with a reload of the rules half-way. A poll answered 304 starts no
 * thread, and closing the runtime leaves none.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { pino } from 'pino';
import Database from 'better-sqlite3';
import { parseConfig } from '../../src/config/load.js';
import { INGEST_THREADS_ENV, openRuntime, type Runtime } from '../../src/daemon/runtime.js';
import { refreshSource } from '../../src/pipeline/refresh.js';
import { makeClassifier } from '../../src/tagging/classify.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { loadLabelledSet } from '../helpers/stories.js';
import { tempDir } from '../helpers/tmp.js';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('feeds read on parser threads store what the main thread stores', function () {
  this.timeout(60_000);
  let server: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  const sources: string[] = [];

  before(async () => {
    server = await new FeedServer().start();
    // The labelled set's items under their own sources (several outlets report each story): clusters form.
    const bySource = new Map<string, ReturnType<typeof loadLabelledSet>>();
    // In the order they were written, a minute apart in the last hours: all in the story window of now.
    const set = loadLabelledSet().sort((a, b) => a.published - b.published);
    const dated = new Map(set.map((it, i) => [it, Date.now() - 3_600_000 - (set.length - i) * 60_000]));
    for (const it of set) bySource.set(it.source, [...(bySource.get(it.source) ?? []), it]);
    for (const [source, items] of bySource) {
      const id = source.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      const doc = rss(items.map((it) => ({
        guid: it.id, link: `https://${id}.example/${encodeURIComponent(it.id)}?ref=rss&utm_source=feed`, title: escape(it.title),
        description: it.summary ? escape(it.summary) : undefined, content: it.content ?? undefined,
        pubDate: new Date(dated.get(it)!).toUTCString(),
      })), { title: source, link: `https://${id}.example/` });
      server.routes.set(`/${id}.xml`, feedRoute(() => ({ body: doc })));
      sources.push(id);
    }
    tmp = tempDir();
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  // Rules before and after a reload half-way (`warta fetch` takes none, the daemon does): the second adds a tag, a
  // source's own tag, an output query and a tracking parameter (canonical URLs are made on the parser thread too).
  const configFor = (db: string, reloaded = false) => parseConfig(
    `storage:\n  path: "${db}"\n${reloaded ? 'stories:\n  ignore_params: [ref]\n' : ''}sources:\n${sources.map((id, i) => `  - id: ${id}\n    url: "${server.url(`/${id}.xml`)}"\n${reloaded && i === 0 ? '    tags: [Pilihan]\n' : ''}`).join('')}` +
      `tags:\n  - name: Putin\n    match: Putin\n  - name: Banjir\n    match: banjir OR gempa\n${reloaded ? '  - name: Pilihan\n    match: Persib OR Jokowi\n' : ''}` +
      `outputs:\n  - id: all\n    title: All\n    tags: [Putin, Banjir]\n${reloaded ? '  - id: harga\n    title: Harga\n    match: harga NEAR/3 (beras OR cabai)\n' : ''}`,
    'test.yaml',
  );

  async function ingestAll(threads: string): Promise<{ rows: unknown[]; runtime: Runtime; db: string }> {
    const db = join(tmp.dir, `threads-${threads}.db`);
    const runtime = await openRuntime(configFor(db), pino({ level: 'silent' }), 'command', { [INGEST_THREADS_ENV]: threads });
    // One source after another, as the same order gives the same ids and the same story decisions.
    for (const [i, id] of sources.entries()) {
      if (i === Math.floor(sources.length / 2)) await runtime.reconfigure(configFor(db, true));
      const o = await refreshSource(runtime.refreshDeps, { id, url: server.url(`/${id}.xml`) }, { ignoreHints: true });
      expect(o.result, `${id}: ${o.error?.message}`).to.equal('updated');
    }
    const sql = new Database(db, { readonly: true });
    try {
      const rows = sql.prepare(`SELECT i.id, i.source_id, i.dedupe_key, i.content_hash, i.uid, i.title, i.summary, i.content, i.published, i.story_sketch, i.cluster_id, i.canonical_url, i.appearance_of,
        (SELECT group_concat(tag || '=' || coalesce(explain, ''), ';') FROM (SELECT tag, explain FROM item_tags t WHERE t.item_id = i.id ORDER BY tag)) AS tags,
        (SELECT group_concat(output_id, ',') FROM (SELECT output_id FROM item_outputs o WHERE o.item_id = i.id ORDER BY output_id)) AS outputs
        FROM items i ORDER BY i.id`).all();
      return { rows, runtime, db };
    } finally {
      sql.close();
    }
  }

  it('the same rows (content hashes too), tags with their explain text, outputs, sketches and clusters with one thread as on the main thread', async () => {
    const here = await ingestAll('0');
    await here.runtime.close();
    const there = await ingestAll('1');
    try {
      expect(here.runtime.parserStats()).to.equal(null);
      expect(there.rows.length).to.be.greaterThan(100);
      expect(there.rows).to.deep.equal(here.rows);
      // Stories did form, and every item was sketched: the comparison covered the sketches' decisions.
      const clustered = (there.rows as { id: number; cluster_id: number; story_sketch: string | null }[]);
      expect(clustered.filter((r) => r.cluster_id !== r.id).length).to.be.greaterThan(10);
      expect(clustered.every((r) => r.story_sketch !== null)).to.equal(true);
      // The rules of both halves applied: tags of the first rules, and of the reloaded ones, output queries too.
      const tagged = there.rows as { tags: string | null; outputs: string | null }[];
      for (const t of ['Putin=', 'Banjir=', 'Pilihan=']) expect(tagged.some((r) => r.tags?.includes(t)), t).to.equal(true);
      // Canonical URLs under the tracking parameters of both halves: ?ref= kept before the reload, dropped after.
      const urls = (there.rows as { canonical_url: string | null }[]).map((r) => r.canonical_url ?? '');
      expect(urls.some((u) => u.endsWith('?ref=rss')), 'ref kept').to.equal(true);
      expect(urls.some((u) => u.includes('.example/') && !u.includes('?')), 'ref dropped').to.equal(true);
      expect(urls.some((u) => u.includes('utm_')), 'utm_ dropped').to.equal(false);
      expect(tagged.some((r) => r.outputs?.includes('harga')), 'harga').to.equal(true);
      expect(there.runtime.parserStats()).to.include({ started: 1, reading: 0, queued: 0 });
    } finally {
      await there.runtime.close();
    }
    expect(there.runtime.parserStats()).to.include({ threads: 0 });

    // A poll of every source answered 304 starts no thread.
    const again = await openRuntime(configFor(there.db, true), pino({ level: 'silent' }), 'command', { [INGEST_THREADS_ENV]: '1' });
    try {
      for (const id of sources) {
        const o = await refreshSource(again.refreshDeps, { id, url: server.url(`/${id}.xml`) }, { ignoreHints: true });
        expect(o.result).to.equal('not_modified');
        expect(o.httpStatus).to.equal(304);
      }
      expect(again.parserStats()).to.include({ threads: 0, started: 0 });
    } finally {
      await again.close();
    }
  });

  it('items classified on a thread by rules no longer in force (a reload meanwhile) are classified again', async () => {
    const db = join(tmp.dir, 'stale.db');
    const runtime = await openRuntime(configFor(db), pino({ level: 'silent' }), 'command', { [INGEST_THREADS_ENV]: '1' });
    try {
      // The threads keep the first rules; the refresh's classifier has the reloaded ones, as for a document sent
      // to a thread just before a reload.
      const reloaded = makeClassifier(configFor(db, true));
      runtime.refreshDeps.classifier = () => reloaded;
      const id = sources[0]!;
      const o = await refreshSource(runtime.refreshDeps, { id, url: server.url(`/${id}.xml`) }, { ignoreHints: true });
      expect(o.result).to.equal('updated');
      const sql = new Database(db, { readonly: true });
      try {
        // Pilihan is the reloaded rules' tag of this source's every item: only a classification by them gives it.
        const { items, pilihan } = sql.prepare("SELECT count(*) AS items, (SELECT count(*) FROM item_tags WHERE tag = 'Pilihan') AS pilihan FROM items").get() as { items: number; pilihan: number };
        expect(items).to.be.greaterThan(0);
        expect(pilihan).to.equal(items);
      } finally {
        sql.close();
      }
    } finally {
      await runtime.close();
    }
  });
});
