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
import { get, sleep, waitFor, type CheckOptions, type CheckResult } from './lib.js';
import { makeRig } from './rig.js';

/** Log lines at warn or above whose text matches `re`. */
function loudLogs(run: DaemonRun, re: RegExp): string[] {
  return run
    .logs()
    .filter((l) => ['warn', 'error', 'fatal'].includes(String(l.level)) && re.test(JSON.stringify(l)))
    .map((l) => `${String(l.msg)}: ${JSON.stringify((l.err as { message?: string } | undefined)?.message ?? l.problems ?? '')}`);
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
 * log, keep serving, stay sound, and ingest again once the filesystem grows.
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
    const full = await waitFor(() => loudLogs(run, /full|SQLITE_FULL|ENOSPC|no space/i).length > 0 || !run.alive, 60_000);
    const errors = loudLogs(run, /full|SQLITE_FULL|ENOSPC|no space/i);
    figures['error logged'] = errors[0] ?? 'none';
    if (!full || errors.length === 0) problems.push(`no disk-full error in the log within 60 s (alive: ${run.alive}): ${run.daemon.stderr.slice(0, 500)}`);
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
 * lock for 3 s (under the 5 s busy timeout: the write waits) and for 8 s (over it: that refresh fails, the next
 * tick retries). The daemon must not crash, and ingest must resume after each.
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

    // Under the busy timeout (waits) and over it (fails, retried); --short keeps the second only.
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
      if (!run.alive) problems.push(`the daemon died under a ${holdMs} ms lock: ${run.daemon.stderr.slice(-500)}`);
    }
    const busy = loudLogs(run, /busy|locked/i);
    figures['lock errors logged'] = busy.length ? `${busy.length} (${busy[0]})` : 0;
    // The busy wait is synchronous (better-sqlite3): every queued write blocks the event loop up to 5 s in turn.
    figures['note'] = 'outputs stall while a write waits on the lock (synchronous busy_timeout)';
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
