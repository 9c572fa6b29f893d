/**
 * Where a heap snapshot's bytes are: self sizes summed by node type and constructor/name, the top rows.
 *   npx tsx bench/heap-summary.ts FILE.heapsnapshot [rows=40]
 * (Self sizes only, as Chrome's "Summary" view; retained sizes need the dominator tree and are not computed.)
 */
import { readFileSync } from 'node:fs';

const [file, rows = '40'] = process.argv.slice(2);
if (!file) throw new Error('usage: heap-summary.ts FILE.heapsnapshot [rows]');
const snap = JSON.parse(readFileSync(file, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
};
const fields = snap.snapshot.meta.node_fields;
const width = fields.length;
const at = { type: fields.indexOf('type'), name: fields.indexOf('name'), size: fields.indexOf('self_size') };
const types = snap.snapshot.meta.node_types[0];
const sums = new Map<string, { bytes: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + at.type]!]!;
  const size = snap.nodes[i + at.size]!;
  const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + at.name]!]!.slice(0, 60) : '';
  const key = `${type} ${name}`;
  const s = sums.get(key) ?? { bytes: 0, count: 0 };
  s.bytes += size;
  s.count++;
  sums.set(key, s);
  total += size;
}
console.log(`total self size ${(total / 2 ** 20).toFixed(1)} MiB in ${snap.nodes.length / width} nodes`);
for (const [key, s] of [...sums].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(rows))) {
  console.log(`${(s.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB ${String(s.count).padStart(9)}  ${key}`);
}
