/**
 * SIGKILL during a re-tag: the tag rules change (a restart with a changed config, or SIGHUP after editing it)
 * and the daemon is killed while it re-tags a big store. After every kill each item carries its old tags or its
 * new ones (one transaction per batch), and the new rules' fingerprint is recorded only if every item follows
 * them; a last start must finish the job.
 */
import { DaemonRun } from './daemon-run.js';
import type { BigStore } from './big-store.js';
import { checkStore, RULES_A, RULES_B, watchOutputs, type Rules } from './invariants.js';
import { makeRandom, openReadOnly, sleep, waitFor, type CheckOptions, type CheckResult } from './lib.js';

const RETAGGED = /tag rules changed: stored items re-tagged/;

function fingerprint(db: string): string | null {
  const c = openReadOnly(db);
  try {
    return (c.prepare("SELECT value FROM meta WHERE key = 'rules_fingerprint'").pluck().get() as string | undefined) ?? null;
  } finally {
    c.close();
  }
}

/** Kills during re-tagging of `store` (left on whichever rules the last start applied). */
export async function crashDuringRetag(opts: CheckOptions, store: BigStore, seed: number): Promise<CheckResult> {
  const kills = opts.short ? 3 : 24;
  const random = makeRandom(seed + 1);
  const problems: string[] = [];
  const rules: Record<'A' | 'B', Rules> = { A: RULES_A, B: RULES_B };
  const fp: Record<'A' | 'B', string | null> = { A: fingerprint(store.db), B: null };
  let midRetag = 0;
  let reverted = 0;
  let revertStale = 0;
  let partialServed = 0;
  let responses = 0;

  // Calibration: A → B with no kill, timed from the first answer to the "re-tagged" log line.
  store.writeRules('B');
  let run = new DaemonRun(store.base, store.config);
  await run.untilServing();
  const servingMs = run.servedAt ?? 1000;
  const finished = await waitFor(() => run.hasLog(RETAGGED), 120_000);
  const retagMs = Date.now() - run.started - servingMs;
  if (!finished || (await run.stop()) !== 0) problems.push('calibration: the re-tag A → B did not finish with a clean stop');
  fp.B = fingerprint(store.db);
  let current: 'A' | 'B' = 'B';
  opts.progress(`crash/retag: ${store.items} items re-tag in about ${retagMs} ms; ${kills} kills (seed ${seed + 1})`);

  for (let k = 0; k < kills; k++) {
    const target: 'A' | 'B' = current === 'A' ? 'B' : 'A';
    const viaHup = k % 2 === 1;
    // With SIGHUP the daemon starts on the rules already applied, then is told about the new ones.
    store.writeRules(viaHup ? current : target);
    run = new DaemonRun(store.base, store.config);
    const watch = watchOutputs(store.base, [{ path: '/feeds/all.json', complete: false, limit: 200 }, { path: '/tags/putin.json', complete: false, limit: 50, filtered: true }], store.farm, () => [RULES_A, RULES_B]);
    let delay: number;
    if (viaHup) {
      await run.untilServing();
      await sleep(300);
      store.writeRules(target);
      run.daemon.child.kill('SIGHUP');
      delay = random() * retagMs * 1.2;
    } else {
      delay = random() * (servingMs + retagMs * 1.2);
    }
    await sleep(delay);
    await run.kill();
    const seen = await watch.stop();
    responses += seen.responses;
    partialServed += seen.violations.length;
    for (const v of seen.violations.slice(0, 3)) problems.push(`kill ${k + 1}: output: ${v}`);

    const r = checkStore(store.db, store.farm, store.feeds, [RULES_A, RULES_B], { exact: true });
    for (const p of r.problems.slice(0, 5)) problems.push(`kill ${k + 1}: ${p}`);
    const onTarget = target === 'B' ? r.differingOnB : r.differing - r.differingOnB;
    if (onTarget > 0 && onTarget < r.differing) midRetag++;
    const recorded = r.fingerprint === fp.A ? 'A' : r.fingerprint === fp.B ? 'B' : '?';
    // Once the new rules' fingerprint is recorded, every item must follow them (it is written after the last batch).
    if (recorded === target && onTarget !== r.differing) problems.push(`kill ${k + 1}: fingerprint says rules ${target} but only ${onTarget}/${r.differing} changed items follow them`);
    opts.progress(`crash/retag: kill ${k + 1}/${kills} (${viaHup ? 'SIGHUP' : 'restart'} → ${target}) after ${Math.round(delay)} ms: ${onTarget}/${r.differing} changed items re-tagged, fingerprint ${recorded}`);
    // The next start aims away from the recorded rules: an interrupted pass is finished, a finished one reversed.
    if (recorded !== '?') current = recorded;

    // An admin who reverts the edit after a crash mid-pass: the rules in force are those recorded, yet the items
    // re-tagged before the crash follow the other ones. A start must bring every item back to the rules in force.
    if (recorded === current && onTarget > 0 && onTarget < r.differing && reverted < (opts.short ? 1 : 3)) {
      reverted++;
      store.writeRules(current);
      run = new DaemonRun(store.base, store.config);
      await run.untilServing();
      await waitFor(() => run.hasLog(RETAGGED), retagMs + 1500);
      await run.stop();
      const after = checkStore(store.db, store.farm, store.feeds, [rules[current]], { exact: true });
      const stale = after.differing - (current === 'B' ? after.differingOnB : after.differing - after.differingOnB);
      opts.progress(`crash/retag: reverted to ${current} after the kill: ${stale} items still carry the abandoned rules' tags`);
      if (stale > 0) {
        revertStale += stale;
        problems.push(`revert after kill ${k + 1}: the rules in force are ${current} (fingerprint recorded), but ${stale}/${r.items} items keep the tags of the interrupted pass to ${target}; no start will fix them (retag.ts: the old fingerprint stays while a pass runs)`);
        // Repair, so the remaining kills start from a consistent store: a pass to the other rules and back.
        for (const which of [target, current]) {
          store.writeRules(which);
          run = new DaemonRun(store.base, store.config);
          await waitFor(() => run.hasLog(RETAGGED), 120_000);
          await run.stop();
        }
      }
    }
  }

  // A last start on the final rules finishes any interrupted pass.
  const last: 'A' | 'B' = current === 'A' ? 'B' : 'A';
  store.writeRules(last);
  run = new DaemonRun(store.base, store.config);
  const done = await waitFor(() => run.hasLog(RETAGGED), 120_000);
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
      items: final.items,
      'items on final rules': last === 'A' ? final.followA : final.followB,
      'half-tagged items': problems.filter((p) => /has tags/.test(p)).length,
      'reverts after a mid-pass kill': reverted,
      'items left on abandoned rules': revertStale,
      integrity: final.problems.some((p) => p.startsWith('integrity')) ? 'FAILED' : 'ok',
      'output responses checked': responses,
      'partial served': partialServed,
      'retag ms': retagMs,
    },
    details: problems,
  };
}
