/**
 * StoryIndex's slots by a key one of its Float64Array columns holds (a member's item id, a cluster's id):
 * an open-addressing hash table (linear probing, backward-shift deletion) of slot numbers only, the key of an
 * entry read from the column. 4 bytes per table cell, at most half full: at 100,000 members 1 MB, where a
 * Map<number, number> took 3.5 MB (bench/stories.ts, a heap snapshot).
 *
 * The probes step to the next cell before reading it, starting from the cell before home, so the step runs on
 * every call: V8 optimizes code from the types it has seen run, and a step first taken at the first collision,
 * after get() was optimized (and inlined into StoryIndex.add and assignStory), threw that code away (three
 * recompiles in a cold `warta fetch`, `node --trace-deopt`: "Insufficient type feedback for binary operation").
 */

// Cells at first; the table doubles when more than half full.
const FIRST_CELLS = 16;

/** Slots by key; `keys` (the column, which the index replaces when it grows) is passed to every call. */
export class SlotTable {
  private cells = new Int32Array(FIRST_CELLS); // slot + 1; 0: empty
  private shift = 32 - Math.log2(FIRST_CELLS);
  private count = 0;

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** The slot whose key is `key`, or -1. */
  get(key: number, keys: Float64Array): number {
    const cells = this.cells;
    const mask = cells.length - 1;
    // The step to the next cell comes first, from the cell before home: every operation of the probe runs on
    // the first call (see the file's note on type feedback).
    for (let i = this.home(key) - 1; ;) {
      i = (i + 1) & mask;
      const cell = cells[i]!;
      if (cell === 0) return -1;
      if (keys[cell - 1] === key) return cell - 1;
    }
  }

  /** Puts `slot` under `key` (keys[slot] must be `key`), replacing the slot held for it. */
  set(key: number, slot: number, keys: Float64Array): void {
    const cells = this.cells;
    const mask = cells.length - 1;
    let i = this.home(key) - 1;
    for (;;) {
      i = (i + 1) & mask;
      const cell = cells[i]!;
      if (cell === 0 || keys[cell - 1] === key) break;
    }
    const fresh = cells[i] === 0;
    cells[i] = slot + 1;
    if (!fresh) return;
    if (++this.count * 2 > cells.length) this.grow(keys);
  }

  /** Removes the entry of `key`; false when there is none. */
  delete(key: number, keys: Float64Array): boolean {
    const cells = this.cells;
    const mask = cells.length - 1;
    let hole = this.home(key) - 1;
    for (;;) {
      hole = (hole + 1) & mask;
      const cell = cells[hole]!;
      if (cell === 0) return false;
      if (keys[cell - 1] === key) break;
    }
    // Backward shift: an entry after the hole moves into it unless its home lies after the hole (cyclically),
    // so every entry stays reachable from its home without tombstones.
    for (let j = (hole + 1) & mask; cells[j] !== 0; j = (j + 1) & mask) {
      const home = this.home(keys[cells[j]! - 1]!);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        cells[hole] = cells[j]!;
        hole = j;
      }
    }
    cells[hole] = 0;
    this.count--;
    return true;
  }

  // Fibonacci hashing of the key's two 32-bit halves (item ids are integers, most below 2^31).
  private home(key: number): number {
    const high = (key / 4294967296) | 0;
    return Math.imul((key | 0) ^ high, 0x9e3779b1) >>> this.shift;
  }

  private grow(keys: Float64Array): void {
    const old = this.cells;
    this.cells = new Int32Array(old.length * 2);
    this.shift--;
    const mask = this.cells.length - 1;
    for (let k = 0; k < old.length; k++) {
      const cell = old[k]!;
      if (cell === 0) continue;
      let i = this.home(keys[cell - 1]!);
      while (this.cells[i] !== 0) i = (i + 1) & mask;
      this.cells[i] = cell;
    }
  }
}
