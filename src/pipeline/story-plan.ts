/**
 * The story stage of a refresh (issue 13), between the plan and the store: each new item gets a sketch, and then
 * either names another source's stored article with the same canonical URL (an appearance of it, or, the outlet's
 * own item arriving after an aggregator's relay, the relay it takes over) or joins the cluster of its best
 * confirmed match in the window's index, or starts its own. Pure over its inputs: the index
 * is read, not changed (the caller adds the items once the store has given them ids).
 */
import { assignStory, encodeSketch, isOwnLink, sketchOf, type StoryIndex, type StoryOptions, type StorySketch } from '../stories/index.js';
import type { CanonicalArticle, CommitResult, ItemInsert } from '../store/store.js';
import type { SketchedText } from '../base/model.js';
import type { PlannedInsert } from './plan.js';

/** A new item with its sketch, built before the story decision (pure CPU work, done outside any lock). */
export interface SketchedInsert {
  insert: ItemInsert;
  sketch: StorySketch;
  encoded: string;
}

/**
 * Sketches the new items of a plan (those sketched where the feed was read keep that sketch: `sketched`), from
 * the words classifying read of them where it did (`scanned`), and lets
 * go of those words (`scanned` set to undefined on the plan's insert): a refresh waiting its turn at the story
 * stage would otherwise hold every item's words until it commits.
 */
export function sketchInserts(inserts: readonly PlannedInsert[]): SketchedInsert[] {
  return inserts.map((planned) => {
    const { scanned, sketched, ...insert } = planned;
    if (sketched) return { insert, sketch: sketched.sketch, encoded: sketched.encoded };
    if (scanned) planned.scanned = undefined;
    const sketch = sketchOf({ title: insert.title, summary: insert.summary, content: insert.content }, scanned);
    return { insert, sketch, encoded: encodeSketch(sketch) };
  });
}

/** The source a refresh reads, as the story stage needs it: its id, and the URLs whose site is its own. */
export interface StorySource {
  id: string;
  /** Its feed URL and the feed's site link: an item linking into that site is the source's own (src/stories/outlet.ts). */
  urls: readonly (string | null)[];
}

/**
 * The inserts as the store writes them, each with its story. `stored`: canonical URL → another source's article
 * already stored under it (store.stories.byCanonical). A new item under a stored canonical URL is the same
 * article: an appearance of it, unless the new item is the outlet's own (its link on its source's site) and the
 * stored one only relayed it (its link on another site than its source's, an aggregator polled first): then the
 * outlet's item takes the article over (ItemStory.takeOver).
 */
export function decideStories(source: StorySource, sketched: readonly SketchedInsert[], stored: ReadonlyMap<string, CanonicalArticle>, index: StoryIndex, opts: StoryOptions): ItemInsert[] {
  return sketched.map(({ insert, sketch, encoded }) => {
    const url = insert.canonicalUrl;
    const article = url ? stored.get(url) : undefined;
    if (article !== undefined && !takesOver(url!, source, article)) {
      return { ...insert, story: { sketch: encoded, cluster: null, appearanceOf: article.id } };
    }
    // A takeover keeps the relay's cluster; this one is for a relay gone by the commit.
    const a = assignStory(index, { sourceId: source.id, published: insert.published.getTime(), sketch }, opts);
    return { ...insert, story: { sketch: encoded, cluster: a.clusterId, appearanceOf: null, ...(article ? { takeOver: article.id } : {}) } };
  });
}

/** Whether a new item of `source` under `url` is the outlet's own and the stored `article` a relay of it. */
export function takesOver(url: string, source: StorySource, article: CanonicalArticle): boolean {
  return isOwnLink(url, source.urls) && !isOwnLink(url, article.sourceUrls);
}

/**
 * What the refresh hands the story runtime: its new items, and how to commit them (the refresh's one
 * transaction). The runtime serializes decide-and-commit, so two refreshes never decide against the same
 * index state and start two clusters for one story.
 */
export interface StoryStage {
  /**
   * The canonical URL of a link (tracking parameters as configured); `made`: the one the parser thread made
   * (SketchedText.canonical), taken when it was made under the parameters in force.
   */
  canonicalUrl(link: string, made?: SketchedText['canonical']): string | null;
  commit(source: StorySource, inserts: readonly PlannedInsert[], commit: (inserts: readonly ItemInsert[]) => Promise<CommitResult>): Promise<CommitResult>;
}
