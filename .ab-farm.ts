import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { writeFileSync } from 'node:fs';
// Under valgrind the client is ~50x slower: keep idle keep-alive sockets open, or the server closes one just
// as the client reuses it ("other side closed").
const orig = http.createServer;
(http as { createServer: unknown }).createServer = ((...a: Parameters<typeof orig>) => {
  const s = orig(...a);
  s.keepAliveTimeout = 0;
  s.headersTimeout = 0;
  s.requestTimeout = 0;
  return s;
}) as typeof orig;
syncBuiltinESMExports();
const { startFarm } = await import('./bench/farm.js');
const [feeds, items, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const farm = await startFarm(feeds, items);
for (const name of ['base', 'main']) {
  writeFileSync(`${out}/${name}.yaml`, `storage:\n  path: "${out}/${name}.db"\nfetch:\n  timeout: 60m\n  concurrency: 8\n  per_host: 8\nsources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n`).join('')}tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Putin\n    match: Putin\n`);
}
console.log('ready');
setInterval(() => {}, 1 << 30);
