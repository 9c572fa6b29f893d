/**
 * The reliability suite: "nothing is lost and nothing hostile gets through".
 *   npx tsx test/reliability/run.ts [--short] [--only crash,faults,…] [--seed N] [--store postgres]
 * --short is the CI size (10 ingest kills, 3 kills landing mid re-tag and 3 of each kind mid-copy, 17 s of load;
 * under 3 minutes on 2 cores); the long run lands 100 of each. Builds dist/ first (the checks drive the real
 * `bin/warta.js`), prints one summary line per check with its figures, and exits 1 if any failed.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { REPO } from '../helpers/daemon.js';
import { prepareBigStore, type BigStore } from './big-store.js';
import { crashDuringIngest } from './crash.js';
import { crashDuringBackup } from './crash-backup.js';
import { backupPostgres } from './backup-pg.js';
import { crashDuringRetag } from './crash-retag.js';
import { crashDuringRetagPostgres } from './crash-retag-pg.js';
import { runFaults } from './faults.js';
import { runPostgresFaults } from './faults-pg.js';
import { runHostile } from './hostile.js';
import { runLoadCheck } from './load.js';
import { bounded, summaryLine, type CheckOptions, type CheckResult } from './lib.js';
import { runSanitizeCorpus } from './sanitize-corpus.js';
import { postgresUnavailable } from './pg-store.js';

// A run that seems stuck can be asked where it is: `kill -USR2 <pid>` writes a diagnostic report (the JS stack,
// libuv's handles: sockets, timers, child processes) to the temp dir, without stopping it.
process.report.reportOnSignal = true;
process.report.signal = 'SIGUSR2';
process.report.directory = tmpdir();

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('npx tsx test/reliability/run.ts [--short] [--only crash,retag,backup,faults,sanitize,hostile,load,properties] [--seed N] [--store postgres]');
  process.exit(0);
}
const short = args.includes('--short');
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : null;
const seedArg = args.includes('--seed') ? Number(args[args.indexOf('--seed') + 1]) : Date.now() % 1_000_000;

const store = args.includes('--store') ? args[args.indexOf('--store') + 1] : 'sqlite';
if (store !== 'sqlite' && store !== 'postgres') {
  console.log(`--store must be sqlite or postgres, not ${store}`);
  process.exit(2);
}
// The last progress line, for the failure of a check that ran past its bound.
let lastProgress = '(none yet)';
const opts: CheckOptions = {
  short,
  store,
  progress: (line) => {
    lastProgress = line;
    process.stderr.write(`  … ${line}\n`);
  },
};
// Every check is bounded as a whole as well as in each of its waits: one that runs past this fails, saying what it
// printed last and what the process was still waiting on, and the suite goes on (a hang is a failure, not a stall).
const CHECK_LIMIT_MS = (short ? 20 : 180) * 60_000;
if (store === 'postgres') {
  const reason = await postgresUnavailable();
  if (reason) {
    console.log(`FAIL --store postgres: ${reason}`);
    process.exit(1);
  }
}
// The checks with a PostgreSQL form (crash-retag-pg.ts, faults-pg.ts, backup-pg.ts); the others test nothing of
// the store (sanitizing, hostile input, serving under load, properties) and run with --store sqlite only.
const ON_POSTGRES = new Set(['crash', 'faults', 'retag', 'backup']);

/** Runs a command in the repo; resolves with its exit code and output (killed after 20 min: code null). */
function run(cmd: string, argv: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      out += `\n[run.ts: ${argv.slice(0, 2).join(' ')} still running after 20 min: killed]`;
      child.kill('SIGKILL');
    }, 20 * 60_000);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function properties(): Promise<CheckResult[]> {
  // --no-config: .mocharc's spec glob would add the whole suite.
  const r = await run(process.execPath, ['node_modules/mocha/bin/mocha.js', '--no-config', '--node-option', 'import=tsx', '--extension', 'ts', '--timeout', '60000', '--reporter', 'dot', 'test/reliability/properties.test.ts']);
  const passing = Number(/(\d+) passing/.exec(r.out)?.[1] ?? 0);
  const failing = Number(/(\d+) failing/.exec(r.out)?.[1] ?? 0);
  return [{ name: 'fuzz/properties', ok: r.code === 0, figures: { passing, failing }, details: r.code === 0 ? [] : [r.out.slice(-6000)] }];
}

// The re-tag and backup checks share one big store (filling it takes a while).
let big: Promise<BigStore> | null = null;
const bigStore = () => (big ??= prepareBigStore(short).then((b) => (opts.progress(`big store: ${b.items} items filled by warta fetch in ${b.fillMs} ms`), b)));

const CHECKS: [name: string, run: () => Promise<CheckResult | CheckResult[]>][] = [
  ['crash', () => crashDuringIngest(opts, seedArg)],
  ['retag', async () => (store === 'postgres' ? crashDuringRetagPostgres(opts, seedArg) : crashDuringRetag(opts, await bigStore(), seedArg))],
  ['backup', async () => (store === 'postgres' ? backupPostgres(opts, seedArg) : crashDuringBackup(opts, await bigStore(), seedArg))],
  ['faults', () => (store === 'postgres' ? runPostgresFaults(opts) : runFaults(opts))],
  ['sanitize', () => runSanitizeCorpus(opts)],
  ['hostile', () => runHostile(opts)],
  ['load', () => runLoadCheck(opts)],
  ['properties', properties],
];

const started = Date.now();
const build = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
if (build.code !== 0) {
  console.log(`FAIL build: tsc exited ${build.code}\n${build.out}`);
  process.exit(1);
}
const results: CheckResult[] = [];
for (const [name, check] of CHECKS) {
  if (only && !only.has(name)) continue;
  if (store === 'postgres' && !ON_POSTGRES.has(name)) {
    console.log(`SKIP ${name}: tests nothing of the store (runs with --store sqlite)`);
    continue;
  }
  const t = Date.now();
  process.stderr.write(`• ${name}\n`);
  let out: CheckResult[];
  try {
    const r = await bounded(
      () => `the ${name} check (its last progress line: ${lastProgress}; still waiting on: ${process.getActiveResourcesInfo().join(', ') || 'nothing'})`,
      CHECK_LIMIT_MS,
      check(),
    );
    out = Array.isArray(r) ? r : [r];
  } catch (err) {
    out = [{ name, ok: false, figures: { error: (err as Error).message }, details: [(err as Error).stack ?? String(err)] }];
  }
  for (const r of out) {
    results.push(r);
    console.log(`${summaryLine(r)} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    if (!r.ok) for (const d of (r.details ?? []).slice(0, 15)) console.log(`    ${d}`);
  }
}
const filled = big as Promise<BigStore> | null;
if (filled) await (await filled).close();
const failed = results.filter((r) => !r.ok);
console.log(`${failed.length === 0 ? 'PASS' : 'FAIL'} reliability${short ? ' --short' : ''}${store === 'postgres' ? ' --store postgres' : ''}: ${results.length - failed.length}/${results.length} checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed.length === 0 ? 0 : 1);
