/**
 * Crash consistency: SIGKILL the real daemon at random points while it ingests a farm of growing feeds, restart
 * it, and check after every kill that the database holds only whole refreshes (invariants.ts), that nothing an
 * output had served was lost, and that no output ever served a torn refresh. A final clean `warta fetch` must
 * then leave every item the farm published stored exactly once with its tags. Kills during a re-tag and during a
 * backup are in crash-retag.ts and crash-backup.ts.
 */
import { join } from 'node:path';
import { freePort, runWarta } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { DaemonRun } from './daemon-run.js';
import { checkStore, RULES_A, tagRules, watchOutputs } from './invariants.js';
import { startLedgerFarm } from './ledger-farm.js';
import { makeRandom, sleep, waitFor, writeConfig, type CheckOptions, type CheckResult } from './lib.js';
import { snapshotOf, terminateBackends, testSchema } from './pg-store.js';

const FEEDS = 30;
const WATCHED = 4;
const LEASE_S = 3;

/** Kills during ingest. */
export async function crashDuringIngest(opts: CheckOptions, seed = Date.now()): Promise<CheckResult> {
  const kills = opts.short ? 10 : 120;
  const random = makeRandom(seed);
  const farm = await startLedgerFarm(FEEDS, 50, 200);
  const tmp = tempDir('warta-crash-');
  const db = join(tmp.dir, 'warta.db');
  const config = join(tmp.dir, 'warta.yaml');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const schema = opts.store === 'postgres' ? await testSchema() : null;
  // The store as it stands: the SQLite file, or a copy of the PostgreSQL schema's items (pg-store.ts).
  const inspect = async (what: Parameters<typeof checkStore>[4]) => {
    if (!schema) return checkStore(db, farm, FEEDS, [RULES_A], what);
    const copy = await snapshotOf(schema.name);
    try {
      return checkStore(db, farm, FEEDS, [RULES_A], { ...what, db: copy });
    } finally {
      copy.close();
    }
  };
  let terminated = 0;
  writeConfig(config, {
    port,
    db,
    url: schema?.url,
    // A killed daemon's claims hold its sources for a lease: short, so the last warta fetch waits little for them.
    storage: schema ? { lease: `${LEASE_S}s` } : {},
    // Every second (node-cron's 6-field form), never held back by the politeness floor.
    fetch: { schedule: '* * * * * *', min_interval: '1s', per_host: 16, concurrency: 16 },
    sources: farm.urls.map((url, f) => ({ id: `f${f}`, url, tags: ['farm'] })),
    tags: tagRules('A'),
    outputs: [
      { id: 'all', title: 'All', tags: ['farm'], limit: 1000 },
      ...Array.from({ length: WATCHED }, (_, k) => ({ id: `s${k}`, title: `Source ${k}`, sources: [`f${k}`], limit: 1000 })),
    ],
  });
  const watched = [{ path: '/feeds/all.json', complete: false, limit: 1000 }, ...Array.from({ length: WATCHED }, (_, k) => ({ path: `/feeds/s${k}.json`, complete: true, limit: 1000 }))];
  const problems: string[] = [];
  const phases = { beforeServing: 0, duringStartupIngest: 0, afterStartupIngest: 0 };
  let responses = 0;
  let itemsChecked = 0;
  let partial = 0;
  try {
    // Calibration: one start left to finish its start-up refresh of every source, then a clean stop.
    let run = new DaemonRun(base, config);
    const calibrated = await waitFor(() => run.refreshedSources().size >= FEEDS, 60_000);
    const fullIngestMs = Date.now() - run.started;
    const servingMs = run.servedAt ?? 1000;
    // (Its exit code is not checked here: a per-second schedule makes SIGTERM exit 1, see regressions.test.ts.)
    await run.stop();
    if (!calibrated) problems.push('calibration: the first start did not refresh every source within 60 s');
    const windowMs = Math.max(servingMs + 200, fullIngestMs * 1.2);
    opts.progress(`crash/ingest: serving after ${servingMs} ms, start-up refresh of ${FEEDS} feeds done after ${fullIngestMs} ms; ${kills} kills (seed ${seed})`);

    for (let k = 0; k < kills; k++) {
      for (let f = 0; f < FEEDS; f++) farm.publish(f, Math.floor(random() * 4));
      run = new DaemonRun(base, config);
      const watch = watchOutputs(base, watched, farm, () => [RULES_A]);
      // New items keep arriving while it runs, for the cron ticks (every second) to pick up.
      const publisher = setInterval(() => farm.publish(Math.floor(random() * FEEDS), 1 + Math.floor(random() * 2)), 150);
      // Mostly while the start-up refresh writes; some during start-up itself (open, migrate); now and then a
      // longer life, so kills also land in cron-driven refreshes.
      const dice = random();
      const delay = dice < 0.65 ? servingMs + random() * (windowMs - servingMs) : dice < 0.85 ? random() * servingMs : windowMs + random() * (opts.short ? 1500 : 3000);
      await sleep(delay);
      // On PostgreSQL, every third life also has its database connections cut first (a server restart, a
      // failover): the daemon must reconnect, and the kill then lands on whatever it does about it.
      if (schema && k % 3 === 2) {
        terminated += await terminateBackends(run.pid);
        await sleep(random() * 500);
      }
      await run.kill();
      clearInterval(publisher);
      const seen = await watch.stop();
      const done = run.refreshedSources().size;
      if (run.servedAt === null) phases.beforeServing++;
      else if (done < FEEDS) phases.duringStartupIngest++;
      else phases.afterStartupIngest++;
      responses += seen.responses;
      itemsChecked += seen.itemsChecked;
      partial += seen.violations.length;
      for (const v of seen.violations.slice(0, 3)) problems.push(`kill ${k + 1}: output: ${v}`);
      const store = await inspect({ mustHold: seen.seen });
      for (const p of store.problems.slice(0, 5)) problems.push(`kill ${k + 1} (after ${Math.round(delay)} ms, ${done}/${FEEDS} refreshed): ${p}`);
      if (!opts.short || k % 5 === 4) opts.progress(`crash/ingest: kill ${k + 1}/${kills} after ${Math.round(delay)} ms (${done}/${FEEDS} sources refreshed); ${store.items} items stored (${store.inStories} in shared stories), ${store.problems.length} problems`);
      if (problems.length > 40) break;
    }

    // Finally one clean `warta fetch`: every item published must now be stored exactly once, with its tags. On
    // PostgreSQL it claims each source first, so it waits until the killed daemon's leases have ended.
    if (schema) await sleep(LEASE_S * 1000 + 500);
    const fetched = await runWarta(['fetch', '--config', config]);
    if (fetched.code !== 0) problems.push(`final warta fetch exited ${fetched.code}: ${fetched.stderr.slice(0, 500)}`);
    const final = await inspect({ exact: true });
    problems.push(...final.problems.map((p) => `final: ${p}`));
    const published = Array.from({ length: FEEDS }, (_, f) => farm.count(f)).reduce((a, b) => a + b, 0);
    return {
      name: schema ? 'crash/ingest (postgres)' : 'crash/ingest',
      ok: problems.length === 0,
      figures: {
        kills: `${phases.beforeServing + phases.duringStartupIngest + phases.afterStartupIngest}/${kills}`,
        'during start-up ingest': phases.duringStartupIngest,
        'before serving': phases.beforeServing,
        'during cron ingest': phases.afterStartupIngest,
        published,
        stored: final.items,
        lost: Math.max(0, published - final.items),
        duplicates: final.duplicates,
        integrity: final.problems.some((p) => p.startsWith('integrity')) ? 'FAILED' : 'ok',
        'output responses checked': responses,
        'items checked': itemsChecked,
        'partial refreshes served': partial,
        ...(schema ? { 'connections terminated': terminated } : {}),
        seed,
      },
      details: problems,
    };
  } finally {
    await farm.close();
    await schema?.drop();
    tmp.cleanup();
  }
}
