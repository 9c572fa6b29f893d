import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc() as --expose-gc gives it: a full GC, or with `{ type: 'minor' }` a scavenge of the young generation. */
type Gc = (options?: { type: 'minor' | 'major' }) => void;

// V8 lets its old generation grow up to 4× what the last full GC found live before it collects again (the factor
// falls only when GCs are slow next to the program). Through a burst of refreshes, with ~45 MiB live, that is
// ~110 MiB of old space, most of it garbage waiting: the peak RSS of a start-up poll (1,000 sources: 272 MiB).
// 1.5× bounds it (189 MiB) for a few more full GCs, most of whose marking runs concurrently on another thread.
const HEAP_GROWING_PERCENT = 50;

/**
 * Caps how far V8 grows the old generation between full GCs (the daemon: bursts of refreshes make mostly
 * short-lived garbage). Read by V8 at every GC, so setting it at run time takes effect at the next one.
 */
export function boundHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** What one reduction did to V8's committed heap (bytes). */
export interface HeapReduction {
  committedBefore: number;
  committedAfter: number;
  usedAfter: number;
}

/** Gives back the heap a burst of refreshes grew (see makeHeapReducer). */
export interface HeapReducer {
  /** A burst just ended: compact now, shrink the young generation once the process has been quiet for a while. */
  afterBurst(): HeapReduction;
  /** Resolves after the pending shrink (tests); at once when none is pending. */
  settled(): Promise<HeapReduction | null>;
  /** Cancels a pending shrink (the daemon stops). */
  stop(): void;
}

// V8 shrinks its young generation only in a GC that finds the allocation rate low (under ~1 MB/s, averaged over
// the last 5 s): right after a burst the rate is still the burst's. A scavenge this long after it does.
const QUIET_MS = 6000;
// A scavenge that left the young generation larger than this found the process still allocating (requests served in
// the quiet spell): tried again after another quiet spell, a few times. (The 32 MiB of semi-spaces once reported at
// the settle of 10,000 sources came from the /metrics scrape that read them, which regrew them: BENCHMARKS.md.)
const SHRUNK_NEW_SPACE = 4 * 2 ** 20;
const SHRINK_TRIES = 5;
// One forced GC evacuates only a few MB of live objects out of sparse pages (V8 bounds a compaction's work, and
// picks the pages by what the GC before it found live), so a fragmented old space shrinks by a slice per GC:
// MIN_ROUNDS GCs a second apart (requests are served in between), more while the last one still gave back
// MIN_GAIN bytes (counted when the next is due: V8 releases pages after its sweeper), at most MAX_ROUNDS.
const ROUND_GAP_MS = 1000;
const MIN_ROUNDS = 3;
const MAX_ROUNDS = 10;
const MIN_GAIN = 2 * 2 ** 20;

/**
 * Hands the heap V8 grew for a burst of refreshes back to the OS. V8 grows its heap during a burst (a start-up
 * poll of 300 sources left 117 MiB committed around 26 MiB of live objects) and gives it back neither on its own
 * nor in one GC taken at once:
 * 1. at the end of the burst, a full GC frees the burst's garbage, and compacts a slice of the old space;
 * 2. more full GCs, a second apart, compact the rest (a script with a sparse old space, one GC after another:
 *    190 → 190 → 148 → 108 → 67 → 27 → 23 MiB committed around 21 MiB live);
 * 3. QUIET_MS after the last, a scavenge finds the allocation rate low and shrinks the young generation's two
 *    semi-spaces from 16 MiB each to 1 MiB (again after another QUIET_MS while the rate was still high).
 * Node exposes gc() only behind --expose-gc; setting the flag at run time and taking gc from a fresh context is
 * the documented V8 way to get it without a command-line flag. Each full GC blocks the event loop for the
 * collection (~50-300 ms on a loaded machine): start it when idle (`idle` says when later steps may run); the
 * scavenge takes a few ms.
 */
export function makeHeapReducer(opts: { quietMs?: number; roundGapMs?: number; shrinkTries?: number; idle?: () => boolean; onShrunk?: (r: HeapReduction) => void } = {}): HeapReducer {
  const quietMs = opts.quietMs ?? QUIET_MS;
  const gapMs = opts.roundGapMs ?? ROUND_GAP_MS;
  let gc: Gc | null = null;
  let timer: NodeJS.Timeout | null = null;
  let pending: { promise: Promise<HeapReduction>; resolve: (r: HeapReduction) => void; before: number } | null = null;
  const collect = (options?: { type: 'minor' | 'major' }): HeapReduction => {
    if (!gc) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    }
    const before = getHeapStatistics();
    if (options) gc(options);
    else gc();
    const after = getHeapStatistics();
    return { committedBefore: before.total_heap_size, committedAfter: after.total_heap_size, usedAfter: after.used_heap_size };
  };
  // unref: a pending step never keeps a stopping process alive. A step that finds refreshes running waits for
  // them (a full GC would hold them up, and a scavenge amid them shrinks nothing).
  const later = (ms: number, step: () => void) => {
    timer = setTimeout(() => {
      timer = null;
      if (opts.idle && !opts.idle()) later(ms, step);
      else step();
    }, ms).unref();
  };
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  const shrinkYoung = (tries = 1) => {
    const r = collect({ type: 'minor' });
    if (newSpace() > SHRUNK_NEW_SPACE && tries < (opts.shrinkTries ?? SHRINK_TRIES)) return later(quietMs, () => shrinkYoung(tries + 1));
    const done = pending;
    pending = null;
    const total = { ...r, committedBefore: done?.before ?? r.committedBefore };
    opts.onShrunk?.(total);
    done?.resolve(total);
  };
  const committed = () => getHeapStatistics().total_heap_size;
  // `before`: the committed heap when the previous round's GC started.
  const compactAgain = (round: number, before: number) => {
    const now = committed();
    if (round > MAX_ROUNDS || (round > MIN_ROUNDS && before - now < MIN_GAIN)) return later(quietMs, () => shrinkYoung());
    collect();
    later(gapMs, () => compactAgain(round + 1, now));
  };
  return {
    afterBurst() {
      if (timer) clearTimeout(timer);
      const compacted = collect();
      if (!pending) {
        let resolve!: (r: HeapReduction) => void;
        const promise = new Promise<HeapReduction>((r) => (resolve = r));
        pending = { promise, resolve, before: compacted.committedBefore };
      }
      later(gapMs, () => compactAgain(2, compacted.committedBefore));
      return compacted;
    },
    settled: () => pending?.promise ?? Promise.resolve(null),
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
