/**
 * The labelled set of test/fixtures/stories/ (format in its README) and how the story stage is scored on it:
 * pairwise precision and recall for "same story" over every pair of items from different sources, both for
 * compareSketches alone and for incremental clustering (assignStory over the items in publication order, with
 * the window). Shared by test/unit/stories-quality.test.ts and bench/stories.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assignStory, compareSketches, sketchOf, StoryIndex, type StorySketch } from '../../src/stories/index.js';

export const STORIES_DIR = fileURLToPath(new URL('../fixtures/stories/', import.meta.url));

/** One labelled item. `story` defaults to the id (an item no other item reports); `group` marks a trap's topic. */
export interface LabelledItem {
  id: string;
  source: string;
  published: number;
  title: string;
  summary: string | null;
  content: string | null;
  story: string;
  group: string | null;
  file: string;
}

/** Every item of every *.json file in the folder, in publication order. */
export function loadLabelledSet(dir = STORIES_DIR): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>[];
    for (const r of raw) {
      const published = Date.parse(String(r.published));
      if (typeof r.id !== 'string' || typeof r.source !== 'string' || typeof r.title !== 'string' || Number.isNaN(published)) {
        throw new Error(`${file}: item ${JSON.stringify(r.id)} lacks id, source, title or a valid published`);
      }
      items.push({
        id: r.id,
        source: r.source,
        published,
        title: r.title,
        summary: typeof r.summary === 'string' ? r.summary : null,
        content: typeof r.content === 'string' ? r.content : null,
        story: typeof r.story === 'string' ? r.story : r.id,
        group: typeof r.group === 'string' ? r.group : null,
        file,
      });
    }
  }
  const ids = new Set(items.map((i) => i.id));
  if (ids.size !== items.length) throw new Error('labelled set: duplicate item ids');
  return items.sort((a, b) => a.published - b.published || a.id.localeCompare(b.id));
}

/** A pair the stage got wrong. */
export interface Mistake {
  kind: 'false-same' | 'missed';
  a: LabelledItem;
  b: LabelledItem;
  similarity: number;
}

/** Pairwise scores: true/false positives and negatives, precision, recall and the mistakes. */
export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  mistakes: Mistake[];
}

function score(items: LabelledItem[], predict: (a: number, b: number) => { same: boolean; similarity: number }): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const mistakes: Mistake[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!;
      const b = items[j]!;
      if (a.source === b.source) continue;
      const truth = a.story === b.story;
      const { same, similarity } = predict(i, j);
      if (same && truth) tp++;
      else if (same) {
        fp++;
        mistakes.push({ kind: 'false-same', a, b, similarity });
      } else if (truth) {
        fn++;
        mistakes.push({ kind: 'missed', a, b, similarity });
      }
    }
  }
  return { tp, fp, fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn), mistakes };
}

/** The sketches of the items, in the same order. */
export function sketchesOf(items: LabelledItem[]): StorySketch[] {
  return items.map((item) => sketchOf(item));
}

/** compareSketches on every pair from different sources, whatever their dates. */
export function scoreComparisons(items: LabelledItem[], sketches: StorySketch[], threshold: number): Score {
  return score(items, (i, j) => compareSketches(sketches[i]!, sketches[j]!, threshold));
}

/** The cluster of each item when assigned one by one in publication order (ids are the items' positions). */
export function clusterItems(items: LabelledItem[], sketches: StorySketch[], threshold: number, windowMs: number): number[] {
  const index = new StoryIndex();
  const clusters: number[] = [];
  items.forEach((item, i) => {
    const sketch = sketches[i]!;
    const assigned = assignStory(index, { itemId: i, sourceId: item.source, published: item.published, sketch }, { threshold, windowMs });
    const clusterId = assigned.clusterId ?? i;
    clusters.push(clusterId);
    index.add({ itemId: i, clusterId, sourceId: item.source, published: item.published, sketch });
  });
  return clusters;
}

/** Incremental clustering, scored pairwise: two items are "same" when they share a cluster. */
export function scoreClustering(items: LabelledItem[], sketches: StorySketch[], threshold: number, windowMs: number): Score {
  const clusters = clusterItems(items, sketches, threshold, windowMs);
  return score(items, (i, j) => ({
    same: clusters[i] === clusters[j],
    similarity: compareSketches(sketches[i]!, sketches[j]!, threshold).similarity,
  }));
}
