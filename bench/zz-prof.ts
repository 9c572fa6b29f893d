// npx tsx /tmp/os15/prof.ts FEEDS ITEMS REPO OUTDIR: cold fetch, then --cpu-prof of a 304 re-poll and of a changed poll
export {};
import { spawnSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFarm } from './farm.js';
const [feeds, items] = process.argv.slice(2, 4).map(Number);
const repo = process.argv[4]!; const out = process.argv[5]!;
mkdirSync(out, { recursive: true });
const farm = await startFarm(feeds!, items!, [], { keepAliveMs: 3600_000, recent: true });
const config = join(out, 'w.yaml');
writeFileSync(config, `storage:\n  path: "${join(out, 'w.db')}"\nfetch:\n  concurrency: 32\n  per_host: 32\n  timeout: 2h\nsources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}log:\n  level: warn\n`);
const run = (prof: string | null) => new Promise<number>((done) => {
  const t = Date.now();
  const args = [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${join(out, prof)}`] : []), join(repo, 'bin/warta.js'), 'fetch', '--config', config];
  const c = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  c.on('close', () => done(Date.now() - t));
});
console.log('cold', await run(process.argv.includes('--cold') ? 'cold' : null), 'ms');
console.log('304', await run('304'), 'ms');
farm.advance(5);
console.log('changed', await run('changed'), 'ms');
await farm.close();
