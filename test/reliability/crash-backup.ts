/**
 * SIGKILL during a backup, both ways round, while the daemon ingests: `warta backup` killed part-way must leave
 * no file at the destination (or a whole one) and the live database untouched; the daemon killed while a backup
 * copies must not spoil the copy. Every copy that exists must pass integrity_check and hold only whole refreshes.
 * The killed backups all aim at one destination, so each next backup there removes the temp file the last one
 * left, and a final backup to it must leave none.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO } from '../helpers/daemon.js';
import type { BigStore } from './big-store.js';
import { DaemonRun } from './daemon-run.js';
import { checkStore, RULES_A, RULES_B } from './invariants.js';
import { get, makeRandom, sleep, waitFor, type CheckOptions, type CheckResult } from './lib.js';

/** Starts `warta backup dest`; resolves the exit once it ends. */
function startBackup(config: string, dest: string) {
  const child = spawn(process.execPath, [BIN, 'backup', dest, '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit, output: () => output };
}

/** backup.ts's temp files (`.<name>.<pid>.<random>.tmp`) in `dir`. */
const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('.') && f.includes('.tmp'));

/** Kills of `warta backup` and of the daemon during one, on `store`. */
export async function crashDuringBackup(opts: CheckOptions, store: BigStore, seed: number): Promise<CheckResult> {
  const kills = opts.short ? 3 : 20;
  const random = makeRandom(seed + 2);
  const problems: string[] = [];
  const dir = join(store.dir, 'backups');
  mkdirSync(dir, { recursive: true });
  // Polled every second while backups run, with new items arriving, so copies are taken under write load.
  store.writeRules(store.rules(), '* * * * * *');
  const publisher = setInterval(() => store.farm.publish(Math.floor(random() * store.feeds), 1 + Math.floor(random() * 3)), 100);
  let run = new DaemonRun(store.base, store.config, ['--log-level', 'warn']);
  let copiesChecked = 0;
  let copiesAbsent = 0;
  let daemonKills = 0;
  let backupKills = 0;
  let servedDuring = 0;
  let failedServes = 0;
  let leftBehind = 0;
  try {
    await run.untilServing();
    const t = Date.now();
    const first = startBackup(store.config, join(dir, 'calibration.db'));
    await waitFor(() => tempFiles(dir).length > 0 || first.child.exitCode !== null, 30_000, 2);
    const startupMs = Date.now() - t;
    const firstExit = await first.exit;
    const backupMs = Date.now() - t;
    const copyMs = Math.max(50, backupMs - startupMs);
    if (firstExit.code !== 0) problems.push(`calibration backup exited ${firstExit.code}: ${first.output()}`);
    opts.progress(`crash/backup: a backup of ${store.items}+ items takes ${backupMs} ms under ingest (copying ${copyMs} ms); ${kills} kills of each kind (seed ${seed + 2})`);

    const checkCopy = (file: string, label: string) => {
      const r = checkStore(file, store.farm, store.feeds, [RULES_A, RULES_B]);
      copiesChecked++;
      for (const p of r.problems.slice(0, 5)) problems.push(`${label}: copy: ${p}`);
    };
    checkCopy(join(dir, 'calibration.db'), 'calibration');

    const dest = join(dir, 'killed.db');
    for (let k = 0; k < kills; k++) {
      // 1. `warta backup` killed part-way: no file or a whole one at dest; the daemon keeps serving meanwhile.
      const old = new Set(tempFiles(dir));
      const b = startBackup(store.config, dest);
      // A backup process spends its first ~half second starting node: aim at the copy itself, which begins
      // when its temp file appears.
      await waitFor(() => tempFiles(dir).some((f) => !old.has(f)) || b.child.exitCode !== null, 30_000, 2);
      await sleep(random() * copyMs * 0.6);
      const res = await get(`${store.base}/feeds/all.json`, 10_000);
      if (res.status === 200) servedDuring++;
      else failedServes++;
      b.child.kill('SIGKILL');
      const e = await b.exit;
      if (e.signal === 'SIGKILL') backupKills++;
      const present = existsSync(dest);
      if (present) checkCopy(dest, `backup kill ${k + 1}`);
      else copiesAbsent++;
      rmSync(dest, { force: true });

      // 2. The daemon killed while a backup copies: the backup must still finish with a sound copy.
      const dest2 = join(dir, `daemon-killed-${k}.db`);
      const before = new Set(tempFiles(dir));
      const b2 = startBackup(store.config, dest2);
      await waitFor(() => tempFiles(dir).some((f) => !before.has(f)) || b2.child.exitCode !== null, 30_000, 2);
      await sleep(random() * copyMs);
      await run.kill();
      daemonKills++;
      const e2 = await b2.exit;
      if (e2.code !== 0) problems.push(`daemon kill ${k + 1}: the backup exited ${e2.code ?? e2.signal}: ${b2.output().slice(0, 300)}`);
      else checkCopy(dest2, `daemon kill ${k + 1}`);
      const live = checkStore(store.db, store.farm, store.feeds, [RULES_A, RULES_B]);
      for (const p of live.problems.slice(0, 5)) problems.push(`daemon kill ${k + 1}: live database: ${p}`);
      run = new DaemonRun(store.base, store.config, ['--log-level', 'warn']);
      if (!(await run.untilServing())) problems.push(`daemon kill ${k + 1}: the daemon did not come back: ${run.daemon.stderr.slice(0, 300)}`);
      opts.progress(`crash/backup: round ${k + 1}/${kills}: backup killed (${present ? 'copy present' : 'no copy'}), daemon killed during a backup (exit ${e2.code})`);
    }
    // The temp files the killed backups left are gone once a backup to their destination has run.
    leftBehind = tempFiles(dir).length;
    const final = startBackup(store.config, dest);
    const finalExit = await final.exit;
    if (finalExit.code !== 0) problems.push(`the final backup exited ${finalExit.code ?? finalExit.signal}: ${final.output().slice(0, 300)}`);
    else checkCopy(dest, 'final backup');
  } finally {
    clearInterval(publisher);
    await run.stop();
  }
  const leftovers = tempFiles(dir);
  if (leftovers.length > 0) problems.push(`temp files left after the final backup: ${leftovers.join(', ')}`);
  const live = checkStore(store.db, store.farm, store.feeds, [RULES_A, RULES_B]);
  problems.push(...live.problems.map((p) => `live database at the end: ${p}`));
  if (failedServes > 0) problems.push(`${failedServes} output requests failed while a backup ran`);
  return {
    name: 'crash/backup',
    ok: problems.length === 0,
    figures: {
      'backup kills': backupKills,
      'daemon kills during backup': daemonKills,
      'copies checked': copiesChecked,
      'killed backups with no copy': copiesAbsent,
      'temp files before the final backup': leftBehind,
      'temp files after it': leftovers.length,
      'outputs served during backups': `${servedDuring}/${servedDuring + failedServes}`,
      integrity: live.problems.some((p) => p.startsWith('integrity')) ? 'FAILED' : 'ok',
    },
    details: problems,
  };
}
