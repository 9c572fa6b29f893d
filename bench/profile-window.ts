/**
 * Self time by function over a window of time from V8 CPU profiles (`node --cpu-prof`, one file per thread):
 *   npx tsx bench/profile-window.ts DIR FROM_US TO_US [top=25]
 * FROM/TO are CLOCK_MONOTONIC µs (process.hrtime in any process on the machine, V8's profile clock on Linux), as
 * bench/changed-daemon.ts --cpu-prof prints them for the changed poll. Prints each thread's sampled ms in the
 * window and the top functions over all threads (self ms, share), then by thread.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// --callers=NAME: the call chains (4 frames up) that lead to functions whose key contains NAME; --inclusive: total
// (self + callees) time per function instead of self time.
const callersOf = process.argv.find((a) => a.startsWith('--callers='))?.slice(10);
const inclusive = process.argv.includes('--inclusive');
// --under=NAME: only samples with a function whose key contains NAME on their stack.
const under = process.argv.find((a) => a.startsWith('--under='))?.slice(8);
const [dir, fromArg, toArg, topArg] = args;
const [from, to, top] = [Number(fromArg), Number(toArg), Number(topArg ?? 25)];
const total = new Map<string, number>();
let all = 0;
for (const file of readdirSync(dir!).filter((f) => f.endsWith('.cpuprofile')).sort()) {
  const p = JSON.parse(readFileSync(join(dir!, file), 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(src|node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
  const keysOf = (n: Node): string[] => {
    if (under !== undefined) {
      let found = false;
      for (let id: number | undefined = n.id; id !== undefined && !found; id = parent.get(id)) found = keyOf(byId.get(id)!).includes(under);
      if (!found) return [];
    }
    if (callersOf !== undefined) {
      if (!keyOf(n).includes(callersOf)) return [];
      const chain: string[] = [];
      for (let id: number | undefined = n.id, k = 0; id !== undefined && k < 5; id = parent.get(id), k++) chain.push(keyOf(byId.get(id)!));
      return [chain.join(' < ')];
    }
    if (!inclusive) return [keyOf(n)];
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) seen.add(keyOf(byId.get(id)!));
    return [...seen];
  };
  const self = new Map<string, number>();
  let t = p.startTime;
  let sum = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i]!;
    t += dt;
    if (t < from || t > to) continue;
    const next = p.timeDeltas[i + 1] ?? 0; // the sample stands for the interval up to the next one
    const n = byId.get(p.samples[i]!)!;
    for (const key of keysOf(n)) {
      self.set(key, (self.get(key) ?? 0) + next);
      total.set(key, (total.get(key) ?? 0) + next);
    }
    sum += next;
  }
  all += sum;
  if (sum === 0) continue;
  console.log(`\n${file}: ${(sum / 1000).toFixed(0)} ms sampled in the window`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / sum).toFixed(1).padStart(5)} %  ${k}`);
}
console.log(`\nall threads: ${(all / 1000).toFixed(0)} ms sampled`);
for (const [k, us] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / all).toFixed(1).padStart(5)} %  ${k}`);
