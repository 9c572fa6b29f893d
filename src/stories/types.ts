/**
 * The contract between the story stage (pure functions in src/stories/) and its callers (the refresh plan, the
 * store, outputs, `warta stories explain`). Nothing here touches the store or the network.
 *
 * A story is a cluster of items from different sources reporting the same event within a window. Its id is the
 * id of the item that started it (a lone item is its own cluster). Which member represents the story in an
 * output (earliest, or from the source with the highest `sources[].priority`) is decided when publishing.
 */
import type { StorySketch } from '../base/model.js';

// Plain data that also rides on an incoming item (IncomingItem.sketched): defined with the model.
export type { StorySketch };

/** The text a sketch is built from, as stored (HTML fields are HTML; the sketch strips markup itself). */
export interface StoryText {
  title: string;
  summary: string | null;
  content: string | null;
}


/** One item the index knows. `published` in ms since the epoch. */
export interface StoryMember {
  itemId: number;
  clusterId: number;
  sourceId: string;
  published: number;
  sketch: StorySketch;
  /**
   * `published` of the cluster's first member, when the caller knows it (a cluster whose first member is no
   * longer in the index); otherwise the index takes the earliest member of the cluster it was given.
   */
  clusterStart?: number;
}

/** How two sketches compare, with the evidence (what `warta stories explain` prints). */
export interface StoryComparison {
  similarity: number;
  sharedNames: string[];
  differingNames: string[];
  sharedNumbers: string[];
  differingNumbers: string[];
  /** Whether these are the same story under the given threshold. */
  same: boolean;
}

/** Options of clustering, from the config's `stories:` section. */
export interface StoryOptions {
  /** Items join a cluster only when published within this many ms of the cluster's first member. */
  windowMs: number;
  /** Similarity at or above which two items (with no contradicting names/numbers) are the same story. */
  threshold: number;
}

/** Where a new item goes: into an existing cluster (with the member that matched best), or a new one. */
export interface StoryAssignment {
  clusterId: number | null;
  matchedItemId: number | null;
  similarity: number;
}
