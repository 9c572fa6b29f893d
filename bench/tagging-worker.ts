/**
 * bench/tagging.ts's worker: compiles the rules it is given and tags its share of the items on each 'go',
 * answering with the number of tags found. Items arrive once, before timing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileTagger, type ItemText, type TagRule } from '../src/tagging/index.js';

const { rules, items } = workerData as { rules: TagRule[]; items: ItemText[] };
const tagger = compileTagger(rules);
for (const item of items.slice(0, 2_000)) tagger.tag(item); // warm-up, as on the main thread
parentPort!.on('message', () => {
  let hits = 0;
  for (const item of items) hits += tagger.tag(item).length;
  parentPort!.postMessage(hits);
});
parentPort!.postMessage('ready');
