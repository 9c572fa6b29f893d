/**
 * SIGKILL during a re-tag on PostgreSQL (`--store postgres`): the SQLite check's idea (crash-retag.ts) on a
 * schema of the server at 127.0.0.1:5432. A store filled by `warta fetch` is re-tagged A → B → A … by restarts
 * with the other rules, and each start is killed once its pass has committed past a random point of what it has
 * left: a connection of this check's own reads `retag_progress` every couple of milliseconds and sends the
 * SIGKILL itself. After every kill each item carries its old tags or its new ones (a range is one transaction)
 * and the new rules' fingerprint is recorded only if every item follows them; the next start resumes the pass,
 * and a last start finishes it. A kill counts as mid-pass only when the database shows it: this start committed a
 * range, the pass did not finish, and the store is part old rules, part new.
 */
import { join } from 'node:path';
import { freePort, runWarta } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { DaemonRun } from './daemon-run.js';
import { checkStore, RULES_A, RULES_B, tagRules, type Rules } from './invariants.js';
import { startLedgerFarm } from './ledger-farm.js';
import { makeRandom, sleep, writeConfig, type CheckOptions, type CheckResult } from './lib.js';
import { adminSession, snapshotOf, testSchema } from './pg-store.js';

const FEEDS = 40;

interface State {
  fingerprint: string | null;
  progress: { fingerprint: string; after: number } | null;
}

/** Kills during re-tag passes of a PostgreSQL store. */
export async function crashDuringRetagPostgres(opts: CheckOptions, seed: number): Promise<CheckResult> {
  const required = opts.short ? 3 : 30;
  const maxKills = required * 3 + 4;
  const random = makeRandom(seed + 1);
  const farm = await startLedgerFarm(FEEDS, opts.short ? 200 : 400, 150);
  const schema = await testSchema();
  const tmp = tempDir('warta-pgretag-');
  const config = join(tmp.dir, 'warta.yaml');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const rules: Record<'A' | 'B', Rules> = { A: RULES_A, B: RULES_B };
  const writeRules = (which: 'A' | 'B') =>
    writeConfig(config, {
      port,
      db: join(tmp.dir, 'unused.db'),
      url: schema.url,
      // Polled at start-up only: cron ticks stay out of the way of a re-tag.
      fetch: { schedule: '0 0 1 1 *', per_host: 16, concurrency: 16, min_interval: '1s' },
      sources: farm.urls.map((url, f) => ({ id: `f${f}`, url, tags: ['farm'] })),
      tags: tagRules(which),
      outputs: [{ id: 'all', title: 'All', tags: ['farm'], limit: 200 }],
    });
  const watch = await adminSession();
  const readState = async (): Promise<State> => {
    const rows = (await watch.query(`SELECT key, value FROM ${schema.name}.meta WHERE key IN ('rules_fingerprint', 'retag_progress')`)).rows as { key: string; value: string }[];
    const get = (k: string) => rows.find((r) => r.key === k)?.value ?? null;
    const progress = get('retag_progress');
    return { fingerprint: get('rules_fingerprint'), progress: progress === null ? null : (JSON.parse(progress) as State['progress']) };
  };
  const inspect = async (allowed: Rules[]) => {
    const copy = await snapshotOf(schema.name);
    try {
      return checkStore('', farm, FEEDS, allowed, { exact: true, db: copy });
    } finally {
      copy.close();
    }
  };
  /** Waits (polling meta) until `check` holds, the daemon exits or `timeoutMs` passes; true when it held. */
  const until = async (run: DaemonRun, check: (s: State) => boolean, timeoutMs: number, everyMs = 2) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && run.alive) {
      if (check(await readState())) return true;
      await sleep(everyMs);
    }
    return false;
  };
  const problems: string[] = [];
  try {
    writeRules('A');
    const filled = await runWarta(['fetch', '--config', config]);
    if (filled.code !== 0) throw new Error(`filling the store: warta fetch exited ${filled.code}: ${filled.stderr.slice(0, 800)}`);
    const fp: Record<'A' | 'B', string> = { A: (await readState()).fingerprint ?? '', B: '' };
    const maxId = Number((await watch.query(`SELECT coalesce(max(id), 0) AS m FROM ${schema.name}.items`)).rows[0].m);

    // Calibration: A → B with no kill; the commits seen give the size of a range.
    writeRules('B');
    let run = new DaemonRun(base, config);
    const seen = new Set<number>();
    const started = Date.now();
    const calibrated = await until(run, (s) => {
      if (s.progress) seen.add(s.progress.after);
      return s.fingerprint !== null && !s.fingerprint.startsWith('pending:') && s.fingerprint !== fp.A;
    }, 120_000);
    const passMs = Date.now() - started;
    await run.stop();
    fp.B = (await readState()).fingerprint ?? '';
    if (!calibrated) problems.push('calibration: the re-tag A → B did not finish within 120 s');
    const steps = [...seen].sort((a, b) => a - b);
    const rangeItems = steps.length > 1 ? Math.max(1, Math.round((steps.at(-1)! - steps[0]!) / (steps.length - 1))) : maxId;
    opts.progress(`crash/retag (postgres): ${maxId} items, a pass A → B ${passMs} ms from the start, ${seen.size} commits seen (~${rangeItems} items a range); kills until ${required} land mid-pass (seed ${seed + 1})`);

    let current: 'A' | 'B' = 'B';
    let kills = 0;
    let mid = 0;
    let finishedFirst = 0;
    for (let k = 0; mid < required && k < maxKills; k++) {
      kills++;
      const target: 'A' | 'B' = current === 'A' ? 'B' : 'A';
      const before = await readState();
      const resumeAfter = before.progress?.fingerprint === fp[target] ? before.progress.after : 0;
      // A random point of what is left, short of its last tenth (and of its last two ranges).
      const room = Math.max(0, maxId - resumeAfter - Math.max(0.1 * (maxId - resumeAfter), 2 * rangeItems));
      const threshold = resumeAfter + 1 + Math.floor(random() * room);
      writeRules(target);
      run = new DaemonRun(base, config);
      const fired = await until(run, (s) => (s.progress?.fingerprint === fp[target] && s.progress.after >= threshold) || s.fingerprint === fp[target], 120_000);
      await run.kill();
      const after = await readState();
      if (!fired || after.fingerprint === fp[target]) finishedFirst++;
      const r = await inspect([RULES_A, RULES_B]);
      for (const p of r.problems.slice(0, 5)) problems.push(`kill ${k + 1}: ${p}`);
      const onTarget = target === 'B' ? r.differingOnB : r.differing - r.differingOnB;
      const landed = after.fingerprint === `pending:${fp[target]}` && after.progress?.fingerprint === fp[target] && after.progress.after > resumeAfter && onTarget > 0 && onTarget < r.differing;
      if (landed) mid++;
      const recorded: 'A' | 'B' | '?' = after.fingerprint === fp.A ? 'A' : after.fingerprint === fp.B ? 'B' : '?';
      if (recorded === target && onTarget !== r.differing) problems.push(`kill ${k + 1}: fingerprint says rules ${target} but only ${onTarget}/${r.differing} changed items follow them`);
      opts.progress(`crash/retag (postgres): kill ${k + 1} (→ ${target}, aimed at id ${threshold} from ${resumeAfter}): ${landed ? 'mid-pass' : 'not mid-pass'}, ${onTarget}/${r.differing} changed items re-tagged, fingerprint ${recorded}; ${mid}/${required}`);
      if (recorded !== '?') current = recorded;
      if (problems.length > 30) break;
    }
    if (mid < required) problems.push(`only ${mid} of ${kills} kills landed mid re-tag; ${required} are required`);

    // A last start on the other rules finishes any interrupted pass.
    const last: 'A' | 'B' = current === 'A' ? 'B' : 'A';
    writeRules(last);
    run = new DaemonRun(base, config);
    const done = await until(run, (s) => s.fingerprint === fp[last], 120_000, 50);
    const code = await run.stop();
    if (!done || code !== 0) problems.push(`final start: re-tag finished ${done}, exit code ${code}`);
    const final = await inspect([rules[last]]);
    problems.push(...final.problems.slice(0, 10).map((p) => `final: ${p}`));
    return {
      name: 'crash/retag (postgres)',
      ok: problems.length === 0,
      figures: {
        kills,
        'mid re-tag': mid,
        'mid re-tag required': required,
        'passes finished before the aim': finishedFirst,
        items: final.items,
        'items on final rules': last === 'A' ? final.followA : final.followB,
        'half-tagged items': problems.filter((p) => /has tags/.test(p)).length,
        'pass ms': passMs,
        'range items': rangeItems,
        seed,
      },
      details: problems,
    };
  } finally {
    await watch.end();
    await farm.close();
    await schema.drop();
    tmp.cleanup();
  }
}
