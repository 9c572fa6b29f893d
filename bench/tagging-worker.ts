/**
 * bench/tagging.ts's worker: builds the same corpus, compiles its rules and tags its share of the items on
 * each 'go', answering with the number of tags found.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileTagger } from '../src/tagging/index.js';
import { makeCorpus } from './tagging-corpus.js';

const share = workerData as { items: number; rules: number; from: number; to: number };
const corpus = makeCorpus(share.items, share.rules);
const rules = corpus.rules;
const items = corpus.items.slice(share.from, share.to);
const tagger = compileTagger(rules);
for (const item of items.slice(0, 2_000)) tagger.tag(item); // warm-up, as on the main thread
parentPort!.on('message', () => {
  let hits = 0;
  for (const item of items) hits += tagger.tag(item).length;
  parentPort!.postMessage(hits);
});
parentPort!.postMessage('ready');
