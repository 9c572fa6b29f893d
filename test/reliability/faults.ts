/**
 * Faults the daemon must ride out: a full disk, a database locked by another process, its config file deleted or
 * made unreadable while it runs, and clock jumps (clock.ts). Each runs the real daemon against a ledger farm
 * whose feeds keep growing, so "ingest resumes" is seen as new items reaching the store.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { checkClockJumps } from './clock.js';
import { DaemonRun } from './daemon-run.js';
import { checkConfigLoss } from './faults-config.js';
import { checkStore, RULES_A } from './invariants.js';
import { get, openReadOnly, sleep, waitFor, type CheckOptions, type CheckResult } from './lib.js';
import { makeRig } from './rig.js';

/** Log lines at warn or above whose text matches `re`. */
function loudLogs(run: DaemonRun, re: RegExp): string[] {
  return run
    .logs()
    .filter((l) => ['warn', 'error', 'fatal'].includes(String(l.level)) && re.test(JSON.stringify(l)))
    .map((l) => `${String(l.msg)}: ${JSON.stringify((l.err as { message?: string } | undefined)?.message ?? l.problems ?? '')}`);
}

/**
 * The daemon's clear account of a full disk: a refresh recorded as failed with error code `storage` (warn
 * "refresh failed"), or, when even that bookkeeping could not be written, the error line saying so.
 */
function diskFullLogs(run: DaemonRun): string[] {
  return run
    .logs()
    .filter((l) => {
      const error = l.error as { code?: string; message?: string } | undefined;
      return (l.msg === 'refresh failed' || String(l.msg).startsWith('refresh failed on storage')) && error?.code === 'storage' && /full/i.test(error.message ?? '');
    })
    .map((l) => `${String(l.msg).split(':')[0]}: ${(l.error as { message: string }).message}`);
}

/** Sources whose status (GET /api/sources) shows a storage error. */
async function storageErrors(base: string): Promise<string[]> {
  const r = await get(`${base}/api/sources`, 5000);
  if (r.status !== 200) return [];
  const list = JSON.parse(r.body) as { id: string; last_error: { code: string; message: string } | null }[];
  return list.filter((s) => s.last_error?.code === 'storage').map((s) => `${s.id}: ${s.last_error!.message}`);
}

// Outputs come from the render cache: a lock elsewhere may cost a few of SQLite's 20 ms busy waits, not seconds.
const WORST_LOCKED_RESPONSE_MS = 1000;

/** Sources whose row in the database records a storage error (a second, read-only connection). */
function storageRows(db: string): number {
  const c = openReadOnly(db);
  try {
    return c.prepare("SELECT count(*) FROM sources WHERE last_error_code = 'storage'").pluck().get() as number;
  } finally {
    c.close();
  }
}

/** Outputs answered 200 in `n` tries spread over `ms`. */
async function serves(base: string, n: number, ms: number): Promise<{ ok: number; worstMs: number; all: string }> {
  let ok = 0;
  let worstMs = 0;
  const all: string[] = [];
  for (let k = 0; k < n; k++) {
    const r = await get(`${base}/feeds/all.json`, 10_000);
    if (r.status === 200) ok++;
    all.push(`${r.status}/${r.ms}`);
    worstMs = Math.max(worstMs, r.ms);
    await sleep(ms / n);
  }
  return { ok, worstMs, all: all.join(' ') };
}

/**
 * Disk full: the database on a small tmpfs; items keep coming until writes fail. The daemon must say so in its
 * log (refreshes recorded as failed with error `storage`, never "refresh crashed"), show it on GET /api/sources,
 * keep serving, stay sound, and ingest again once the filesystem grows. A source's row is on the same full disk:
 * when even that small write fails, the daemon shows the failure from memory (so `warta sources`, which reads
 * the file, cannot); the figures say how many sources have it in the database too.
 */
export async function checkDiskFull(opts: CheckOptions): Promise<CheckResult> {
  const tmp = tempDir('warta-disk-');
  const mnt = join(tmp.dir, 'disk');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (err) {
    tmp.cleanup();
    // SQLite's max_page_count is per connection (not stored in the file), so a second connection cannot cap the
    // daemon's: without a mount there is no honest way to fill its disk.
    return { name: 'faults/disk-full', ok: true, figures: { skipped: `cannot mount a tmpfs (${(err as Error).message.split('\n')[0]})` } };
  }
  const rig = await makeRig(10, { dbDir: mnt, descWords: 600 });
  const problems: string[] = [];
  const run = new DaemonRun(rig.base, rig.config);
  const figures: CheckResult['figures'] = {};
  const publisher = setInterval(() => {
    for (let f = 0; f < rig.feeds; f++) rig.farm.publish(f, 15);
  }, 400);
  try {
    await run.untilServing();
    const full = await waitFor(() => diskFullLogs(run).length > 0 || !run.alive, 60_000);
    const errors = diskFullLogs(run);
    figures['error logged'] = errors[0] ?? 'none';
    if (!full || errors.length === 0) problems.push(`no storage error for a full disk in the log within 60 s (alive: ${run.alive}): ${loudLogs(run, /./).slice(0, 3).join(' | ')} ${run.daemon.stderr.slice(0, 500)}`);
    let shown: string[] = [];
    await waitFor(async () => (shown = await storageErrors(rig.base)).length > 0, 10_000, 250);
    figures['/api/sources while full'] = shown.length ? `${shown.length}/${rig.feeds} sources show ${shown[0]}` : 'no source shows a storage error';
    figures['of which in the database'] = storageRows(rig.db);
    if (shown.length === 0) problems.push('GET /api/sources showed no storage error within 10 s of the disk filling');
    clearInterval(publisher);
    const during = await serves(rig.base, 10, 2000);
    figures['served while full'] = `${during.ok}/10`;
    if (during.ok < 10) problems.push(`outputs answered ${during.ok}/10 while the disk was full`);
    if (!run.alive) problems.push(`the daemon died: exit ${run.daemon.child.exitCode ?? run.daemon.child.signalCode}: ${run.daemon.stderr.slice(-500)}`);
    const before = rig.stored();
    figures['items when full'] = before;
    execFileSync('mount', ['-o', 'remount,size=128m', mnt]);
    for (let f = 0; f < rig.feeds; f++) rig.farm.publish(f, 1);
    const resumed = await waitFor(() => rig.stored() > before, 40_000, 250);
    figures['ingest resumed'] = resumed ? `yes (${rig.stored() - before} items after freeing space)` : 'NO';
    if (!resumed) problems.push('no new item stored within 40 s after the filesystem grew');
    const crashed = loudLogs(run, /refresh crashed/);
    figures['refresh crashed lines'] = crashed.length;
    if (crashed.length > 0) problems.push(`refreshes escaped as "refresh crashed" instead of being recorded: ${crashed.slice(0, 3).join(' | ')}`);
    // Exit code only reported: a per-second schedule makes SIGTERM exit 1 (regressions.test.ts).
    figures['SIGTERM exit'] = String(await run.stop());
    const store = checkStore(rig.db, rig.farm, rig.feeds, [RULES_A]);
    figures.integrity = store.problems.some((p) => p.startsWith('integrity')) ? 'FAILED' : 'ok';
    problems.push(...store.problems);
  } finally {
    clearInterval(publisher);
    await run.kill();
    await rig.close();
    try {
      execFileSync('umount', [mnt]);
    } catch {
      /* already gone */
    }
    tmp.cleanup();
  }
  return { name: 'faults/disk-full', ok: problems.length === 0, figures, details: problems };
}

/**
 * Another process holds the database: a long read transaction (WAL: writers go on), then an exclusive write
 * lock for 3 s and for 8 s. The daemon's writes wait for it between timers (db/busy.ts: 20 ms of SQLite's own,
 * event-loop-blocking busy wait per try, up to 30 s in all), so outputs, served from the render cache, keep
 * answering within WORST_LOCKED_RESPONSE_MS. The daemon must not crash, and ingest must resume after each.
 */
export async function checkLocked(opts: CheckOptions): Promise<CheckResult> {
  const rig = await makeRig(8);
  const problems: string[] = [];
  const figures: CheckResult['figures'] = {};
  const run = new DaemonRun(rig.base, rig.config);
  const publisher = setInterval(() => rig.farm.publish(Math.floor(Math.random() * rig.feeds), 1), 200);
  const other = () => {
    const c = new Database(rig.db);
    c.pragma('busy_timeout = 10000');
    return c;
  };
  try {
    await run.untilServing();
    await waitFor(() => rig.stored() > 0, 20_000);
    // 1. A long reader.
    let c = other();
    c.prepare('BEGIN').run();
    c.prepare('SELECT count(*) FROM items').get();
    let before = rig.stored();
    const readerOk = await waitFor(() => rig.stored() > before, 20_000, 200);
    c.prepare('COMMIT').run();
    c.close();
    figures['ingest under a long reader'] = readerOk ? 'yes' : 'NO';
    if (!readerOk) problems.push('no item stored while another process held a read transaction');

    // --short keeps the longer lock only.
    for (const holdMs of opts.short ? [8000] : [3000, 8000]) {
      c = other();
      c.prepare('BEGIN EXCLUSIVE').run();
      const heldAt = Date.now();
      const held = c;
      // Released on time whatever the requests below are doing.
      const released = new Promise<void>((resolve) => setTimeout(() => (held.prepare('COMMIT').run(), held.close(), resolve()), holdMs));
      const during = await serves(rig.base, 8, holdMs);
      await released;
      before = rig.stored();
      const resumed = await waitFor(() => rig.stored() > before, 30_000, 200);
      opts.progress(`faults/db-locked: ${holdMs} ms lock: responses ${during.all}`);
      figures[`exclusive ${holdMs / 1000} s`] = `served ${during.ok}/8 (worst ${during.worstMs} ms), resumed ${resumed ? 'yes' : 'NO'} after ${Date.now() - heldAt - holdMs} ms`;
      if (!resumed) problems.push(`no item stored within 30 s after a ${holdMs} ms exclusive lock ended`);
      if (during.ok < 8) problems.push(`outputs answered ${during.ok}/8 under a ${holdMs} ms lock: ${during.all}`);
      if (during.worstMs >= WORST_LOCKED_RESPONSE_MS) problems.push(`an output took ${during.worstMs} ms under a ${holdMs} ms lock (bound ${WORST_LOCKED_RESPONSE_MS} ms): ${during.all}`);
      if (!run.alive) problems.push(`the daemon died under a ${holdMs} ms lock: ${run.daemon.stderr.slice(-500)}`);
    }
    const busy = loudLogs(run, /busy|locked/i);
    figures['lock errors logged'] = busy.length ? `${busy.length} (${busy[0]})` : 0;
    // Shorter than the 30 s budget: every write must have waited the lock out.
    if (busy.length > 0) problems.push(`writes failed under a lock shorter than the busy budget: ${busy.slice(0, 3).join(' | ')}`);
    // 2. Started while another process holds the write lock: it must wait or retry, not die.
    await run.stop();
    c = other();
    c.prepare('BEGIN EXCLUSIVE').run();
    const late = new DaemonRun(rig.base, rig.config);
    await sleep(3000);
    c.prepare('COMMIT').run();
    c.close();
    const up = await late.untilServing(15_000);
    figures['start under a 3 s lock'] = up ? 'started' : `exit ${late.daemon.child.exitCode}: ${late.daemon.stderr.split('\n')[0]}`;
    if (!up) problems.push(`the daemon started while the database was locked for 3 s did not come up: ${late.daemon.stderr.slice(0, 500)}`);
    await late.stop();
    const store = checkStore(rig.db, rig.farm, rig.feeds, [RULES_A]);
    figures.integrity = store.problems.some((p) => p.startsWith('integrity')) ? 'FAILED' : 'ok';
    problems.push(...store.problems);
  } finally {
    clearInterval(publisher);
    await run.kill();
    await rig.close();
  }
  return { name: 'faults/db-locked', ok: problems.length === 0, figures, details: problems };
}

/** Every fault check, in turn. */
export async function runFaults(opts: CheckOptions): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of [checkDiskFull, checkLocked, checkConfigLoss, checkClockJumps]) {
    const t = Date.now();
    out.push(await check(opts));
    opts.progress(`faults: ${check.name} took ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return out;
}
