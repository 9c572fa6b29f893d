/**
 * What fills glibc's main malloc heap ([heap]) of a running process: walks its chunks through /proc/PID/mem and
 * prints what is in use and what is free, by 4 MiB of address and by chunk size.
 *   npx tsx bench/malloc-heap.ts PID
 * E.g. on a daemon `npx tsx bench/memory.ts 1000 50 20 --hold=300` keeps settled (it prints the pid), or mid-poll.
 * A chunk's in-use bit is the next chunk's PREV_INUSE bit, so blocks in tcache and fastbins count as in use (they are
 * small). Free holes below the last in-use chunk stay resident until malloc_trim: glibc shrinks the heap only from
 * its top. SQLite's page cache shows as 4,384-byte chunks (a 4 KiB page and its headers).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const pid = Number(process.argv[2]);
if (!pid) throw new Error('usage: npx tsx bench/malloc-heap.ts PID');
const line = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => l.endsWith('[heap]'));
if (!line) throw new Error(`no [heap] mapping in /proc/${pid}/maps`);
const [start, end] = line.split(' ')[0]!.split('-').map((h) => parseInt(h, 16)) as [number, number];
const data = Buffer.alloc(end - start);
const fd = openSync(`/proc/${pid}/mem`, 'r');
readSync(fd, data, 0, data.length, start);
closeSync(fd);

const MiB = 2 ** 20;
const chunks: { at: number; size: number; used: boolean }[] = [];
let p = 0;
while (p + 16 <= data.length) {
  const size = Number(data.readBigUInt64LE(p + 8) & ~7n);
  if (size < 16 || p + size > data.length) break;
  chunks.push({ at: p, size, used: false });
  p += size;
}
const top = chunks.pop()!;
for (const c of chunks) c.used = (data.readBigUInt64LE(c.at + c.size + 8) & 1n) === 1n;
const sum = (xs: { size: number }[]) => xs.reduce((n, c) => n + c.size, 0);
const mb = (n: number) => (n / MiB).toFixed(1);
console.log(`[heap] ${mb(data.length)} MiB: ${chunks.length} chunks, in use ${mb(sum(chunks.filter((c) => c.used)))} MiB, free ${mb(sum(chunks.filter((c) => !c.used)))} MiB, top chunk ${mb(top?.size ?? 0)} MiB`);
const by4 = new Map<number, [number, number]>();
for (const c of chunks) {
  const k = Math.floor(c.at / (4 * MiB));
  const v = by4.get(k) ?? [0, 0];
  v[c.used ? 0 : 1] += c.size;
  by4.set(k, v);
}
console.log(`per 4 MiB of address, in use/free MiB: ${[...by4].map(([k, [u, f]]) => `${k * 4}: ${mb(u)}/${mb(f)}`).join(', ')}`);
const bySize = new Map<number, number>();
for (const c of chunks) if (c.used) bySize.set(c.size, (bySize.get(c.size) ?? 0) + 1);
const biggest = [...bySize].sort((a, b) => b[0] * b[1] - a[0] * a[1]).slice(0, 12);
console.log(`in use, by chunk size (bytes × count = MiB): ${biggest.map(([s, n]) => `${s} × ${n} = ${mb(s * n)}`).join(', ')}`);
const bands = [256, 4096, 8192, 65536, MiB, Infinity];
const band = (used: boolean) => bands.map((b, i) => sum(chunks.filter((c) => c.used === used && c.size <= b && c.size > (bands[i - 1] ?? 0))));
const [u, f] = [band(true), band(false)];
console.log(`by chunk size band, in use/free MiB: ${bands.map((b, i) => `≤${b === Infinity ? '∞' : b}: ${mb(u[i]!)}/${mb(f[i]!)}`).join(', ')}`);
