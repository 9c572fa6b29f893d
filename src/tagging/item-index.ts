/**
 * An item's words, tokenized once per tag() call and shared by every rule, with the positions of every
 * vocabulary key (see vocabulary.ts) recorded on the way.
 */
import { forEachWord } from './words.js';
import { FIELD_BIT, itemSegments, type Segment } from './fields.js';
import type { KeyedWords } from './vocabulary.js';
import type { ItemText } from './types.js';

/**
 * The words of one item. Token ids run through all segments in order, so a phrase is consecutive ids in one
 * segment. The per-token arrays are reused from item to item (a tagger keeps one ItemIndex): only the first
 * `count` entries belong to the current item, and an index is valid until the next indexItem() into it.
 */
export interface ItemIndex {
  segments: Segment[];
  /** Tokens of the current item. */
  count: number;
  /** Per token: folded word, segment index, and UTF-16 span within the segment's text. */
  words: string[];
  segs: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  /**
   * Vocabulary id → ascending ids of the tokens that are that word (or have that stem or prefix); empty or
   * absent for ids the item lacks. Indexed by id, and the lists are reused: `hitIds` says which are filled.
   */
  hits: number[][];
  /** The vocabulary ids with hits in this item, in order of first occurrence. */
  hitIds: number[];
}

/** Empty storage for indexItem; `ids` is the vocabulary's size, if known. */
export function makeItemIndex(ids = 0, capacity = 256): ItemIndex {
  return {
    segments: [], count: 0, words: [], hits: Array.from({ length: ids }, () => []), hitIds: [],
    segs: new Int32Array(capacity), starts: new Int32Array(capacity), ends: new Int32Array(capacity),
  };
}

/**
 * Tokenizes the fields in `mask` of `item` into `idx` (replacing what it held), recording where the
 * vocabulary's words, stems and prefixes occur. Reusing `idx` spares the garbage of four arrays per item
 * (callgrind counted about the same instructions either way).
 */
export function indexItem(item: ItemText, mask: number, keyed: KeyedWords, idx: ItemIndex = makeItemIndex()): ItemIndex {
  const segments = itemSegments(item, mask);
  const { words, hits, hitIds } = idx;
  let { segs, starts, ends } = idx;
  let count = 0;
  for (const id of hitIds) hits[id]!.length = 0;
  hitIds.length = 0;
  let seg = 0;
  const sink = (word: string, start: number, end: number, keys: readonly number[]): void => {
    const token = count++;
    if (token === segs.length) {
      segs = grown(segs);
      starts = grown(starts);
      ends = grown(ends);
    }
    words[token] = word;
    segs[token] = seg;
    starts[token] = start;
    ends[token] = end;
    for (let k = 0; k < keys.length; k++) {
      const id = keys[k]!;
      while (hits.length <= id) hits.push([]); // grown densely: a sparse array would become a dictionary
      const list = hits[id]!;
      if (list.length === 0) hitIds.push(id);
      list.push(token);
    }
  };
  for (; seg < segments.length; seg++) {
    const segment = segments[seg]!;
    if (segment.bit === FIELD_BIT.source) continue; // source: compares whole ids, never words
    forEachWord(segment.text, sink, keyed);
  }
  // Drop the previous item's longer tail, so no string outlives its item by much.
  if (words.length > count * 2 + 64) words.length = count;
  idx.segments = segments;
  idx.count = count;
  idx.segs = segs;
  idx.starts = starts;
  idx.ends = ends;
  return idx;
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
