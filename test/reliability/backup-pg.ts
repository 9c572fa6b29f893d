/**
 * Backups of a PostgreSQL store (`--store postgres`). `warta backup` copies SQLite files only; on PostgreSQL it
 * must refuse with a message naming the supported path, pg_dump, and write nothing. That path is then checked as
 * the README gives it: `pg_dump` of the schema while the daemon ingests (one snapshot: pg_dump reads in a single
 * repeatable-read transaction), restored under another name, must hold whole refreshes only (no feed with a gap
 * or a count it never had, every item with its tags), and a `warta fetch` on the restored copy must bring it to
 * every item published, each once. pg_dump and psql are the server's client tools (postgresql-client).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runWarta } from '../helpers/daemon.js';
import { adminQuery, TEST_SERVER } from '../helpers/postgres.js';
import { DaemonRun } from './daemon-run.js';
import { makeRandom, sleep, type CheckOptions, type CheckResult } from './lib.js';
import { makePgRig } from './pg-rig.js';

// pg_dump and psql are killed after two minutes (a failure that names the command, not a hang).
const execBounded = promisify(execFile);
const run = (cmd: string, args: string[]) => execBounded(cmd, args, { timeout: 120_000, killSignal: 'SIGKILL' });
const FEEDS = 20;
const LEASE_S = 3;

/** `warta backup` on PostgreSQL, and pg_dump/restore rounds while the daemon ingests. */
export async function backupPostgres(opts: CheckOptions, seed: number): Promise<CheckResult> {
  const rounds = opts.short ? 3 : 20;
  const random = makeRandom(seed + 2);
  // A short lease: a dump carries the leases the daemon held at that moment (see below).
  const rig = await makePgRig({ feeds: FEEDS, initial: 50, storage: { lease: `${LEASE_S}s` }, prefix: 'warta-pgbackup-' });
  const { farm, schema } = rig;
  const problems: string[] = [];
  const restoredSchemas: string[] = [];
  try {
    const config = rig.config;
    // 1. The command itself: a clear refusal naming pg_dump, and no file.
    const target = join(rig.dir, 'backup.db');
    const refused = await runWarta(['backup', target, '--config', config]);
    const says = refused.stderr.trim();
    if (refused.code === 0) problems.push('warta backup exited 0 on a PostgreSQL store');
    if (!/pg_dump/.test(says)) problems.push(`warta backup's message does not name pg_dump: ${says.slice(0, 300)}`);
    if (existsSync(target)) problems.push('warta backup left a file behind on a PostgreSQL store');

    // 2. pg_dump while the daemon ingests, each dump restored under another name and checked.
    const daemon = new DaemonRun(rig.base, config);
    if (!(await daemon.untilServing(30_000))) problems.push('the daemon did not serve within 30 s');
    let k = 0;
    const publisher = setInterval(() => farm.publish(k++ % FEEDS, 1 + Math.floor(random() * 3)), 50);
    const dumpMs: number[] = [];
    let restoredItems = 0;
    try {
      for (let r = 0; r < rounds; r++) {
        await sleep(500 + random() * 1500);
        const file = join(rig.dir, `dump-${r}.sql`);
        const t = Date.now();
        await run('pg_dump', ['--no-owner', '--no-privileges', '--schema', schema.name, '--file', file, TEST_SERVER]);
        dumpMs.push(Date.now() - t);
        // Restored under a fresh name (the dump qualifies every object with its schema's random name).
        const name = `${schema.name}_r${r}`;
        restoredSchemas.push(name);
        writeFileSync(file, readFileSync(file, 'utf8').replaceAll(schema.name, name));
        await run('psql', ['--quiet', '--no-psqlrc', '--set', 'ON_ERROR_STOP=1', '--file', file, TEST_SERVER]);
        const restored = await rig.inspect(false, name);
        restoredItems += restored.items;
        for (const p of restored.problems.slice(0, 5)) problems.push(`dump ${r + 1} (${restored.items} items): ${p}`);
        opts.progress(`backup (postgres): dump ${r + 1}/${rounds} in ${dumpMs.at(-1)} ms during ingest: ${restored.items} items restored, ${restored.problems.length} problems`);
      }
    } finally {
      clearInterval(publisher);
      if (!daemon.alive) problems.push('the daemon exited while it was dumped');
      await daemon.stop();
    }
    // The last copy is a working store: warta fetch on it stores what the farm published since, each item once.
    // It holds the leases of the sources the daemon was polling at the dump: they end within storage.lease (a
    // `warta fetch` sooner reports those sources as polled by another daemon), so the fetch waits that long.
    await sleep(LEASE_S * 1000 + 500);
    const last = restoredSchemas.at(-1)!;
    const lastUrl = `${TEST_SERVER}?options=${encodeURIComponent(`-c search_path=${last}`)}`;
    const fetched = await runWarta(['fetch', '--config', await rig.configFor(lastUrl, 'restored')]);
    if (fetched.code !== 0) problems.push(`warta fetch on the restored copy exited ${fetched.code}: ${fetched.stderr.slice(0, 400)}`);
    const final = await rig.inspect(true, last);
    problems.push(...final.problems.slice(0, 10).map((p) => `restored copy after warta fetch: ${p}`));
    return {
      name: 'backup (postgres): warta backup refuses, pg_dump restores',
      ok: problems.length === 0,
      figures: {
        'warta backup exit': refused.code ?? 'signal',
        'its message': says.slice(0, 140),
        'dumps during ingest': rounds,
        'dump ms (max)': Math.max(...dumpMs),
        'items restored (all dumps)': restoredItems,
        'restored copy after warta fetch': `${final.items} items, ${final.duplicates} duplicates`,
        seed,
      },
      details: problems,
    };
  } finally {
    for (const name of restoredSchemas) await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => {});
    await rig.close();
  }
}
