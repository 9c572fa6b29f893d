/**
 * Serving benchmark, side by side in one run: warta's cached feed route vs nginx serving the same bytes as a
 * static file (when /usr/sbin/nginx exists; Debian's nginx-light), with autocannon on loopback.
 *   npx tsx bench/serve.ts [items=12] [connections=64] [seconds=8] [rounds=3]
 * Reports req/s and p99 per round and the median ratio warta/nginx. Plain and gzip are measured separately.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startFarm } from './farm.js';

const [items = 12, connections = 64, seconds = 8, rounds = 3] = process.argv.slice(2).map(Number);
const BIN = fileURLToPath(new URL('../bin/warta.js', import.meta.url));
const NGINX = '/usr/sbin/nginx';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const farm = await startFarm(20, 50);
const dir = mkdtempSync(join(tmpdir(), 'warta-serve-'));
const children: ChildProcess[] = [];
try {
  writeFileSync(join(dir, 'w.yaml'), `server:\n  listen: "127.0.0.1:18401"\nstorage:\n  path: "${join(dir, 'w.db')}"\nfetch:\n  per_host: 8\nsources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}tags:\n  - name: Putin\n    match: Putin\noutputs:\n  - id: bench\n    title: Bench\n    tags: [Putin]\n    limit: ${items}\n`);
  children.push(spawn(process.execPath, [BIN, 'start', '--config', join(dir, 'w.yaml'), '--log-level', 'warn'], { stdio: 'inherit' }));
  const wartaUrl = 'http://127.0.0.1:18401/feeds/bench.rss';
  let body: Buffer | null = null;
  for (let i = 0; i < 100 && !body; i++) {
    await sleep(200);
    const res = await fetch(wartaUrl).catch(() => null);
    const b = res?.ok ? Buffer.from(await res.arrayBuffer()) : null;
    if (b && b.includes('<item>')) body = b;
  }
  if (!body) throw new Error('warta did not publish the bench feed');
  await sleep(1500); // let the start-up refresh finish so the cache stays warm

  const targets: { name: string; url: string }[] = [{ name: 'warta', url: wartaUrl }];
  if (existsSync(NGINX)) {
    writeFileSync(join(dir, 'bench.rss'), body);
    chmodSync(dir, 0o755); // nginx's worker runs unprivileged and must read the file
    writeFileSync(join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 1024; }
http { access_log off; gzip on; gzip_types application/rss+xml; types { application/rss+xml rss; }
  server { listen 127.0.0.1:18402; root ${dir}; location / { etag on; } } }`);
    children.push(spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' }));
    await sleep(500);
    targets.push({ name: 'nginx', url: 'http://127.0.0.1:18402/bench.rss' });
  } else {
    console.log('nginx not found at /usr/sbin/nginx (apt-get install nginx-light): measuring warta alone');
  }

  console.log(`feed: ${body.length} bytes (${items} items); ${connections} connections, ${seconds} s per run, ${rounds} rounds; nginx: 1 worker`);
  for (const encoding of ['identity', 'gzip']) {
    const rps = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const p99 = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        const r = await autocannon({ url: t.url, connections, duration: seconds, headers: { 'accept-encoding': encoding } });
        if (r.errors || r.non2xx) throw new Error(`${t.name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
        rps.get(t.name)!.push(r.requests.average);
        p99.get(t.name)!.push(r.latency.p99);
      }
    }
    const line = targets.map((t) => `${t.name} ${Math.round(median(rps.get(t.name)!))} req/s (p99 ${median(p99.get(t.name)!)} ms)`).join(' · ');
    const ratio = targets.length === 2 ? ` · warta/nginx ${(median(rps.get('warta')!) / median(rps.get('nginx')!)).toFixed(2)}` : '';
    console.log(`${encoding}: ${line}${ratio}`);
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await farm.close();
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
