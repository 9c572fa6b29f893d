/**
 * SIGKILL during a backup, both ways round, while the daemon ingests: `warta backup` killed part-way must leave
 * no file at the destination (or a whole one) and the live database untouched; the daemon killed while a backup
 * copies must not spoil the copy. Every copy that exists must pass integrity_check and hold only whole refreshes.
 *
 * A copy of the big store takes a tenth of a second after a backup process has spent most of a second starting,
 * so kills are aimed at the copy itself: it begins when the backup's temp file appears, and while it runs SQLite
 * holds a write transaction on that file, whose `-journal` exists until the copy commits. A kill landed mid-copy
 * when that journal exists after it. The check fails unless `required` kills of each kind did.
 *
 * The killed backups all aim at one destination, so each next backup there must have removed the temp files the
 * last one left (their process is dead) before its own copy starts, and a final backup to it must leave none.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
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
type Backup = ReturnType<typeof startBackup>;

/** backup.ts's temp files (`.<name>.<pid>.<random>.tmp` and SQLite's files beside them) in `dir`. */
const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('.') && f.includes('.tmp'));
/** The temp databases (not their journals) of backups to `dest`. */
const tempsFor = (dest: string) => tempFiles(join(dest, '..')).filter((f) => f.startsWith(`.${basename(dest)}.`) && f.endsWith('.tmp'));

/** Waits for the temp file of backup `b` to `dest` (its copy has begun); its path, or null if it exited first. */
async function copyBegun(b: Backup, dest: string): Promise<string | null> {
  const prefix = `.${basename(dest)}.${b.child.pid}.`;
  let temp: string | null = null;
  await waitFor(() => {
    temp = tempsFor(dest).find((f) => f.startsWith(prefix)) ?? null;
    return temp !== null || b.child.exitCode !== null || b.child.signalCode !== null;
  }, 30_000, 2);
  return temp === null ? null : join(dest, '..', temp);
}

/** Kills of `warta backup` and of the daemon during one, on `store`. */
export async function crashDuringBackup(opts: CheckOptions, store: BigStore, seed: number): Promise<CheckResult> {
  const required = opts.short ? 3 : 100;
  // Rounds whose kills miss the copy are repeated, up to this many rounds.
  const maxRounds = Math.ceil(required * 1.6) + 4;
  const random = makeRandom(seed + 2);
  const problems: string[] = [];
  const dir = join(store.dir, 'backups');
  mkdirSync(dir, { recursive: true });
  // Polled every second while backups run, with new items arriving, so copies are taken under write load.
  store.writeRules(store.rules(), '* * * * * *');
  const publisher = setInterval(() => store.farm.publish(Math.floor(random() * store.feeds), 1 + Math.floor(random() * 3)), 100);
  let run = new DaemonRun(store.base, store.config, ['--log-level', 'warn']);
  let copiesChecked = 0;
  let backupKills = 0;
  let backupMid = 0;
  let backupAfterCopy = 0;
  let backupWhole = 0;
  let daemonKills = 0;
  let daemonMid = 0;
  let servedDuring = 0;
  let failedServes = 0;
  let tempsLeft = 0;
  let tempsRemoved = 0;
  let leftBehind = 0;
  let rounds = 0;
  try {
    await run.untilServing();
    const calibration = join(dir, 'calibration.db');
    const t = Date.now();
    const first = startBackup(store.config, calibration);
    const temp = await copyBegun(first, calibration);
    const begunAt = Date.now();
    await waitFor(() => temp === null || !existsSync(`${temp}-journal`), 30_000, 2);
    const copyMs = Math.max(20, Date.now() - begunAt);
    const firstExit = await first.exit;
    const backupMs = Date.now() - t;
    if (firstExit.code !== 0 || temp === null) problems.push(`calibration backup exited ${firstExit.code} (temp file seen: ${temp !== null}): ${first.output()}`);
    opts.progress(`crash/backup: a backup of ${store.items}+ items takes ${backupMs} ms under ingest, its copy ${copyMs} ms; rounds until ${required} kills of each kind land mid-copy, at most ${maxRounds} (seed ${seed + 2})`);

    const checkCopy = (file: string, label: string) => {
      const r = checkStore(file, store.farm, store.feeds, [RULES_A, RULES_B]);
      copiesChecked++;
      for (const p of r.problems.slice(0, 5)) problems.push(`${label}: copy: ${p}`);
    };
    checkCopy(calibration, 'calibration');
    rmSync(calibration);

    const dest = join(dir, 'killed.db');
    for (; (backupMid < required || daemonMid < required) && rounds < maxRounds; rounds++) {
      const k = rounds + 1;
      let backupSaw = '-';
      if (backupMid < required) {
        // 1. `warta backup` killed part-way: no file or a whole one at dest; the daemon keeps serving meanwhile.
        const stale = tempsFor(dest);
        const b = startBackup(store.config, dest);
        const temp = await copyBegun(b, dest);
        // The temp files a killed backup left are removed before the next backup's copy begins.
        const kept = stale.filter((f) => existsSync(join(dir, f)));
        if (temp !== null) {
          tempsRemoved += stale.length - kept.length;
          if (kept.length > 0) problems.push(`backup kill ${k}: the next backup to ${basename(dest)} began its copy with the temp files of killed backups still there: ${kept.join(', ')}`);
        }
        const served = get(`${store.base}/feeds/all.json`, 10_000);
        await sleep(random() * copyMs * 1.15);
        b.child.kill('SIGKILL');
        const e = await b.exit;
        const mid = temp !== null && existsSync(`${temp}-journal`);
        const present = existsSync(dest);
        if (e.signal === 'SIGKILL') backupKills++;
        else if (e.code !== 0) problems.push(`backup kill ${k}: the backup exited ${e.code} before the kill: ${b.output().slice(0, 300)}`);
        if (mid) backupMid++;
        else if (present) backupWhole++;
        else backupAfterCopy++;
        if (temp !== null && existsSync(temp)) tempsLeft++;
        if (mid && present) problems.push(`backup kill ${k}: a copy is at ${basename(dest)} although the backup was killed mid-copy`);
        if (present) checkCopy(dest, `backup kill ${k}`);
        rmSync(dest, { force: true });
        backupSaw = mid ? 'mid-copy' : present ? 'after the copy was published' : 'after the copy, before publishing';
        const res = await served;
        if (res.status === 200) servedDuring++;
        else failedServes++;
      }

      let daemonSaw = '-';
      if (daemonMid < required) {
        // 2. The daemon killed while a backup copies: the backup must still finish with a sound copy.
        const dest2 = join(dir, `daemon-killed-${k}.db`);
        const b2 = startBackup(store.config, dest2);
        const temp = await copyBegun(b2, dest2);
        await sleep(random() * copyMs * 1.15);
        // The copy's journal there just before the kill and still there once the daemon is dead: it spanned the kill.
        const copying = temp !== null && existsSync(`${temp}-journal`);
        run.daemon.child.kill('SIGKILL');
        const mid = copying && existsSync(`${temp}-journal`);
        await run.kill();
        daemonKills++;
        if (mid) daemonMid++;
        daemonSaw = mid ? 'mid-copy' : 'after the copy';
        const e2 = await b2.exit;
        if (e2.code !== 0) problems.push(`daemon kill ${k}: the backup exited ${e2.code ?? e2.signal}: ${b2.output().slice(0, 300)}`);
        else checkCopy(dest2, `daemon kill ${k}`);
        rmSync(dest2, { force: true });
        const live = checkStore(store.db, store.farm, store.feeds, [RULES_A, RULES_B]);
        for (const p of live.problems.slice(0, 5)) problems.push(`daemon kill ${k}: live database: ${p}`);
        run = new DaemonRun(store.base, store.config, ['--log-level', 'warn']);
        if (!(await run.untilServing())) problems.push(`daemon kill ${k}: the daemon did not come back: ${run.daemon.stderr.slice(0, 300)}`);
      }
      opts.progress(`crash/backup: round ${k}: backup killed ${backupSaw}, daemon killed ${daemonSaw}; mid-copy so far ${backupMid} and ${daemonMid} of ${required}`);
    }
    if (backupMid < required) problems.push(`only ${backupMid} of ${backupKills} kills of \`warta backup\` landed mid-copy; ${required} are required`);
    if (daemonMid < required) problems.push(`only ${daemonMid} of ${daemonKills} kills of the daemon landed while a backup copied; ${required} are required`);

    // The temp files the last killed backup left are gone once a backup to their destination has run, and it says so.
    leftBehind = tempsFor(dest).length;
    const final = startBackup(store.config, dest);
    const finalExit = await final.exit;
    if (finalExit.code !== 0) problems.push(`the final backup exited ${finalExit.code ?? finalExit.signal}: ${final.output().slice(0, 300)}`);
    else checkCopy(dest, 'final backup');
    const reported = Number(/removed (\d+) temp file/.exec(final.output())?.[1] ?? 0);
    if (reported !== leftBehind) problems.push(`the final backup reported ${reported} stale temp files removed; ${leftBehind} were there`);
    tempsRemoved += reported;
  } finally {
    clearInterval(publisher);
    await run.stop();
  }
  const leftovers = tempFiles(dir);
  if (leftovers.length > 0) problems.push(`temp files left after the final backup: ${leftovers.join(', ')}`);
  if (tempsRemoved !== tempsLeft) problems.push(`${tempsLeft} killed backups left a temp file, ${tempsRemoved} were removed by the backups after them`);
  const live = checkStore(store.db, store.farm, store.feeds, [RULES_A, RULES_B]);
  problems.push(...live.problems.map((p) => `live database at the end: ${p}`));
  if (failedServes > 0) problems.push(`${failedServes} output requests failed while a backup ran`);
  return {
    name: 'crash/backup',
    ok: problems.length === 0,
    figures: {
      rounds,
      'backup kills': backupKills,
      'backup kills mid-copy': backupMid,
      'after the copy (no file at dest)': backupAfterCopy,
      'after publishing (whole copy)': backupWhole,
      'daemon kills during backup': daemonKills,
      'daemon kills mid-copy': daemonMid,
      'mid-copy required (each)': required,
      'copies checked': copiesChecked,
      'stale temp files removed by the next backup': `${tempsRemoved}/${tempsLeft}`,
      'temp files before the final backup': leftBehind,
      'temp files after it': leftovers.length,
      'outputs served during backups': `${servedDuring}/${servedDuring + failedServes}`,
      integrity: live.problems.some((p) => p.startsWith('integrity')) ? 'FAILED' : 'ok',
    },
    details: problems,
  };
}
