/**
 * Story clustering on the labelled set of test/fixtures/stories/: pairwise precision and recall for "same
 * story" at a range of thresholds, the chosen default, and every mistake at it; then the cost at scale: a
 * 72-hour window of 100,000 items made by varying the labelled items (other names, numbers and words), the
 * time to assign one more item, the time to sketch one, and the memory the window's index holds.
 * Writes nothing. Run: npx tsx bench/stories.ts [windowItems] [measuredItems]
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  assignStory, compareSketches, DEFAULT_THRESHOLD, sketchOf, StoryIndex, type StoryText,
} from '../src/stories/index.js';
import {
  loadLabelledSet, scoreClustering, scoreComparisons, sketchesOf, STORIES_DIR, type LabelledItem, type Score,
} from '../test/helpers/stories.js';
import { makeRandom } from '../test/helpers/random.js';

const WINDOW_ITEMS = Number(process.argv[2] ?? 100_000);
const MEASURED = Number(process.argv[3] ?? 5_000);
const WINDOW_MS = 72 * 3600_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// ---- quality on the labelled set ----
const items = loadLabelledSet();
const sketches = sketchesOf(items);
const storyCount = new Set(items.map((i) => i.story)).size;
const storiesOfGroup = new Map<string, Set<string>>();
for (const item of items) if (item.group !== null) storiesOfGroup.set(item.group, (storiesOfGroup.get(item.group) ?? new Set()).add(item.story));
const groups = [...storiesOfGroup.values()].filter((s) => s.size >= 2).length;
console.log(`labelled set: ${items.length} items, ${storyCount} stories, ${groups} same-topic groups, ${new Set(items.map((i) => i.source)).size} sources`);

// compareSketches alone on the pairs a window of 72 h would ever put side by side.
function scoreWithinWindow(threshold: number): Score {
  const near = (a: LabelledItem, b: LabelledItem) => Math.abs(a.published - b.published) <= WINDOW_MS;
  const idx = items.map((_, i) => i);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const mistakes: Score['mistakes'] = [];
  for (const i of idx) {
    for (const j of idx.slice(i + 1)) {
      const a = items[i]!;
      const b = items[j]!;
      if (a.source === b.source || !near(a, b)) continue;
      const c = compareSketches(sketches[i]!, sketches[j]!, threshold);
      const truth = a.story === b.story;
      if (c.same && truth) tp++;
      else if (c.same) {
        fp++;
        mistakes.push({ kind: 'false-same', a, b, similarity: c.similarity });
      } else if (truth) {
        fn++;
        mistakes.push({ kind: 'missed', a, b, similarity: c.similarity });
      }
    }
  }
  return { tp, fp, fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn), mistakes };
}

const fmt = (s: Score) => `${s.precision.toFixed(3)}  ${s.recall.toFixed(3)}  ${String(s.fp).padStart(3)} ${String(s.fn).padStart(3)}`;
console.log('\nthreshold │ clustering (72 h window)  │ compare, pairs ≤ 72 h apart │ compare, all pairs (any date)');
console.log('          │ prec.  recall   FP  FN    │ prec.  recall   FP  FN      │ prec.  recall   FP  FN');
const rows: { threshold: number; clustering: Score; window: Score; all: Score }[] = [];
for (let t = 20; t <= 60; t += 5) {
  const threshold = t / 100;
  const row = {
    threshold,
    clustering: scoreClustering(items, sketches, threshold, WINDOW_MS),
    window: scoreWithinWindow(threshold),
    all: scoreComparisons(items, sketches, threshold),
  };
  rows.push(row);
  const mark = Math.abs(threshold - DEFAULT_THRESHOLD) < 1e-9 ? ' ← default' : '';
  console.log(`   ${threshold.toFixed(2)}   │ ${fmt(row.clustering)}    │ ${fmt(row.window)}      │ ${fmt(row.all)}${mark}`);
}

// Precision matters more: the highest threshold whose clustering keeps precision ≥ 0.95 and recall ≥ 0.90
// (a margin over the 0.85 floor), i.e. the most cautious threshold that still finds nine pairs in ten.
const eligible = rows.filter((r) => r.clustering.precision >= 0.95 && r.window.precision >= 0.95 && r.clustering.recall >= 0.9);
const chosen = eligible.length > 0 ? eligible[eligible.length - 1]!.threshold : null;
console.log(`\nchosen threshold (highest with clustering precision ≥ 0.95, recall ≥ 0.90): ${chosen?.toFixed(2) ?? 'none'}; DEFAULT_THRESHOLD = ${DEFAULT_THRESHOLD}`);

const atDefault = {
  clustering: scoreClustering(items, sketches, DEFAULT_THRESHOLD, WINDOW_MS),
  window: scoreWithinWindow(DEFAULT_THRESHOLD),
  all: scoreComparisons(items, sketches, DEFAULT_THRESHOLD),
};
const describe = (m: Score['mistakes'][number]) =>
  `  ${m.kind.padEnd(10)} ${m.similarity.toFixed(3)}  ${m.a.id} (${m.a.story}) ~ ${m.b.id} (${m.b.story})`;
console.log(`\nmistakes at ${DEFAULT_THRESHOLD}, clustering (${atDefault.clustering.mistakes.length}):`);
for (const m of atDefault.clustering.mistakes) console.log(describe(m));
console.log(`mistakes at ${DEFAULT_THRESHOLD}, compare on pairs ≤ 72 h apart (${atDefault.window.mistakes.length}):`);
for (const m of atDefault.window.mistakes) console.log(describe(m));
const farFalse = atDefault.all.mistakes.filter((m) => m.kind === 'false-same' && Math.abs(m.a.published - m.b.published) > WINDOW_MS);
console.log(`compare on all pairs: ${farFalse.length} more false "same" between items more than 72 h apart (the window keeps them apart):`);
for (const m of farFalse) console.log(describe(m));

// The held-out set (test/fixtures/stories/holdout/) was written after the weights and the threshold were
// chosen and is never tuned on: a check that the figures above are not only the set's own.
{
  const held = loadLabelledSet(join(STORIES_DIR, 'holdout'));
  const heldSketches = sketchesOf(held);
  const s = scoreClustering(held, heldSketches, DEFAULT_THRESHOLD, WINDOW_MS);
  const c = scoreComparisons(held, heldSketches, DEFAULT_THRESHOLD);
  console.log(`\nheld-out set (${held.length} items, ${s.tp + s.fn} same-story pairs), at ${DEFAULT_THRESHOLD}: clustering precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)}; compare on all pairs precision ${c.precision.toFixed(3)} recall ${c.recall.toFixed(3)}`);
  for (const m of s.mistakes) console.log(describe(m));
}

// ---- cost at scale ----
// Items made from the labelled ones: every capitalized word becomes one of NAME_POOL invented names, every
// number another number, and a third of the other words one of WORD_POOL invented words, so the window holds
// realistic texts with a long tail of rare terms rather than 100,000 copies of 200 stories.
const random = makeRandom(13);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const SYLLABLES = ['ka', 'ra', 'ma', 'na', 'ta', 'sa', 'ba', 'da', 'ga', 'la', 'ri', 'ni', 'ti', 'si', 'bu', 'du', 'ku', 'lu', 'mu', 'to', 'ro', 'so', 'jo', 'wi', 'yo', 'ha', 'pe', 'ne', 'se', 'te'];
const invent = (n: number) => Array.from({ length: n }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(SYLLABLES)).join(''));
const NAME_POOL = invent(30_000).map((w) => w[0]!.toUpperCase() + w.slice(1));
const WORD_POOL = invent(60_000);

function vary(text: string | null): string | null {
  if (text === null) return null;
  return text
    .replace(/\b\p{Lu}\p{Ll}+\b/gu, () => pick(NAME_POOL))
    .replace(/\d+/g, () => String(Math.floor(random() * 5000)))
    .replace(/\b\p{Ll}{4,}\b/gu, (w) => (random() < 0.33 ? pick(WORD_POOL) : w));
}

function variant(): StoryText & { source: string } {
  const base = pick(items);
  return { source: `src-${Math.floor(random() * 400)}`, title: vary(base.title)!, summary: vary(base.summary), content: vary(base.content) };
}

gc();
const before = process.memoryUsage();
const index = new StoryIndex();
const start = Date.parse('2024-12-01T00:00:00Z');
const step = WINDOW_MS / WINDOW_ITEMS;
let nextId = 1;
let built = performance.now();
for (let i = 0; i < WINDOW_ITEMS; i++) {
  const text = variant();
  const sketch = sketchOf(text);
  const published = start + i * step;
  const itemId = nextId++;
  const assigned = assignStory(index, { itemId, sourceId: text.source, published, sketch }, { threshold: DEFAULT_THRESHOLD, windowMs: WINDOW_MS });
  index.add({ itemId, clusterId: assigned.clusterId ?? itemId, sourceId: text.source, published, sketch });
}
built = performance.now() - built;
gc();
const after = process.memoryUsage();
const heapMb = (after.heapUsed - before.heapUsed) / 2 ** 20;
const buffersMb = (after.arrayBuffers - before.arrayBuffers) / 2 ** 20;

// The measured items arrive after the window is full: sketches made first, so the timing is assignment alone.
const texts = Array.from({ length: MEASURED }, () => variant());
let sketchMs = performance.now();
const measuredSketches = texts.map((t) => sketchOf(t));
sketchMs = performance.now() - sketchMs;
// Wall time, and this process's CPU time (on a machine shared with other work, wall time also counts the
// time the process waited for a core; CPU time does not).
let assignMs = 0;
let assignCpuUs = 0;
let joined = 0;
let candidates = 0;
for (let i = 0; i < MEASURED; i++) {
  const published = start + WINDOW_MS + i * step;
  index.evictBefore(published - WINDOW_MS);
  const sketch = measuredSketches[i]!;
  const itemId = nextId++;
  candidates += index.candidates(sketch, texts[i]!.source).length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const assigned = assignStory(index, { itemId, sourceId: texts[i]!.source, published, sketch }, { threshold: DEFAULT_THRESHOLD, windowMs: WINDOW_MS });
  assignMs += performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  assignCpuUs += cpu.user + cpu.system;
  if (assigned.clusterId !== null) joined++;
  index.add({ itemId, clusterId: assigned.clusterId ?? itemId, sourceId: texts[i]!.source, published, sketch });
}

console.log(`\ncost, window of ${index.size.toLocaleString('en')} items (${(WINDOW_MS / 3600_000).toFixed(0)} h), ${index.words.toLocaleString('en')} distinct words held:`);
console.log(`  assign one item (candidates + confirm):  ${((assignMs / MEASURED) * 1000).toFixed(0)} µs wall, ${(assignCpuUs / MEASURED).toFixed(0)} µs CPU  (mean of ${MEASURED.toLocaleString('en')}; ${(candidates / MEASURED).toFixed(1)} candidates each; ${joined} joined a cluster)`);
console.log(`  sketch one item (title + summary):       ${((sketchMs / MEASURED) * 1000).toFixed(0)} µs wall`);
console.log(`  load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
console.log(`  building the window (sketch + assign + add, ${WINDOW_ITEMS.toLocaleString('en')} items): ${(built / 1000).toFixed(1)} s`);
console.log(`  memory of the window's index: ${(heapMb + buffersMb).toFixed(1)} MB (JS heap ${heapMb.toFixed(1)} MB + typed arrays ${buffersMb.toFixed(1)} MB), ${(((heapMb + buffersMb) * 2 ** 20) / index.size).toFixed(0)} bytes per member`);
