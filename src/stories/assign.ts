/**
 * Incremental clustering: a new item joins the cluster of its best confirmed match, or starts its own. Only
 * members of other sources count (within one source, dedupe by guid/link/hash decides and nothing clusters),
 * a cluster already holding an item of the new item's source is not joined (an outlet's follow-up is another
 * story), and a cluster is joined only while the new item lies within the window of the cluster's first
 * member, so a story never grows past the window by chaining.
 */
import type { StoryIndex } from './story-index.js';
import type { StoryAssignment, StoryOptions, StorySketch } from './types.js';

/** A new item as assignStory reads it (`published` in ms since the epoch). */
export interface StoryCandidateItem {
  itemId?: number;
  sourceId: string;
  published: number;
  sketch: StorySketch;
}

/**
 * Where `item` goes: the cluster of the most similar confirmed member, or `clusterId: null` for a new cluster
 * (whose id is then the item's own). Does not add the item to the index: the caller adds it once it has an id.
 */
export function assignStory(index: StoryIndex, item: StoryCandidateItem, opts: StoryOptions): StoryAssignment {
  let best: StoryAssignment = { clusterId: null, matchedItemId: null, similarity: 0 };
  for (const slot of index.candidateSlots(item.sketch, item.sourceId)) {
    const itemId = index.itemAt(slot);
    if (itemId === item.itemId) continue;
    const clusterId = index.clusterAt(slot);
    if (!index.joinable(clusterId, item.sourceId, item.published, opts.windowMs)) continue;
    // The same decision as judge(item.sketch, candidate.sketch), on the index's word ids.
    const similarity = index.judgeAt(slot, item.sketch, opts.threshold);
    if (similarity > best.similarity) best = { clusterId, matchedItemId: itemId, similarity };
  }
  return best;
}
