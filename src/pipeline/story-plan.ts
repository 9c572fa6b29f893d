/**
 * The story stage of a refresh (issue 13), between the plan and the store: each new item gets a sketch, and then
 * either names another source's stored article with the same canonical URL (an appearance of it) or joins the
 * cluster of its best confirmed match in the window's index, or starts its own. Pure over its inputs: the index
 * is read, not changed (the caller adds the items once the store has given them ids).
 */
import { assignStory, encodeSketch, sketchOf, type StoryIndex, type StoryOptions, type StorySketch } from '../stories/index.js';
import type { CommitResult, ItemInsert } from '../store/store.js';

/** A new item with its sketch, built before the story decision (pure CPU work, done outside any lock). */
export interface SketchedInsert {
  insert: ItemInsert;
  sketch: StorySketch;
  encoded: string;
}

/** Sketches the new items of a plan. */
export function sketchInserts(inserts: readonly ItemInsert[]): SketchedInsert[] {
  return inserts.map((insert) => {
    const sketch = sketchOf({ title: insert.title, summary: insert.summary, content: insert.content });
    return { insert, sketch, encoded: encodeSketch(sketch) };
  });
}

/**
 * The inserts as the store writes them, each with its story. `stored`: canonical URL → another source's item
 * already stored under it (store.stories.byCanonical).
 */
export function decideStories(sourceId: string, sketched: readonly SketchedInsert[], stored: ReadonlyMap<string, number>, index: StoryIndex, opts: StoryOptions): ItemInsert[] {
  return sketched.map(({ insert, sketch, encoded }) => {
    const article = insert.canonicalUrl ? stored.get(insert.canonicalUrl) : undefined;
    if (article !== undefined) return { ...insert, story: { sketch: encoded, cluster: null, appearanceOf: article } };
    const a = assignStory(index, { sourceId, published: insert.published.getTime(), sketch }, opts);
    return { ...insert, story: { sketch: encoded, cluster: a.clusterId, appearanceOf: null } };
  });
}

/**
 * What the refresh hands the story runtime: its new items, and how to commit them (the refresh's one
 * transaction). The runtime serializes decide-and-commit, so two refreshes never decide against the same
 * index state and start two clusters for one story.
 */
export interface StoryStage {
  /** The canonical URL of a link (tracking parameters as configured). */
  canonicalUrl(link: string): string | null;
  commit(sourceId: string, inserts: readonly ItemInsert[], commit: (inserts: readonly ItemInsert[]) => Promise<CommitResult>): Promise<CommitResult>;
}
