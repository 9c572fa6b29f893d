/**
 * Background jobs on a database several daemons share (issue 14): a re-tag pass runs on one daemon at a time,
 * is refused — and says why — while a live daemon runs other tag rules, and starts once they agree; retention
 * skips a pass another daemon holds. Stores on a schema of the server at 127.0.0.1:5432, pending with the reason
 * where none answers.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { makeRetagQueue } from '../../src/jobs/retag-queue.js';
import { runRetention } from '../../src/jobs/retention.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { makeClassifier } from '../../src/tagging/classify.js';
import { postgresUnavailable, testSchema } from '../helpers/postgres.js';
import { FEEDS, SOURCES, refresh } from '../store-contract/fixtures.js';

describe('background jobs on a shared PostgreSQL database', function () {
  let schema: Awaited<ReturnType<typeof testSchema>> | null = null;
  let store: Store | null = null;
  const log = pino({ level: 'silent' });
  const configWith = (match: string) =>
    parseConfig(`storage:\n  url: "${schema!.url}"\n  retention_days: 1\nsources:\n  - id: antara\n    url: "http://127.0.0.1:9/a.xml"\ntags:\n  - name: Putin\n    match: '${match}'\n`, 'test.yaml');

  before(async function () {
    const reason = await postgresUnavailable();
    if (reason) {
      console.log(`      pending: ${reason}`);
      this.skip();
    }
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
});
