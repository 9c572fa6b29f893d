/**
 * Faults of a PostgreSQL store (`--store postgres`): what a daemon on a database meets that it does not meet on
 * its own SQLite file. Each check runs the real daemon on a schema of the server at 127.0.0.1:5432 against a
 * ledger farm whose feeds keep growing, then a last `warta fetch`, and requires every published item stored once
 * with its tags (nothing lost to the fault) and the daemon alive through it.
 *  - terminated: its connections are cut again and again (pg_terminate_backend) while it refreshes;
 *  - outage: the database is unreachable for a while (a TCP relay on 127.0.0.1 in front of the server stops
 *    answering and drops every connection; the shared server itself is never restarted): /readyz says so, the log
 *    names the database, outputs still answer, and it carries on by itself once the database is back;
 *  - statement timeout: a long transaction holds a lock on the items (an admin's ALTER, a stuck job) past
 *    storage.statement_timeout: refreshes fail with a `busy` error that says what to do, then resume.
 * The SQLite-only faults (a full disk under the file, its write lock) are the sqlite run's.
 */
import { runWarta, freePort } from '../helpers/daemon.js';
import { Relay } from '../helpers/relay.js';
import type { DaemonRun } from './daemon-run.js';
import type { StoreReport } from './invariants.js';
import { get, sleep, waitFor, type CheckOptions, type CheckResult } from './lib.js';
import { makePgRig, type PgRig } from './pg-rig.js';
import { adminSession, terminateBackends } from './pg-store.js';

/** Log lines of `run` at warn or above (message and error text). */
function loud(run: DaemonRun): string[] {
  return run
    .logs()
    .filter((l) => ['warn', 'error', 'fatal'].includes(String(l.level)))
    .map((l) => `${String(l.msg)}: ${(l.err as { message?: string } | undefined)?.message ?? (l.error as { message?: string } | undefined)?.message ?? ''}`);
}

/** The end of every check: the daemon stopped, one clean `warta fetch`, every published item stored once. */
async function finish(rig: PgRig, run: DaemonRun, problems: string[]): Promise<StoreReport> {
  if (!run.alive) problems.push(`the daemon exited during the fault (code ${run.daemon.child.exitCode}, signal ${run.daemon.child.signalCode}): ${run.daemon.stderr.slice(-800)}`);
  if (run.logs().some((l) => l.msg === 'refresh crashed')) problems.push('a refresh crashed (an unexpected exception, not a recorded failure)');
  await run.stop();
  const fetched = await runWarta(['fetch', '--config', rig.config]);
  if (fetched.code !== 0) problems.push(`final warta fetch exited ${fetched.code}: ${fetched.stderr.slice(0, 500)}`);
  const final = await rig.inspect(true);
  problems.push(...final.problems.slice(0, 10).map((p) => `final: ${p}`));
  return final;
}

/** Connections terminated every ~1.5 s during ingest: the daemon reconnects each time and loses nothing. */
async function checkTerminated(opts: CheckOptions): Promise<CheckResult> {
  const rounds = opts.short ? 6 : 30;
  const rig = await makePgRig();
  const problems: string[] = [];
  try {
    const { run, stopPublishing: stop } = await rig.startIngesting(problems);
    let terminated = 0;
    for (let r = 0; r < rounds; r++) {
      await sleep(1000 + Math.random() * 1000);
      terminated += await terminateBackends(run.pid);
    }
    stop();
    // Still ingesting after the last cut: what was published reaches the store by the daemon's own polls.
    const caughtUp = await waitFor(async () => (await rig.stored()) >= rig.published(), 30_000, 500);
    if (!caughtUp) problems.push(`the daemon did not catch up after the last termination: ${await rig.stored()}/${rig.published()} stored`);
    const ready = await get(`${rig.base}/readyz`, 5000);
    if (ready.status !== 200) problems.push(`/readyz ${ready.status} after the terminations: ${ready.body.slice(0, 200)}`);
    const failures = run.logs().filter((l) => l.msg === 'refresh failed').length;
    const final = await finish(rig, run, problems);
    return {
      name: 'faults/pg terminated connections',
      ok: problems.length === 0,
      figures: { rounds, 'connections terminated': terminated, 'refreshes failed (recorded)': failures, 'caught up by itself': caughtUp ? 'yes' : 'no', published: rig.published(), stored: final.items, lost: Math.max(0, rig.published() - final.items), duplicates: final.duplicates },
      details: problems,
    };
  } finally {
    await rig.close();
  }
}

/** The database unreachable for a while (the relay down): a clear account, outputs served, recovery alone. */
async function checkOutage(opts: CheckOptions): Promise<CheckResult> {
  const outageMs = opts.short ? 8000 : 30_000;
  const relay = new Relay(await freePort());
  await relay.up();
  const rig = await makePgRig({ viaPort: relay.port });
  const problems: string[] = [];
  try {
    const { run, stopPublishing: stop } = await rig.startIngesting(problems);
    // A reader's feed, rendered (and cached) before the outage: figures show whether it is still served.
    await get(`${rig.base}/feeds/all.json`, 10_000);
    await relay.down();
    const downAt = Date.now();
    let readyDown = 0;
    let outputs = 0;
    let outputsOk = 0;
    let outputsStale = 0;
    let unanswered = 0;
    while (Date.now() - downAt < outageMs) {
      const [ready, feed] = await Promise.all([get(`${rig.base}/readyz`, 10_000), get(`${rig.base}/feeds/all.json`, 10_000)]);
      if (ready.status === 503) readyDown++;
      outputs++;
      if (feed.status === 200) outputsOk++;
      if (feed.headers?.get('warning')?.startsWith('110 ')) outputsStale++;
      if (feed.status === 0 || ready.status === 0) unanswered++;
      await sleep(500);
    }
    const during = loud(run).filter((l) => /127\.0\.0\.1:\d+|database|PostgreSQL/i.test(l));
    await relay.up();
    const upAt = Date.now();
    const recovered = await waitFor(async () => (await get(`${rig.base}/readyz`, 5000)).status === 200, 60_000, 250);
    const recoveryMs = Date.now() - upAt;
    stop();
    const caughtUp = await waitFor(async () => (await rig.stored()) >= rig.published(), 60_000, 500);
    if (readyDown === 0) problems.push('/readyz never said the database was down during the outage');
    // The feed was rendered before the outage: a re-render that fails on the database serves that copy, marked stale.
    if (outputsOk < outputs) problems.push(`the feed rendered before the outage answered 200 to ${outputsOk} of ${outputs} requests during it`);
    if (unanswered > 0) problems.push(`${unanswered} requests got no answer within 10 s during the outage`);
    if (during.length === 0) problems.push('nothing in the log named the database during the outage');
    if (!recovered) problems.push('/readyz did not come back within 60 s of the database');
    if (!caughtUp) problems.push(`ingest did not resume: ${await rig.stored()}/${rig.published()} stored a minute after the database came back`);
    const final = await finish(rig, run, problems);
    return {
      name: 'faults/pg database outage',
      ok: problems.length === 0,
      figures: {
        'outage s': outageMs / 1000,
        '/readyz 503 during it': `${readyDown}/${outputs}`,
        'outputs 200 during it': `${outputsOk}/${outputs}`,
        'of them marked stale': outputsStale,
        'log lines naming the database': during.length,
        'first of them': during[0]?.slice(0, 160) ?? '-',
        'ready again after ms': recovered ? recoveryMs : 'never',
        published: rig.published(),
        stored: final.items,
        lost: Math.max(0, rig.published() - final.items),
        duplicates: final.duplicates,
      },
      details: problems,
    };
  } finally {
    await relay.down();
    await rig.close();
  }
}

/** A lock held past storage.statement_timeout (1 s): `busy` failures that say what to do, then ingest resumes. */
async function checkStatementTimeout(opts: CheckOptions): Promise<CheckResult> {
  const holdMs = opts.short ? 5000 : 15_000;
  const rig = await makePgRig({ storage: { statement_timeout: '1s' } });
  const problems: string[] = [];
  try {
    const { run, stopPublishing: stop } = await rig.startIngesting(problems);
    const before = run.logs().length;
    const admin = await adminSession();
    try {
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE ${rig.schema.name}.items IN ACCESS EXCLUSIVE MODE`);
      await sleep(holdMs);
    } finally {
      await admin.query('COMMIT').catch(() => {});
      await admin.end();
    }
    const busy = run
      .logs()
      .slice(before)
      .filter((l) => l.msg === 'refresh failed' && (l.error as { code?: string } | undefined)?.code === 'busy')
      .map((l) => (l.error as { message: string }).message);
    stop();
    const caughtUp = await waitFor(async () => (await rig.stored()) >= rig.published(), 30_000, 500);
    if (busy.length === 0) problems.push(`no refresh failed with "busy" while the items were locked for ${holdMs} ms; the log said: ${loud(run).slice(-3).join(' | ')}`);
    else if (!busy.every((m) => /statement_timeout/.test(m))) problems.push(`a busy failure does not say what to do: ${busy.find((m) => !/statement_timeout/.test(m))}`);
    if (!caughtUp) problems.push(`ingest did not resume after the lock: ${await rig.stored()}/${rig.published()} stored`);
    const final = await finish(rig, run, problems);
    return {
      name: 'faults/pg statement timeout',
      ok: problems.length === 0,
      figures: { 'lock held ms': holdMs, 'busy refreshes': busy.length, message: busy[0]?.slice(0, 140) ?? '-', published: rig.published(), stored: final.items, lost: Math.max(0, rig.published() - final.items), duplicates: final.duplicates },
      details: problems,
    };
  } finally {
    await rig.close();
  }
}

/** The PostgreSQL fault checks, one after another. */
export async function runPostgresFaults(opts: CheckOptions): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of [checkTerminated, checkOutage, checkStatementTimeout]) {
    const t = Date.now();
    try {
      out.push(await check(opts));
    } catch (err) {
      out.push({ name: `faults/pg ${check.name}`, ok: false, figures: { error: (err as Error).message }, details: [(err as Error).stack ?? String(err)] });
    }
    opts.progress(`faults: ${check.name} took ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return out;
}
