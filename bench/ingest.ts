/**
 * Ingest benchmark: `warta fetch` (the real CLI) over a local farm of feeds, into a real SQLite file and, with
 * `--store postgres`, into PostgreSQL at 127.0.0.1:5432 too, side by side in the same run (a schema of its own,
 * dropped after).
 *   npx tsx bench/ingest.ts [feeds=1000] [items=50] [runs=3] [--store postgres] [--daemons N]
 * Reports per run: the cold ingest (every item new), the all-304 re-poll, and a poll where every feed gained 5
 * items; medians over runs. Compare with newsboat's ~1,450 items/s on the same farm shape (DEVELOPERS.md).
 * `--daemons N` (PostgreSQL): also N daemons (`warta start`) started together on one fresh schema, against one
 * daemon alone: the time until every item is stored (total items/s across them) and the per-source claim
 * latency from their /metrics (warta_claim_duration_seconds).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFarm, type Farm } from './farm.js';
import { timedFetch } from './lib.js';
import { freePort } from '../test/helpers/daemon.js';
import { adminQuery, postgresUnavailable, testSchema } from '../test/helpers/postgres.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const [feeds = 1000, items = 50, runs = 3] = positional.map(Number);
const withPostgres = flag('--store') === 'postgres';
const daemonCount = Number(flag('--daemons') ?? 0);
const BIN = fileURLToPath(new URL('../bin/warta.js', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const TAGS = `tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Putin\n    match: Putin\n`;
const sourcesYaml = (farm: Farm) => `sources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}`;

if (withPostgres || daemonCount > 0) {
  const reason = await postgresUnavailable();
  if (reason) {
    console.error(`--store postgres: ${reason}`);
    process.exit(1);
  }
}

type Results = { cold: number[]; notModified: number[]; changed: number[]; rssMb: number[] };
const stores: ('sqlite' | 'postgres')[] = withPostgres ? ['sqlite', 'postgres'] : ['sqlite'];
const results = new Map(stores.map((s) => [s, { cold: [], notModified: [], changed: [], rssMb: [] } as Results]));

for (let run = 0; run < runs; run++) {
  for (const store of stores) {
    const farm = await startFarm(feeds, items);
    const dir = mkdtempSync(join(tmpdir(), 'warta-bench-'));
    const schema = store === 'postgres' ? await testSchema() : null;
    const config = join(dir, 'w.yaml');
    const storage = schema ? `storage:\n  url: "${schema.url}"\n` : `storage:\n  path: "${join(dir, 'w.db')}"\n`;
    writeFileSync(config, `${storage}fetch:\n  concurrency: 32\n  per_host: 32\n${sourcesYaml(farm)}${TAGS}`);
    const fetchOnce = () => timedFetch(config);
    try {
      const c = await fetchOnce();
      const nm = await fetchOnce();
      farm.advance(5);
      farm.build(); // the timed fetch measures warta, not the farm building 5 new items into every feed
      const ch = await fetchOnce();
      const r = results.get(store)!;
      r.cold.push(c.inserted / c.secs);
      r.notModified.push(feeds / nm.secs);
      r.changed.push(ch.inserted / ch.secs);
      r.rssMb.push(c.rssMb);
      console.log(`run ${run + 1} ${store}: cold ${c.inserted} items in ${c.secs.toFixed(2)} s (${(c.inserted / c.secs).toFixed(0)} items/s, peak RSS ${c.rssMb.toFixed(0)} MB); ` +
        `all-304 ${feeds} feeds in ${nm.secs.toFixed(2)} s; +5/feed: ${ch.inserted} new in ${ch.secs.toFixed(2)} s`);
    } finally {
      await farm.close();
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
for (const [store, r] of results) {
  console.log(`${store}: median over ${runs}: cold ${median(r.cold).toFixed(0)} items/s (${(median(r.cold) / 1450).toFixed(1)}× newsboat's 1,450); ` +
    `304 re-poll ${median(r.notModified).toFixed(0)} feeds/s; changed ${median(r.changed).toFixed(0)} new items/s; peak RSS ${median(r.rssMb).toFixed(0)} MB`);
}
if (withPostgres) {
  const [s, p] = [results.get('sqlite')!, results.get('postgres')!];
  console.log(`postgres / sqlite: cold ${(median(p.cold) / median(s.cold)).toFixed(2)}×, 304 re-poll ${(median(p.notModified) / median(s.notModified)).toFixed(2)}×, changed ${(median(p.changed) / median(s.changed)).toFixed(2)}×`);
}

/** N daemons started together on one fresh schema: seconds until every item is stored, and their claim latency. */
async function daemonsIngest(n: number): Promise<{ secs: number; claimMeanMs: number; claimP99Ms: string; claims: number; polledBy: number[] }> {
  const farm = await startFarm(feeds, items);
  const schema = await testSchema();
  const dir = mkdtempSync(join(tmpdir(), 'warta-bench-'));
  const children: ChildProcess[] = [];
  try {
    const ports: number[] = [];
    const t = process.hrtime.bigint();
    for (let k = 0; k < n; k++) {
      const port = await freePort();
      ports.push(port);
      const config = join(dir, `w${k}.yaml`);
      writeFileSync(config, `server:\n  listen: "127.0.0.1:${port}"\n  base_url: "http://127.0.0.1:9"\nstorage:\n  url: "${schema.url}"\n  pool_size: 4\nfetch:\n  schedule: "0 0 1 1 *"\n  concurrency: 32\n  per_host: 32\nlog:\n  level: warn\n${sourcesYaml(farm)}${TAGS}`);
      children.push(spawn(process.execPath, [BIN, 'start', '--config', config], { stdio: 'ignore' }));
    }
    const expected = feeds * items;
    for (;;) {
      const stored = await adminQuery(`SELECT count(*)::int AS n FROM ${schema.name}.items`).then((r) => r.rows[0].n as number, () => 0);
      if (stored >= expected) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    let sum = 0;
    let count = 0;
    const buckets = new Map<number, number>();
    const polledBy: number[] = [];
    for (const port of ports) {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      sum += Number(/^warta_claim_duration_seconds_sum (\S+)$/m.exec(text)?.[1] ?? 0);
      count += Number(/^warta_claim_duration_seconds_count (\S+)$/m.exec(text)?.[1] ?? 0);
      for (const m of text.matchAll(/^warta_claim_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
        const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
        buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
      }
      polledBy.push([...text.matchAll(/^warta_fetches_total\{[^}]*outcome="updated"\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0));
    }
    const p99 = [...buckets.entries()].sort((a, b) => a[0] - b[0]).find(([, c]) => c >= 0.99 * count)?.[0] ?? Infinity;
    return { secs, claimMeanMs: count ? (sum / count) * 1000 : 0, claimP99Ms: p99 === Infinity ? '>1000' : `≤${p99 * 1000}`, claims: count, polledBy };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
    await farm.close();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (daemonCount > 0) {
  for (const n of [1, daemonCount]) {
    const r = await daemonsIngest(n);
    console.log(`${n} daemon(s) on one PostgreSQL schema, start-up ingest of ${feeds * items} items: ${r.secs.toFixed(2)} s from spawn (${((feeds * items) / r.secs).toFixed(0)} items/s in total); ` +
      `${r.claims} claim statements, mean ${r.claimMeanMs.toFixed(2)} ms, p99 ${r.claimP99Ms} ms; sources polled per daemon ${r.polledBy.join(' / ')}`);
  }
}
