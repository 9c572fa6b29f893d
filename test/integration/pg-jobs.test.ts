/**
 * Background jobs on a database several daemons share (issue 14): a re-tag pass runs on one daemon at a time,
 * is refused — and says why — while a live daemon runs other tag rules, and starts once they agree; retention
 * skips a pass another daemon holds. Stores on a schema of the server at 127.0.0.1:5432, pending with the reason
 * where none answers.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { makeReclusterQueue, reclusterIfNeeded } from '../../src/jobs/recluster.js';
import { makeRetagQueue } from '../../src/jobs/retag-queue.js';
import { runRetention } from '../../src/jobs/retention.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { makeClassifier } from '../../src/tagging/classify.js';
import { retagChanges } from '../../src/tagging/retag-diff.js';
import type { JobLock, JobName } from '../../src/store/store.js';
import { adminQuery, pendingWithoutPostgres, testSchema } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';
import { FEEDS, NOW, SOURCES, refresh } from '../store-contract/fixtures.js';

const STORIES = { windowMs: 30 * 86_400_000, threshold: 0.5, ignoreParams: [] };

/** Terminates this process's connection holding `job`'s advisory lock (objid: locks.ts); resolves with how many. */
async function terminateJobLock(objid: number): Promise<number> {
  const killed = await adminQuery(
    // This process's connection holding the lock (other processes on the server may hold theirs).
    `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND a.application_name = $3
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [0x77617274, objid, `warta pid ${process.pid}`],
  );
  return killed.rowCount ?? 0;
}

/**
 * `store` with its re-tag writes recorded (the `after` of each range committed, under `who`) and the job locks it
 * takes kept in `locks`, so a test can cut a lock's connection between two ranges and see what was written.
 */
function recording(store: Store, who: string, ranges: { who: string; after: number }[], locks: Map<JobName, JobLock>, between?: (n: number) => Promise<void>): Store {
  let n = 0;
  return {
    ...store,
    nodes: {
      ...store.nodes,
      exclusive: async (job) => {
        const lock = await store.nodes.exclusive(job);
        if (lock) locks.set(job, lock);
        return lock;
      },
    },
    retag: {
      ...store.retag,
      apply: async (changes, progress, opts) => {
        const r = await store.retag.apply(changes, progress, opts);
        ranges.push({ who, after: progress.after });
        await between?.(++n);
        return r;
      },
    },
  };
}

/** Which items share a story: each item's source and link, grouped by cluster (ids differ between stores). */
async function storyGroups(store: Store): Promise<string[][]> {
  const items = await store.items.browse({ tag: null, source: null, since: null, before: null, limit: 100 });
  const groups = new Map<number, string[]>();
  for (const i of items) groups.set(i.clusterId!, [...(groups.get(i.clusterId!) ?? []), `${i.sourceId} ${i.link}`].sort());
  return [...groups.values()].sort((a, b) => a[0]!.localeCompare(b[0]!));
}


/** The stories one uninterrupted re-cluster pass gives over the fixture feed, on SQLite: what a resumed pass must equal. */
async function uninterruptedStories() {
  const reference = await openStore({ path: ':memory:' });
  await reference.sources.ensure(SOURCES);
  await refresh(reference, 'antara', FEEDS.antara);
  await reclusterIfNeeded(reference, STORIES, () => NOW);
  const want = await storyGroups(reference);
  await reference.close();
  return want;
}
describe('background jobs on a shared PostgreSQL database', function () {
  let schema: Awaited<ReturnType<typeof testSchema>> | null = null;
  let store: Store | null = null;
  const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const configWith = (match: string) =>
    parseConfig(`storage:\n  url: "${schema!.url}"\n  retention_days: 1\nsources:\n  - id: antara\n    url: "http://127.0.0.1:9/a.xml"\ntags:\n  - name: Putin\n    match: '${match}'\n`, 'test.yaml');

  before(async function () {
    await pendingWithoutPostgres(this);
  });
  beforeEach(async () => {
    schema = await testSchema();
    store = await openStore({ path: 'unused.db', url: schema.url, poolSize: 3 });
    await store.sources.ensure(SOURCES);
    await refresh(store, 'antara', FEEDS.antara);
  });
  afterEach(async () => {
    await store?.close();
    await schema?.drop();
  });

  it('re-tag waits while a live daemon runs other tag rules (and says so), and runs once every daemon agrees', async () => {
    const config = configWith('Putin');
    const classifier = makeClassifier(config);
    const now = () => new Date();
    const until = () => new Date(Date.now() + 60_000);
    await store!.nodes.heartbeat({ node: 'me', fingerprint: classifier.fingerprint, now: now(), until: until() });
    await store!.nodes.heartbeat({ node: 'other', fingerprint: 'f-other-rules', now: now(), until: until() });
    const queue = makeRetagQueue(store!, { config: () => config, classifier: () => classifier, now, log, signal: new AbortController().signal, node: 'me' });
    queue.request();
    await queue.idle();
    expect(queue.status().state).to.equal('refused');
    expect(queue.status().detail).to.include('other').and.to.include('differ');
    expect((await store!.retag.state()).fingerprint).to.not.equal(classifier.fingerprint);

    // The other daemon now runs the same rules: the next heartbeat's retry re-tags.
    await store!.nodes.heartbeat({ node: 'other', fingerprint: classifier.fingerprint, now: now(), until: until() });
    queue.retryIfWaiting();
    await queue.idle();
    expect(queue.status().state).to.equal('idle');
    expect((await store!.retag.state()).fingerprint).to.equal(classifier.fingerprint);
  });

  it('re-tag and retention skip while another daemon holds their job (a second store on the database)', async () => {
    const other = await openStore({ path: 'unused.db', url: schema!.url, poolSize: 2 });
    try {
      const retagLock = await other.nodes.exclusive('retag');
      const retentionLock = await other.nodes.exclusive('retention');
      const config = configWith('Putin');
      const classifier = makeClassifier(config);
      const queue = makeRetagQueue(store!, { config: () => config, classifier: () => classifier, now: () => new Date(), log, signal: new AbortController().signal, node: 'me' });
      queue.request();
      await queue.idle();
      expect(queue.status()).to.deep.equal({ state: 'elsewhere', detail: 'another daemon is re-tagging this database' });
      // Items first seen in 2026-11 are older than retention_days: 1, but the pass is another daemon's.
      const items = async () => (await store!.sources.itemCounts()).get('antara') ?? 0;
      const before = await items();
      expect(before).to.be.greaterThan(0);
      const abort = new AbortController();
      await runRetention(store!, () => config, () => new Date(), log, abort.signal).stop();
      expect(await items()).to.equal(before);
      // Released (that daemon's pass ended): both run here.
      await retagLock!.release();
      await retentionLock!.release();
      queue.retryIfWaiting();
      await queue.idle();
      expect((await store!.retag.state()).fingerprint).to.equal(classifier.fingerprint);
      await runRetention(store!, () => config, () => new Date(), log, abort.signal).stop();
      expect(await items()).to.equal(0);
    } finally {
      await other.close();
    }
  });

  it('a re-tag pass whose lock connection is cut stops at its next range; another daemon resumes it, no range written twice or skipped', async () => {
    await refresh(store!, 'kompas', FEEDS.kompas);
    await refresh(store!, 'tempo', FEEDS.tempo);
    const ids = (await store!.items.browse({ tag: null, source: null, since: null, before: null, limit: 100 })).map((i) => i.id).sort((a, b) => a - b);
    expect(ids).to.have.length(7);
    const config = configWith('Putin');
    const classifier = makeClassifier(config);
    const other = await openStore({ path: 'unused.db', url: schema!.url, poolSize: 2 });
    try {
      const ranges: { who: string; after: number }[] = [];
      const locks = new Map<JobName, JobLock>();
      // After this daemon's second range, its lock's connection is cut (a failover, an admin's terminate).
      const cut = async (n: number) => {
        if (n !== 2) return;
        expect(await terminateJobLock(3)).to.equal(1);
        await waitFor(() => locks.get('retag')?.lost.aborted, { what: "the re-tag lock's lost signal after its backend was terminated" });
      };
      const common = { config: () => config, classifier: () => classifier, now: () => new Date(), log, signal: new AbortController().signal, batch: 1 };
      const mine = makeRetagQueue(recording(store!, 'me', ranges, locks, cut), { ...common, node: 'me' });
      mine.request();
      await mine.idle();
      // It stopped at the next range: two written, the pass unfinished, and it asks again at the next heartbeat.
      expect(ranges.map((r) => r.who)).to.deep.equal(['me', 'me']);
      expect(mine.status().state).to.equal('elsewhere');
      const state = await store!.retag.state();
      expect(state.fingerprint).to.not.equal(classifier.fingerprint);
      expect(state.progress).to.deep.equal({ fingerprint: classifier.fingerprint, after: ids[1] });

      // Another daemon takes the job and resumes after the last range written here.
      const theirs = makeRetagQueue(recording(other, 'other', ranges, new Map()), { ...common, node: 'other' });
      theirs.request();
      await theirs.idle();
      expect(theirs.status().state).to.equal('idle');
      expect(ranges.map((r) => r.after)).to.deep.equal(ids);
      expect(ranges.map((r) => r.who)).to.deep.equal(['me', 'me', 'other', 'other', 'other', 'other', 'other']);
      expect((await store!.retag.state()).fingerprint).to.equal(classifier.fingerprint);
      // The result is one whole pass's: a fresh pass over the store finds nothing left to change.
      const left = await store!.retag.readRange(0, ids.at(-1)!);
      expect(retagChanges(left, classifier)).to.have.length(0);
      // This daemon's next heartbeat asks again and finds the pass done.
      mine.retryIfWaiting();
      await mine.idle();
      expect(mine.status().state).to.equal('idle');
      expect(ranges).to.have.length(7);
    } finally {
      await other.close();
    }
  });

  it('a re-cluster pass whose lock connection is cut stops at its next range; another daemon resumes it to the same stories', async () => {
    const want = await uninterruptedStories();

    const other = await openStore({ path: 'unused.db', url: schema!.url, poolSize: 2 });
    try {
      const applied: string[] = [];
      const locks = new Map<JobName, JobLock>();
      const withApplies = (s: Store, who: string, between?: (n: number) => Promise<void>): Store => ({
        ...s,
        nodes: { ...s.nodes, exclusive: async (job) => { const l = await s.nodes.exclusive(job); if (l) locks.set(job, l); return l; } },
        stories: { ...s.stories, apply: async (...args) => {
          const n = await s.stories.apply(...args);
          applied.push(who);
          await between?.(applied.length);
          return n;
        } },
      });
      const cut = async (n: number) => {
        if (n !== 2) return;
        expect(await terminateJobLock(5)).to.equal(1);
        await waitFor(() => locks.get('recluster')?.lost.aborted, { what: "the re-cluster lock's lost signal after its backend was terminated" });
      };
      const common = { settings: () => STORIES, now: () => NOW, log, signal: new AbortController().signal, done: () => {}, range: 1 };
      const mine = makeReclusterQueue(withApplies(store!, 'me', cut), common);
      mine.request();
      await mine.idle();
      // Stopped after the range under way when the lock went: not finished, and asking again at the heartbeat.
      expect(applied).to.deep.equal(['me', 'me']);
      expect(mine.waiting()).to.equal(true);
      expect(await store!.stories.getMeta('stories_clustered')).to.equal(null);
      expect(await store!.stories.getMeta('stories_recluster_progress')).to.be.a('string');

      const theirs = makeReclusterQueue(withApplies(other, 'other'), common);
      theirs.request();
      await theirs.idle();
      expect(applied).to.deep.equal(['me', 'me', 'other', 'other']);
      expect(await store!.stories.getMeta('stories_recluster_progress')).to.equal(null);
      expect(await storyGroups(store!)).to.deep.equal(want);
    } finally {
      await other.close();
    }
  });

  it('re-cluster runs on one daemon at a time; a pass whose daemon died is resumed by another at its heartbeat', async () => {
    const want = await uninterruptedStories();

    const other = await openStore({ path: 'unused.db', url: schema!.url, poolSize: 2 });
    try {
      const lock = await other.nodes.exclusive('recluster');
      expect(lock).to.not.equal(null);
      let resets = 0;
      const queue = makeReclusterQueue(store!, { settings: () => STORIES, now: () => NOW, log, signal: new AbortController().signal, done: () => resets++ });
      queue.request();
      await queue.idle();
      expect(queue.waiting()).to.equal(true);
      expect(await store!.stories.getMeta('stories_clustered')).to.equal(null);
      expect(await store!.stories.getMeta('stories_recluster_progress')).to.equal(null);

      // The other daemon writes two ranges of one item, then dies: its lock's connection ends with it.
      const stop = new AbortController();
      let ranges = 0;
      const dying: Store = { ...other, stories: { ...other.stories, apply: async (...args) => {
        const n = await other.stories.apply(...args);
        if (++ranges === 2) stop.abort();
        return n;
      } } };
      expect(await reclusterIfNeeded(dying, STORIES, () => NOW, stop.signal, 1)).to.equal(2);
      const progress = JSON.parse((await store!.stories.getMeta('stories_recluster_progress'))!) as { after: number };
      expect(await terminateJobLock(5)).to.equal(1);

      // This daemon's next heartbeat asks again: it takes the job and resumes past the dead daemon's progress.
      const written = await (async () => {
        queue.retryIfWaiting();
        await queue.idle();
        return (await store!.stories.members(new Date(NOW.getTime() - STORIES.windowMs), 0, Number.MAX_SAFE_INTEGER, 100)).filter((m) => m.sketch !== null).length;
      })();
      expect(progress.after).to.be.greaterThan(0);
      expect(queue.waiting()).to.equal(false);
      expect(written).to.equal(FEEDS.antara.length);
      expect(await store!.stories.getMeta('stories_recluster_progress')).to.equal(null);
      expect(await store!.stories.getMeta('stories_clustered')).to.be.a('string');
      expect(resets).to.equal(1);
      expect(await storyGroups(store!)).to.deep.equal(want);
      await lock!.release(); // its connection is gone: a no-op that must not throw
    } finally {
      await other.close();
    }
  });
});
