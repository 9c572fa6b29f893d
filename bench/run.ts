/**
 * The benchmark suite: `npm run bench` (everything, ~30-60 min on 2 cores) or `npm run bench -- --quick` (a few
 * minutes: smaller farms, one round). No network: every feed comes from bench/farm.ts on 127.0.0.1; newsboat and
 * nginx are Debian's (`apt-get install -y newsboat nginx-light`) and skipped with a message where absent.
 * Prints a table, writes bench/results.json (gitignored); `--write-md` also puts the table into BENCHMARKS.md,
 * `--md-only` puts the last results.json's table there without measuring.
 * Claims are ratios and medians from one run, side by side; nothing here is asserted (not part of `npm test`).
 */
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChangedDaemon } from './changed-daemon.js';
import { startFarm } from './farm.js';
import { median, runFetch, writeConfig } from './lib.js';
import { describeMemory, runMemory } from './memory.js';
import { missing, NEWSBOAT, newsboatReload } from './peers.js';
import { measureServing } from './serve.js';

const quick = process.argv.includes('--quick');
const writeMd = process.argv.includes('--write-md');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const ROUNDS = quick ? 1 : 3;
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** One line of the table: warta's figure, the peer's, and warta's advantage (> 1: warta better). */
interface Row {
  group: string;
  what: string;
  warta: string;
  peer: string;
  ratio: string;
  note?: string;
}
const rows: Row[] = [];
const notes: string[] = [];
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const log = (l: string) => console.error(l);
const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `warta-bench-${name}-`));

async function ingest(feeds: number): Promise<void> {
  const cold: number[] = [];
  const nb: number[] = [];
  const repoll: number[] = [];
  const changed: number[] = [];
  const nbMissing = missing(NEWSBOAT, 'apt-get install -y newsboat');
  for (let round = 0; round < ROUNDS; round++) {
    const farm = await startFarm(feeds, 50);
    const dir = tempDir('ingest');
    try {
      const config = writeConfig(dir, farm.urls, { logLevel: 'warn' });
      const c = await runFetch(config);
      cold.push(c.inserted / c.secs);
      const r = await runFetch(config);
      repoll.push(r.secs);
      farm.advance(5);
      farm.build(); // the timed fetch measures warta, not the farm building 5 new items into every feed
      const ch = await runFetch(config);
      changed.push(ch.inserted / ch.secs);
      farm.advance(-5); // newsboat reads the same documents warta's cold ingest read
      if (!nbMissing) nb.push((feeds * 50) / (await newsboatReload(dir, farm.urls)));
      log(`ingest ${feeds}: round ${round + 1}: warta ${fmt(c.inserted / c.secs)} items/s (${c.inserted} in ${c.secs.toFixed(1)} s)${nb.length ? `, newsboat ${fmt(nb.at(-1)!)} items/s` : ''}; 304 ${r.secs.toFixed(2)} s; +5/50 ${ch.inserted} new in ${ch.secs.toFixed(2)} s`);
    } finally {
      await farm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  rows.push({ group: 'ingest', what: `cold, ${fmt(feeds)} feeds × 50 items (items/s)`, warta: fmt(median(cold)), peer: nb.length ? `newsboat ${fmt(median(nb))}` : 'newsboat: absent', ratio: nb.length ? `${fmt(median(cold) / median(nb), 2)}×` : '-' });
  rows.push({ group: 'ingest', what: `all-304 re-poll of ${fmt(feeds)} feeds (s, process start included)`, warta: fmt(median(repoll), 2), peer: '', ratio: '' });
  rows.push({ group: 'ingest', what: `+5 of 50 items per feed, ${fmt(feeds)} feeds (new items/s)`, warta: fmt(median(changed)), peer: '', ratio: '' });
  if (nbMissing) notes.push(nbMissing);
}

/**
 * The serving cases (bench/serve.ts): warta's cached outputs against nginx serving the same bytes, alternating,
 * with each server's CPU time per request beside the req/s (steadier than req/s on a shared machine).
 */
async function serve(): Promise<void> {
  const cases = await measureServing({ seconds: quick ? 3 : 8, rounds: ROUNDS, log, notes });
  for (const c of cases) {
    const peer = c.nginx ? `${c.kind === '304' ? 'nginx 200' : 'nginx'} ${fmt(c.nginx.rps)}` : 'nginx: absent';
    const cpu = `CPU per request: warta ${fmt(c.warta.cpuUs, 1)} µs${c.nginx ? `, nginx ${fmt(c.nginx.cpuUs, 1)} µs` : ''}`;
    rows.push({ group: 'serve', what: c.what, warta: fmt(c.warta.rps), peer, ratio: c.nginx ? `${fmt(c.warta.rps / c.nginx.rps, 2)}×` : '-', note: cpu });
  }
}

async function startup(feeds: number): Promise<void> {
  const m = await runMemory(feeds, 50, quick ? 10 : 30, { progress: log });
  log(describeMemory(m));
  const farm = await startFarm(feeds, 50);
  const dir = tempDir('startup');
  let fetchSecs: number;
  try {
    fetchSecs = (await runFetch(writeConfig(dir, farm.urls, { logLevel: 'warn' }))).secs;
  } finally {
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push({ group: 'start-up', what: `daemon start-up poll of ${fmt(feeds)} feeds × 50 (s)`, warta: fmt(m.startupSecs, 1), peer: `warta fetch ${fmt(fetchSecs, 1)}`, ratio: `${fmt(m.startupSecs / fetchSecs, 2)}× of fetch`, note: 'target ≤ 1.5×' });
  rows.push({ group: 'start-up', what: `p99 during that poll: /healthz, /feeds/all.rss (ms)`, warta: `${fmt(m.healthzP99Ms)} / ${fmt(m.feedP99Ms)}`, peer: '', ratio: '', note: 'target ≤ 50 ms' });
  rows.push({ group: 'memory', what: `daemon, ${fmt(feeds)} sources × 50 items: settled RSS (anon + file) / peak (MiB)`, warta: `${fmt(m.settled.rss)} (${fmt(m.settled.anon)} + ${fmt(m.settled.file)}) / ${fmt(m.peakMb)}`, peer: '', ratio: '', note: `heap used ${fmt(m.heapUsedMb)} MiB, external ${fmt(m.externalMb)} MiB` });
}

async function itemGrowth(feeds: number): Promise<void> {
  const few = await runMemory(feeds, 10, 10, { progress: log });
  const many = await runMemory(feeds, 100, 10, { progress: log });
  rows.push({ group: 'memory', what: `daemon, ${fmt(feeds)} sources: settled RSS with 10 vs 100 items each (MiB)`, warta: `${fmt(few.settled.rss)} → ${fmt(many.settled.rss)}`, peer: '', ratio: `${fmt(many.settled.rss / few.settled.rss, 2)}×`, note: `anon ${fmt(few.settled.anon)} → ${fmt(many.settled.anon)}` });
}

async function costCurve(sizes: number[]): Promise<void> {
  const per: string[] = [];
  for (const feeds of sizes) {
    const farm = await startFarm(feeds, 50);
    const dir = tempDir('curve');
    try {
      const c = await runFetch(writeConfig(dir, farm.urls, { logLevel: 'warn' }));
      per.push(`${fmt(feeds)}: ${fmt(c.secs, 1)} s (${fmt((c.secs * 1000) / feeds, 1)} ms/feed)`);
      log(`cost curve: ${per.at(-1)}`);
    } finally {
      await farm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  rows.push({ group: 'cost curve', what: 'cold `warta fetch`, feeds × 50 items', warta: per.join('; '), peer: '', ratio: '' });
}

/**
 * The changed poll in the daemon (a cron tick after every feed published 5 of 50 items: bench/changed-daemon.ts)
 * beside the one-shot `warta fetch` of the same change on the same database, which pays process start-up.
 */
async function changed(feeds: number): Promise<void> {
  const daemon: number[] = [];
  const cpu: number[] = [];
  const fetch: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await runChangedDaemon(feeds, 50, { progress: log });
    const p = r.polls.at(-1)!;
    daemon.push(p.inserted / p.secs);
    cpu.push((p.cpuSecs / p.inserted) * 1e6);
    fetch.push(r.fetch.inserted / r.fetch.secs);
    log(`changed ${feeds}: round ${round + 1}: daemon ${fmt(p.inserted / p.secs)} new items/s (CPU ${fmt((p.cpuSecs / p.inserted) * 1e6)} µs/new item), warta fetch ${fmt(r.fetch.inserted / r.fetch.secs)} new items/s`);
  }
  rows.push({ group: 'ingest', what: `+5 of 50 per feed, ${fmt(feeds)} feeds, daemon's cron poll (new items/s)`, warta: fmt(median(daemon)), peer: `warta fetch ${fmt(median(fetch))}`, ratio: `${fmt(median(daemon) / median(fetch), 2)}× of fetch`, note: `target ≥ 3,000; daemon CPU ${fmt(median(cpu))} µs/new item` });
}

const sections: [string, () => Promise<void>][] = [
  ['ingest', async () => { for (const n of quick ? [300] : [300, 1000]) await ingest(n); }],
  ['changed', async () => { for (const n of quick ? [300] : [300, 1000]) await changed(n); }],
  ['serve', serve],
  ['startup', () => startup(quick ? 1000 : 10_000)],
  ['growth', () => itemGrowth(quick ? 300 : 1000)],
  ['curve', () => costCurve(quick ? [100, 300, 1000] : [100, 1000, 10_000])],
];

/** What a run leaves in bench/results.json. */
interface Results {
  started: string;
  command: string;
  machine: string;
  quick: boolean;
  rows: Row[];
  notes: string[];
}

function tableOf(r: Results): string {
  const head = '| group | what | warta | peer | warta/peer | note |\n|---|---|---|---|---|---|';
  return [head, ...r.rows.map((x) => `| ${x.group} | ${x.what} | ${x.warta} | ${x.peer} | ${x.ratio} | ${x.note ?? ''} |`)].join('\n');
}

/** Replaces the block between the bench markers in BENCHMARKS.md with the table of `r`. */
function writeBenchmarksMd(r: Results): void {
  const md = join(HERE, '..', 'BENCHMARKS.md');
  const text = readFileSync(md, 'utf8');
  const when = `${r.started.slice(0, 16).replace('T', ' ')} UTC`;
  const block = `<!-- bench:start -->\nLatest \`${r.command}\`, started ${when}, on ${r.machine}.\n\n${tableOf(r)}\n${r.notes.map((n) => `\n- ${n}`).join('')}\n<!-- bench:end -->`;
  if (!/<!-- bench:start -->[\s\S]*<!-- bench:end -->/.test(text)) throw new Error('BENCHMARKS.md has no <!-- bench:start --> … <!-- bench:end --> block');
  writeFileSync(md, text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, () => block));
  console.error('BENCHMARKS.md updated');
}

const RESULTS = join(HERE, 'results.json');
if (process.argv.includes('--md-only')) {
  // The table of the last run (bench/results.json) into BENCHMARKS.md, without measuring again.
  writeBenchmarksMd(JSON.parse(readFileSync(RESULTS, 'utf8')) as Results);
} else {
  const started = new Date();
  for (const [name, run] of sections) {
    if (only && !only.includes(name)) continue;
    try {
      await run();
    } catch (err) {
      notes.push(`${name}: failed: ${err instanceof Error ? err.message : String(err)}`);
      log(`${name} failed: ${String(err)}`);
    }
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
  const command = `npm run bench${process.argv.slice(2).filter((a) => a !== '--write-md').length ? ` -- ${process.argv.slice(2).filter((a) => a !== '--write-md').join(' ')}` : ''}`;
  const results: Results = { started: started.toISOString(), command, machine, quick, rows, notes };
  console.log(`\n${command} — ${results.started} — ${machine}\n\n${tableOf(results)}\n${notes.map((n) => `\nnote: ${n}`).join('')}`);
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
  if (writeMd) writeBenchmarksMd(results);
}
