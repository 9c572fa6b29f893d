import { createHook } from 'node:async_hooks';

/**
 * Keeps one of `process.nextTick`'s queue entries alive for the life of the process, so that a full GC never
 * makes every later nextTick take V8's slow path (issue 15: ~30 % of the instructions of serving a cached feed).
 *
 * Node builds each entry as `{ [async_id_symbol]: id, [trigger_async_id_symbol]: id, callback, args }`. V8 keeps
 * the hidden class (map) of such a half-built literal only weakly: in the feedback of nextTick's literal and in
 * the transition from the empty object's map. A full GC that runs while no entry is queued (an idle daemon; the
 * heap reducer's gc() after a burst of refreshes, daemon/heap.ts) frees those maps; the next nextTick builds new
 * ones, its feedback sees a different map and turns MEGAMORPHIC, for good. From then on three of the literal's
 * four properties are defined through a runtime call (~1,300 instructions each): ~10 nextTicks per request in
 * node:http and its streams, ~39,000 instructions of a cached feed's ~122,000 (callgrind, bench/serve-instructions.ts
 * with --perf-map; the bare node:http server of --floor showed none). An entry that stays alive holds its map,
 * and through the map's back pointers the whole chain, so the feedback stays monomorphic.
 *
 * The entry is caught once, from the `init` hook of an async hook enabled around one nextTick (the documented way
 * to see a TickObject); the hook is disabled at once, so no request ever pays for it. If a Node version builds
 * its entries otherwise (no TickObject seen) this does nothing. Call it early, before the first full GC.
 */
export function keepTickShape(): void {
  if (kept !== null) return;
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject' && kept === null) kept = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
}

let kept: object | null = null;
const noop = () => {};

/** Whether an entry is held (tests). */
export const tickShapeKept = (): boolean => kept !== null;
