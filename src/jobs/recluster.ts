/**
 * Re-clustering the window in the background (issue 13): when `stories.threshold` (or the sketch algorithm)
 * differs from what the stored clusters follow, and for items stored before stories existed (no sketch yet),
 * the window's items are taken again in id order — the order they arrived in — and each is assigned against the
 * stories rebuilt so far, as if it were arriving now. Range by range, each range one transaction with the pass's
 * progress, so a pass cut short (crash, SIGTERM) resumes where it stopped. Appearances follow their article.
 */
import type { Logger } from 'pino';
import { assignStory, canonicalUrl, decodeSketch, encodeSketch, sketchOf, SKETCH_VERSION, StoryIndex } from '../stories/index.js';
import type { SketchRow, Store, StoryChange } from '../store/store.js';

const STATE = 'stories_clustered';
const PROGRESS = 'stories_recluster_progress';
const RANGE = 500;

/** What a pass follows (config `stories.*`). */
export interface ReclusterSettings {
  windowMs: number;
  threshold: number;
  ignoreParams: readonly string[];
}

/** What the stored clusters follow: the sketch version and the threshold. */
const fingerprint = (s: ReclusterSettings) => JSON.stringify({ v: SKETCH_VERSION, threshold: s.threshold });

/** Runs a pass when the stored clusters do not follow `settings`; resolves with the items written (null: none needed). */
export async function reclusterIfNeeded(store: Store, settings: ReclusterSettings, now: () => Date, signal?: AbortSignal, range = RANGE): Promise<number | null> {
  const want = fingerprint(settings);
  const progress = await store.stories.getMeta(PROGRESS);
  const resume = progress === null ? null : (JSON.parse(progress) as { fingerprint: string; after: number; since: string });
  if ((await store.stories.getMeta(STATE)) === want && resume === null) return null;
  // A pass for other settings is started again from the beginning.
  const from = resume?.fingerprint === want ? resume : null;
  const since = from ? new Date(from.since) : new Date(now().getTime() - settings.windowMs);
  const index = new StoryIndex();
  const opts = { windowMs: settings.windowMs, threshold: settings.threshold };
  let after = 0;
  let written = 0;
  const sketched = (r: SketchRow) => (r.sketch === null ? null : decodeSketch(r.sketch)) ?? sketchOf(r);
  // Resuming: the items before the progress point already carry this pass's clusters.
  if (from) {
    while (after < from.after) {
      const rows = (await store.stories.readRange(since, after, range)).filter((r) => r.id <= from.after);
      for (const r of rows) index.add({ itemId: r.id, clusterId: r.clusterId, sourceId: r.sourceId, published: r.published.getTime(), sketch: sketched(r) });
      if (rows.length === 0) break;
      after = rows.at(-1)!.id;
    }
    after = from.after;
  }
  for (;;) {
    if (signal?.aborted) return written;
    const rows = await store.stories.readRange(since, after, range);
    if (rows.length === 0) break;
    const changes: StoryChange[] = [];
    for (const r of rows) {
      const sketch = sketched(r);
      const a = assignStory(index, { itemId: r.id, sourceId: r.sourceId, published: r.published.getTime(), sketch }, opts);
      const clusterId = a.clusterId ?? r.id;
      index.add({ itemId: r.id, clusterId, sourceId: r.sourceId, published: r.published.getTime(), sketch });
      const canonical = r.canonicalUrl ?? (r.link === null ? null : canonicalUrl(r.link, { ignoreParams: settings.ignoreParams }));
      changes.push({ id: r.id, canonicalUrl: canonical, sketch: encodeSketch(sketch), clusterId });
    }
    after = rows.at(-1)!.id;
    const progressNow = JSON.stringify({ fingerprint: want, after, since: since.toISOString() });
    written += await store.stories.apply(changes, { key: PROGRESS, value: progressNow }, { signal });
  }
  await store.stories.setMeta(STATE, want, { signal });
  await store.stories.setMeta(PROGRESS, null, { signal });
  return written;
}

/**
 * Re-clustering in the background, one pass at a time; `done` runs after a pass that wrote anything, and after a
 * pass another daemon ran while this one waited (its story index then follows clusters it did not write). On a
 * database several daemons share, a pass runs on one daemon at a time (store.nodes.exclusive): the others skip it
 * and ask again at each heartbeat (retryIfWaiting), so one of them resumes a pass whose daemon died.
 */
export function makeReclusterQueue(store: Store, deps: { settings: () => ReclusterSettings; now: () => Date; log: Logger; signal: AbortSignal; done: () => void; range?: number }) {
  const { log, signal } = deps;
  let queue: Promise<unknown> = Promise.resolve();
  // Another daemon held the job at the last request: its pass may rewrite clusters under this daemon's index.
  let waiting = false;
  // Items the last pass wrote (null: none was needed, or another process held the job).
  let lastWritten: number | null = null;

  async function pass(): Promise<number | null> {
    const lock = await store.nodes.exclusive('recluster');
    if (!lock) {
      waiting = true;
      return null;
    }
    // A lock lost mid-pass (its connection cut) stops the pass at its next range: another daemon may have taken
    // the job. The progress is committed with each range, so the next holder resumes after the last one written.
    const lost = () => lock.lost.aborted && !signal.aborted;
    const stopped = () => {
      log.warn({ err: lock.lost.reason }, 're-clustering stopped: its lock was lost with its database connection; the pass resumes where it stopped once this daemon or another takes the lock again');
      waiting = true; // asked again at the next heartbeat (retryIfWaiting)
      return null;
    };
    try {
      const n = await reclusterIfNeeded(store, deps.settings(), deps.now, AbortSignal.any([signal, lock.lost]), deps.range);
      if (lost()) return stopped();
      if (waiting && n === null && !signal.aborted) deps.done(); // the other daemon's pass ended
      waiting = false;
      return n;
    } catch (err) {
      if (lost()) return stopped();
      throw err;
    } finally {
      await lock.release();
    }
  }

  const self = {
    /** Queues a pass (it does nothing when the stored clusters follow the settings in force when it starts). */
    request(): void {
      queue = queue
        .then(pass)
        .then((n) => {
          lastWritten = n;
          if (n === null || signal.aborted) return;
          deps.done();
          log.info({ items: n, threshold: deps.settings().threshold }, 'stories re-clustered over the window');
        })
        .catch((err: unknown) => signal.aborted || log.error({ err }, 're-clustering failed'));
    },
    /** Items the last pass wrote; null when none was needed or another process held the job. */
    lastWritten: () => lastWritten,
    /** Whether another daemon held the job at the last try. */
    waiting: () => waiting,
    /** Asks again if the last pass found another daemon running it (called at each heartbeat). */
    retryIfWaiting(): void {
      if (waiting) self.request();
    },
    /** Resolves when the queued passes end (after the signal aborted, promptly). */
    idle: () => queue,
  };
  return self;
}
