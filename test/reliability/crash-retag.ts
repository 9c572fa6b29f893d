/**
 * SIGKILL during a re-tag: the tag rules change (a restart with a changed config, or SIGHUP after editing it)
 * and the daemon is killed while it re-tags a big store. After every kill each item carries its old tags or its
 * new ones (one transaction per range), and the new rules' fingerprint is recorded only if every item follows
 * them; a last start must finish the job.
 *
 * A pass of the 30,000 items commits about 60 ranges on worker threads in about a second (0.9-3.8 s measured on
 * 2 shared cores, 15-50 ms a range), shorter than a start of the daemon varies, and it keeps getting faster; so
 * kills are aimed by the pass's own progress, not by the clock. A watcher thread (retag-watcher.ts) reads
 * `rules_fingerprint` and `retag_progress` (the last range committed) through its own read-only connection
 * every half millisecond and sends the SIGKILL itself, never waiting for this thread's event loop (busy reading
 * the outputs). It follows only this start's pass: fingerprint `pending:` the new rules and progress past where
 * the pass began. (Progress an earlier start left is not: a SIGHUP start on a store left mid-pass first runs a
 * whole pass back to the rules it starts on, and an aim that fired on the old progress killed before the pass it
 * wanted.) It fires once the pass has committed past a random point of what it has left, leaving out the last
 * tenth and never fewer than 4 ranges (ranges classified ahead may commit back to back; a start resuming the
 * pass needs 2 or more left), then waits a random part of the time between the pass's last two commits (at most
 * a calibrated range; none with fewer than 3 ranges left). So the aim is counted in ranges, not milliseconds.
 * Measured on 30,000 items: every aimed kill landed mid-pass (93/93, 98/98, 94/94 with seeds 2026, 314, 90210),
 * and also on a throw-away build with 5x and 10x shorter ranges (100 and 50 items, 3-9 ms each), where 98/98,
 * 92/92 and 92/92 did, the last two with the tail left out narrowed to 2 % and 1 % (the 6 ranges a pass of 60
 * leaves). Before, the aim fired from this thread's event loop every 2 ms, on progress of any start: 91/123 and
 * 97/120 aimed kills landed.
 *
 * A bigger store (a pass that lasts) was measured and not taken: 118,000 items took 53 s to fill, 4 s to check
 * after each kill and 8-15 s a pass (30,000: 6-25 s, 0.4-1 s, 1-4 s), several times this check's length, and
 * it would stop landing again once re-tagging sped up as much more.
 *
 * A quarter of the kills are timed from the start or the SIGHUP instead, so they may land before the pass, in
 * the start-up of its workers or after it (the faster a pass, the fewer of them land in it). A kill counts as mid
 * re-tag only when the database shows it landed there: this start committed a range of the pass, the pass did
 * not finish, and the store is part old rules, part new. The check fails unless `required` kills did.
 */
import type Database from 'better-sqlite3';
import { DaemonRun } from './daemon-run.js';
import type { BigStore } from './big-store.js';
import { checkStore, RULES_A, RULES_B, watchOutputs, type Rules } from './invariants.js';
import { makeRandom, openReadOnly, percentile, sleep, type CheckOptions, type CheckResult } from './lib.js';
import { RetagWatcher, type Aimed } from './retag-watcher.js';

/** What meta says about re-tagging (src/retag.ts), and the highest item id a pass will reach. */
interface RetagState {
  /** rules_fingerprint: a finished pass's rules, or `pending:<fingerprint>` while one runs. */
  fingerprint: string | null;
  /** retag_progress: the rules of the running (or interrupted) pass and the last id it committed. */
  progress: { fingerprint: string; after: number } | null;
  maxId: number;
}

function readState(c: Database.Database): RetagState {
  const meta = (key: string) => (c.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  const progress = meta('retag_progress');
  return {
    fingerprint: meta('rules_fingerprint'),
    progress: progress === null ? null : (JSON.parse(progress) as RetagState['progress']),
    maxId: (c.prepare('SELECT coalesce(max(id), 0) FROM items').pluck().get() as number) ?? 0,
  };
}

function retagState(db: string): RetagState {
  const c = openReadOnly(db);
  try {
    return readState(c);
  } finally {
    c.close();
  }
}

/**
 * Polls meta until `check` holds (true) or the run or `timeoutMs` ends first (false). One connection for the
 * whole wait; in WAL mode it never blocks the daemon's writes.
 */
async function watchState(db: string, run: DaemonRun, check: (s: RetagState) => boolean, timeoutMs: number): Promise<boolean> {
  const c = openReadOnly(db);
  try {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && run.alive) {
      if (check(readState(c))) return true;
      await sleep(2);
    }
    return false;
  } finally {
    c.close();
  }
}

/** Kills during re-tagging of `store` (left on whichever rules the last start applied). */
export async function crashDuringRetag(opts: CheckOptions, store: BigStore, seed: number): Promise<CheckResult> {
  const watcher = await RetagWatcher.start();
  try {
    return await killDuringRetag(opts, store, seed, watcher);
  } finally {
    await watcher.close();
  }
}

async function killDuringRetag(opts: CheckOptions, store: BigStore, seed: number, watcher: RetagWatcher): Promise<CheckResult> {
  const required = opts.short ? 3 : 100;
  // Kills that miss (the pass finished first, or a timed kill landed outside it) are retried, up to this many.
  const maxKills = Math.ceil(required * 1.6) + 4;
  const random = makeRandom(seed + 1);
  const problems: string[] = [];
  const rules: Record<'A' | 'B', Rules> = { A: RULES_A, B: RULES_B };
  const fpA = retagState(store.db).fingerprint;
  if (fpA === null || fpA.startsWith('pending:')) throw new Error(`the big store has no finished rules fingerprint (${fpA})`);
  const fp: Record<'A' | 'B', string> = { A: fpA, B: '' };
  let midRetag = 0;
  let aimedKills = 0;
  let aimedMid = 0;
  let timedKills = 0;
  // Aimed kills whose pass finished before the watcher saw it reach the aim; ranges committed after the aim.
  let aimedFinishedFirst = 0;
  const rangesPastAim: number[] = [];
  let reverted = 0;
  let revertStale = 0;
  let partialServed = 0;
  let responses = 0;

  // Calibration: A → B with no kill, watched through meta by the watcher thread: each range's commit, when the
  // fingerprint is recorded.
  store.writeRules('B');
  let run = new DaemonRun(store.base, store.config);
  const calib = await watcher.observe(store.db, fp.A, 120_000, run.daemon.exited);
  const endedAt = Date.now();
  const servingMs = run.servedAt ?? 1000;
  const retagMs = endedAt - run.started - servingMs;
  // Items per range: the median step between consecutive commits seen (the watcher sees nearly all of them).
  const steps = calib.commits.slice(1).map((c, j) => c.after - calib.commits[j]!.after).filter((d) => d > 0).sort((x, y) => x - y);
  const maxId = retagState(store.db).maxId;
  const rangeItems = steps.length > 0 ? steps[Math.floor(steps.length / 2)]! : maxId;
  // Ranges commit at a steady pace once the workers run.
  const firstCommit = calib.commits[0];
  const lastCommit = calib.commits.at(-1);
  const rangeMs = firstCommit && lastCommit && lastCommit.after > firstCommit.after ? (lastCommit.ms - firstCommit.ms) / ((lastCommit.after - firstCommit.after) / rangeItems) : 50;
  if (!calib.finished || (await run.stop()) !== 0) problems.push('calibration: the re-tag A → B did not finish with a clean stop');
  fp.B = retagState(store.db).fingerprint ?? '';
  let current: 'A' | 'B' = 'B';
  opts.progress(
    `crash/retag: ${store.items} items re-tag in about ${retagMs} ms after the first answer, ${Math.round(calib.ms - (firstCommit?.ms ?? 0))} ms from the first range's commit to the end (${calib.commits.length} commits seen, ${rangeItems} items and ~${rangeMs.toFixed(1)} ms a range); kills until ${required} land mid-pass, at most ${maxKills} (seed ${seed + 1})`,
  );

  let kills = 0;
  for (let k = 0; midRetag < required && k < maxKills; k++) {
    kills++;
    const target: 'A' | 'B' = current === 'A' ? 'B' : 'A';
    const viaHup = k % 2 === 1;
    // A quarter timed, half of them restarts and half SIGHUPs.
    const timed = k % 8 === 3 || k % 8 === 6;
    // Where this start's pass to `target` begins: where an interrupted pass to it stopped, unless a pass to other
    // rules runs first (a SIGHUP start on `current` while the store is not on it), which clears that progress.
    const before = retagState(store.db);
    const resumeAfter = viaHup && before.fingerprint !== fp[current] ? 0 : before.progress?.fingerprint === fp[target] ? before.progress.after : 0;
    // With SIGHUP the daemon starts on the rules already applied, then is told about the new ones.
    store.writeRules(viaHup ? current : target);
    run = new DaemonRun(store.base, store.config);
    const watch = watchOutputs(store.base, [{ path: '/feeds/all.json', complete: false, limit: 200 }, { path: '/tags/putin.json', complete: false, limit: 50, filtered: true }], store.farm, () => [RULES_A, RULES_B]);
    if (viaHup) {
      await run.untilServing();
      await sleep(300);
      store.writeRules(target);
      run.daemon.child.kill('SIGHUP');
    }
    let aim: string;
    let aimed: Aimed | null = null;
    if (timed) {
      timedKills++;
      const delay = random() * (viaHup ? retagMs * 1.2 : servingMs + retagMs * 1.2);
      await sleep(delay);
      aim = `${Math.round(delay)} ms after the ${viaHup ? 'SIGHUP' : 'start'}`;
    } else {
      aimedKills++;
      // A random point of what the pass has left, short of its end: ranges classified ahead on the workers may
      // commit back to back after the one that reaches the aim, and a start that resumes this pass needs two or
      // more ranges left to be killed mid-pass in turn. So the last tenth is left out, and never fewer than
      // four ranges; a pass with fewer left is aimed at its first commit.
      const share = random();
      const remaining = before.maxId - resumeAfter;
      const room = Math.max(0, remaining - Math.max(0.1 * remaining, 4 * rangeItems) - 1);
      const threshold = Math.round(resumeAfter + 1 + share * room);
      const a = await watcher.aim(
        store.db,
        { pid: run.pid, target: fp[target], resumeAfter, threshold, extraShare: random(), rangeMs, waitUpTo: before.maxId - 3 * rangeItems, timeoutMs: 60_000 },
        run.daemon.exited,
      );
      if (a.finished) aimedFinishedFirst++;
      aimed = a;
      const where = `${Math.round(share * 100)} % of the way to ${Math.round(room + resumeAfter + 1)} from ${resumeAfter}`;
      aim = a.fired ? `at commit ${a.commitsSeen} of this pass (id ${a.seenAfter}, aimed ${where}), + ${a.extraMs.toFixed(1)} ms` : `${a.finished ? 'pass finished' : 'watch ended'} before ${where}`;
    }
    await run.kill();
    const seen = await watch.stop();
    responses += seen.responses;
    partialServed += seen.violations.length;
    for (const v of seen.violations.slice(0, 3)) problems.push(`kill ${k + 1}: output: ${v}`);

    const after = retagState(store.db);
    // How far the pass got after the range the watcher fired on (the extra wait, and its reaction).
    if (aimed?.fired && after.progress?.fingerprint === fp[target]) rangesPastAim.push(Math.max(0, after.progress.after - aimed.seenAfter) / rangeItems);
    const r = checkStore(store.db, store.farm, store.feeds, [RULES_A, RULES_B], { exact: true });
    for (const p of r.problems.slice(0, 5)) problems.push(`kill ${k + 1}: ${p}`);
    const onTarget = target === 'B' ? r.differingOnB : r.differing - r.differingOnB;
    // Landed mid-pass: this start committed a range of the pass to `target`, which had not finished.
    const landed =
      after.fingerprint === `pending:${fp[target]}` && after.progress?.fingerprint === fp[target] && after.progress.after > resumeAfter && onTarget > 0 && onTarget < r.differing;
    if (landed) {
      midRetag++;
      if (!timed) aimedMid++;
    }
    const recorded: 'A' | 'B' | '?' = after.fingerprint === fp.A ? 'A' : after.fingerprint === fp.B ? 'B' : '?';
    // Once the new rules' fingerprint is recorded, every item must follow them (it is written after the last range).
    if (recorded === target && onTarget !== r.differing) problems.push(`kill ${k + 1}: fingerprint says rules ${target} but only ${onTarget}/${r.differing} changed items follow them`);
    opts.progress(`crash/retag: kill ${k + 1} (${viaHup ? 'SIGHUP' : 'restart'} → ${target}, ${aim}): ${landed ? 'mid-pass' : 'not mid-pass'}, ${onTarget}/${r.differing} changed items re-tagged, fingerprint ${recorded}; ${midRetag}/${required} mid-pass so far`);
    // The next start aims away from the recorded rules: an interrupted pass is finished, a finished one reversed.
    if (recorded !== '?') current = recorded;

    // An admin who reverts the edit after a crash mid-pass: the rules in force are those recorded before the pass,
    // yet the items re-tagged before the crash follow the other ones. A start must bring every item back.
    if (landed && reverted < (opts.short ? 1 : 3)) {
      reverted++;
      store.writeRules(current);
      run = new DaemonRun(store.base, store.config);
      const back = await watchState(store.db, run, (s) => s.fingerprint === fp[current], 120_000);
      await run.stop();
      const afterRevert = checkStore(store.db, store.farm, store.feeds, [rules[current]], { exact: true });
      const stale = afterRevert.differing - (current === 'B' ? afterRevert.differingOnB : afterRevert.differing - afterRevert.differingOnB);
      opts.progress(`crash/retag: reverted to ${current} after the kill: ${stale} items still carry the abandoned rules' tags`);
      if (!back) problems.push(`revert after kill ${k + 1}: the start on rules ${current} did not record them (fingerprint ${retagState(store.db).fingerprint})`);
      if (stale > 0) {
        revertStale += stale;
        problems.push(`revert after kill ${k + 1}: the rules in force are ${current}, but ${stale}/${r.items} items keep the tags of the interrupted pass to ${target}; no start will fix them`);
        // Repair, so the remaining kills start from a consistent store: a pass to the other rules and back.
        for (const which of [target, current]) {
          store.writeRules(which);
          run = new DaemonRun(store.base, store.config);
          await watchState(store.db, run, (s) => s.fingerprint === fp[which], 120_000);
          await run.stop();
        }
      }
    }
  }
  if (midRetag < required) problems.push(`only ${midRetag} of ${kills} kills landed mid re-tag (${aimedMid}/${aimedKills} aimed ones); ${required} are required`);

  // A last start on the final rules finishes any interrupted pass.
  const last: 'A' | 'B' = current === 'A' ? 'B' : 'A';
  store.writeRules(last);
  run = new DaemonRun(store.base, store.config);
  const done = await watchState(store.db, run, (s) => s.fingerprint === fp[last], 120_000);
  const code = await run.stop();
  if (!done || code !== 0) problems.push(`final start: re-tag finished ${done}, exit code ${code}`);
  const final = checkStore(store.db, store.farm, store.feeds, [rules[last]], { exact: true });
  problems.push(...final.problems.map((p) => `final: ${p}`));
  if (final.fingerprint !== fp[last]) problems.push(`final: fingerprint ${final.fingerprint} is not rules ${last}'s`);
  return {
    name: 'crash/retag',
    ok: problems.length === 0,
    figures: {
      kills,
      'mid re-tag': midRetag,
      'mid re-tag required': required,
      'aimed kills mid re-tag': `${aimedMid}/${aimedKills}`,
      'timed kills mid re-tag': `${midRetag - aimedMid}/${timedKills}`,
      'aimed passes finished before the aim': aimedFinishedFirst,
      'ranges committed after the aimed one (median/max)': rangesPastAim.length ? `${percentile(rangesPastAim, 50).toFixed(1)}/${Math.max(...rangesPastAim).toFixed(1)}` : '-',
      items: final.items,
      'items on final rules': last === 'A' ? final.followA : final.followB,
      'half-tagged items': problems.filter((p) => /has tags/.test(p)).length,
      'reverts after a mid-pass kill': reverted,
      'items left on abandoned rules': revertStale,
      integrity: final.problems.some((p) => p.startsWith('integrity')) ? 'FAILED' : 'ok',
      'output responses checked': responses,
      'partial served': partialServed,
      'retag ms': retagMs,
      'range items/ms': `${rangeItems}/${rangeMs.toFixed(1)}`,
    },
    details: problems,
  };
}
