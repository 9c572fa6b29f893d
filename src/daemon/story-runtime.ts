/**
 * The story index of a running warta (the daemon, or one `warta fetch`): the window's members in memory, read
 * from the store at the first refresh and kept current with what this process commits and what other processes
 * wrote (members with ids above the last one read), so a new item is compared with every story of the window.
 */
import type { Logger } from 'pino';
import { yieldToLoop } from '../base/yield.js';
import { canonicalParams, canonicalUrl, decodeSketch, StoryIndex, type StoryOptions } from '../stories/index.js';
import type { CommitResult, ItemInsert, Store, StoryRow } from '../store/store.js';
import { decideStories, sketchInserts, type StorySource, type StoryStage } from '../pipeline/story-plan.js';
import type { PlannedInsert } from '../pipeline/plan.js';

// Members read per query while loading the window or catching up.
const BATCH = 2000;

/** The story stage of a refresh, with its index; `options()` gives the config's window and threshold now. */
export interface StoryRuntime extends StoryStage {
  /** Members in memory (metrics, tests). */
  size(): number;
  /** Forgets the index: the next refresh reads the window again (after a re-cluster or a wider window). */
  reset(): void;
}

/** What the runtime follows of the config (it changes on reload). */
export interface StorySettings extends StoryOptions {
  ignoreParams: readonly string[];
}

/** A story runtime over `store`. */
export function makeStoryRuntime(store: Store, options: () => StorySettings, now: () => Date, log: Logger): StoryRuntime {
  let index = new StoryIndex();
  let lastId = 0;
  // One decide-and-commit at a time (see StoryStage).
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * Evicts what left the window and reads what other processes (or an earlier run) stored since. The first call
   * reads the window through the published index; later ones read only the ids stored since the last call — the
   * whole table is never scanned again, whether the new rows are members or not (an older ingest, relays).
   */
  async function catchUp(): Promise<void> {
    const since = new Date(now().getTime() - options().windowMs);
    index.evictBefore(since.getTime());
    const top = await store.stories.newestId();
    if (top <= lastId) return;
    if (lastId === 0) {
      let after: { published: Date; id: number } | null = null;
      for (;;) {
        const rows = await store.stories.window(since, top, after, BATCH);
        addRows(rows);
        if (rows.length < BATCH) break;
        const last = rows.at(-1)!;
        after = { published: last.published, id: last.id };
      }
    } else {
      // A little behind the last read where ids can become visible out of order (PostgreSQL: see lateIds).
      // Rows already held are skipped.
      let after = Math.max(0, lastId - store.stories.lateIds);
      for (;;) {
        const rows = await store.stories.members(since, after, top, BATCH);
        addRows(rows);
        if (rows.length < BATCH) break;
        after = rows.at(-1)!.id;
      }
    }
    lastId = top;
  }

  function addRows(rows: readonly StoryRow[]): void {
    for (const r of rows) {
      // Added when this process committed it.
      if (index.clusterOf(r.id) === r.clusterId) continue;
      const sketch = r.sketch === null ? null : decodeSketch(r.sketch);
      // A sketch of another version waits for the re-cluster job to rebuild it.
      if (sketch) index.add({ itemId: r.id, clusterId: r.clusterId, sourceId: r.sourceId, published: r.published.getTime(), sketch });
    }
  }

  async function decideAndCommit(source: StorySource, inserts: readonly PlannedInsert[], commit: (inserts: readonly ItemInsert[]) => Promise<CommitResult>): Promise<CommitResult> {
    const sketched = sketchInserts(inserts);
    await yieldToLoop();
    const run = async () => {
      await catchUp();
      const urls = [...new Set(inserts.flatMap((i) => (i.canonicalUrl ? [i.canonicalUrl] : [])))];
      const stored = await store.stories.byCanonical(source.id, urls);
      const result = await commit(decideStories(source, sketched, stored, index, options()));
      for (const p of result.placed ?? []) {
        if (p.appearanceOf !== null) continue;
        const s = sketched[p.index]!;
        // The relay taken over leaves the story's members; the story keeps its start (no chaining past the window).
        const published = s.insert.published.getTime();
        const start = p.tookOver === undefined ? undefined : takeOut(p.tookOver, p.clusterId);
        index.add({ itemId: p.id, clusterId: p.clusterId, sourceId: source.id, published, sketch: s.sketch, ...(start === undefined ? {} : { clusterStart: Math.min(start, published) }) });
      }
      return result;
    };
    const next = queue.then(run, run);
    // A failed commit (a full disk) must not stop the next one.
    queue = next.catch((err: unknown) => log.debug({ err }, 'story commit failed'));
    return next;
  }

  /** Removes a member taken over by an outlet's item; the start of its cluster as the index knew it. */
  function takeOut(itemId: number, clusterId: number): number | undefined {
    const start = index.cluster(clusterId)?.start;
    index.delete(itemId);
    return start;
  }

  return {
    canonicalUrl(link, made) {
      const { ignoreParams } = options();
      return made !== undefined && made.params === canonicalParams(ignoreParams) ? made.url : canonicalUrl(link, { ignoreParams });
    },
    commit: decideAndCommit,
    size: () => index.size,
    reset() {
      index = new StoryIndex();
      lastId = 0;
    },
  };
}
