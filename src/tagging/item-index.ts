/**
 * An item's words, tokenized once per tag() call and shared by every rule, with the positions of every
 * vocabulary key (see vocabulary.ts) recorded on the way.
 */
import { forEachWord } from './words.js';
import { FIELD_BIT, itemSegments, type Segment } from './fields.js';
import type { KeysOf } from './vocabulary.js';
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
  /** Vocabulary id → ascending ids of the tokens that are that word (or have that stem or prefix). */
  hits: Map<number, number[]>;
}

/** Empty storage for indexItem. */
export function makeItemIndex(capacity = 256): ItemIndex {
  return {
    segments: [], count: 0, words: [], hits: new Map(),
    segs: new Int32Array(capacity), starts: new Int32Array(capacity), ends: new Int32Array(capacity),
  };
}

/**
 * Tokenizes the fields in `mask` of `item` into `idx` (replacing what it held), recording where the
 * vocabulary's words, stems and prefixes occur. Reusing `idx` matters: growing four fresh arrays token by
 * token was a quarter of tag() in bench/tagging.ts.
 */
export function indexItem(item: ItemText, mask: number, keysOf: KeysOf, idx: ItemIndex = makeItemIndex()): ItemIndex {
  const segments = itemSegments(item, mask);
  const { words, hits } = idx;
  let { segs, starts, ends } = idx;
  let count = 0;
  hits.clear();
  let seg = 0;
  const sink = (word: string, start: number, end: number): void => {
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
    const keys = keysOf(word);
    for (let k = 0; k < keys.length; k++) {
      const id = keys[k]!;
      const list = hits.get(id);
      if (list === undefined) hits.set(id, [token]);
      else list.push(token);
    }
  };
  for (; seg < segments.length; seg++) {
    const segment = segments[seg]!;
    if (segment.bit === FIELD_BIT.source) continue; // source: compares whole ids, never words
    forEachWord(segment.text, sink);
  }
  // Drop the previous item's longer tail, so no string outlives its item by much.
  if (words.length > count * 2 + 64) words.length = count;
  Object.assign(idx, { segments, count, segs, starts, ends });
  return idx;
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
