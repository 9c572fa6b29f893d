/**
 * The story stage alone, in instructions (issue 13: what it costs per item, without a fetch around it): the
 * recent farm's items (bench/farm.ts), feed after feed, classified with the ingest benches' tag rules and then
 * put through what the stage does to a new item — canonicalUrl, sketchOf from tagging's words, encodeSketch,
 * assignStory, StoryIndex.add — in one process under callgrind; a second run only classifies. The difference is
 * the stage's CPU without the store, the refresh glue and the fetch's GC.
 *   npx tsx bench/story-stage.ts [feeds=40] [items=50] [--repo DIR]
 * `--repo DIR` measures that checkout's dist/ (built), so two commits run on the same items. Prints both counts,
 * the difference and its callgrind files (for callgrind_annotate; run with `--perf-map` to keep node's
 * /tmp/perf-PID.map naming the JIT code).
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { farmDocuments } from './farm.js';
import { REPO } from './lib.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const [feeds = 40, items = 50] = positional.map(Number);
const repo = resolve(flag('--repo') ?? REPO);
const child = flag('--child');

if (child) await runStage(child === 'stage');
else {
  const counts: Record<string, number> = {};
  for (const mode of ['classify', 'stage']) {
    const out = join(tmpdir(), `warta-story-stage-${process.pid}-${mode}.out`);
    const perf = argv.includes('--perf-map') ? ['--perf-basic-prof'] : [];
    const args = ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', '--predictable', ...perf, '--import', 'tsx',
      join(REPO, 'bench/story-stage.ts'), String(feeds), String(items), '--repo', repo, '--child', mode];
    const stderr = await new Promise<string>((done, fail) => {
      const p = spawn('valgrind', args, { cwd: REPO, stdio: ['ignore', 'inherit', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
      p.on('close', (status) => (status === 0 ? done(err) : fail(new Error(`valgrind exited ${status}:\n${err}`))));
    });
    counts[mode] = Number(/Collected : (\d+)/.exec(stderr)?.[1] ?? NaN);
    console.log(`${mode}: ${counts[mode]!.toLocaleString('en')} instructions (${feeds}×${items}, ${repo}); callgrind file ${out}`);
  }
  const stage = counts.stage! - counts.classify!;
  console.log(`story stage: ${stage.toLocaleString('en')} instructions, ${Math.round(stage / (feeds * items)).toLocaleString('en')} per item (fixed part included)`);
}

async function runStage(stage: boolean): Promise<void> {
  const imp = (p: string) => import(pathToFileURL(join(repo, 'dist', p)).href);
  const { canonicalUrl, sketchOf, encodeSketch, assignStory, StoryIndex } = await imp('stories/index.js');
  const { makeClassifier } = await imp('tagging/classify.js');
  // bench/ingest-instructions.ts's tag rules.
  const classifier = makeClassifier({
    tags: [
      { name: 'Hubungan Rusia dengan Belarusia', match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)', aliases: [], stem: null },
      { name: 'Putin', match: 'Putin', aliases: [], stem: null },
    ],
    sources: [],
    outputs: [],
  });
  const index = new StoryIndex();
  const opts = { windowMs: 72 * 3_600_000, threshold: 0.3 };
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  let id = 0;
  let joined = 0;
  const docs = farmDocuments(feeds, items);
  for (let f = 0; f < docs.length; f++) {
    for (const m of docs[f]!.matchAll(/<item><title>(.*?)<\/title><link>(.*?)<\/link>.*?<pubDate>(.*?)<\/pubDate><description>(.*?)<\/description>/g)) {
      const item = { title: m[1]!, summary: unescape(m[4]!), content: null, link: m[2]!, categories: ['Dunia'], author: null };
      const published = Date.parse(m[3]!);
      let scanned: unknown;
      classifier.classify(item, `f${f}`, stage ? (words: unknown) => (scanned = words) : undefined);
      if (!stage) continue;
      id++;
      if (canonicalUrl(item.link, { ignoreParams: [] }) === null) throw new Error(`no canonical URL for ${item.link}`);
      const sketch = sketchOf({ title: item.title, summary: item.summary, content: item.content }, scanned);
      if (encodeSketch(sketch) === '') throw new Error('empty sketch');
      const a = assignStory(index, { sourceId: `f${f}`, published, sketch }, opts);
      if (a.clusterId !== null) joined++;
      index.add({ itemId: id, clusterId: a.clusterId ?? id, sourceId: `f${f}`, published, sketch });
    }
  }
  console.log(stage ? `${id} items sketched and assigned, ${joined} joined a story` : 'classified');
}
