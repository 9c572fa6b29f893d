/**
 * An item's words, tokenized once per tag() call and shared by every rule, with the positions of every
 * vocabulary word (see vocabulary.ts) recorded on the way.
 */
import { forEachWord } from './words.js';
import { FIELD_BIT, itemSegments, type Segment } from './fields.js';
import type { Vocabulary } from './vocabulary.js';
import type { ItemText } from './types.js';

/** Folded word → its stem candidates (see stem.ts); supplied by the tagger, which caches it. */
export type StemFn = (word: string) => readonly string[];

/** The words of one item. Token ids run through all segments in order, so a phrase is consecutive ids in one segment. */
export interface ItemIndex {
  segments: Segment[];
  /** Per token: folded word, segment index, and UTF-16 span within the segment's text. */
  words: string[];
  segs: number[];
  starts: number[];
  ends: number[];
  /** Vocabulary id → ascending ids of the tokens that are that word (or have that stem candidate). */
  hits: Map<number, number[]>;
  /** Set when some rule stems. */
  stem: StemFn | null;
}

/** Tokenizes the fields in `mask` of `item`, recording where the vocabulary's words and stems occur. */
export function indexItem(item: ItemText, mask: number, vocab: Vocabulary, stem: StemFn | null): ItemIndex {
  const segments = itemSegments(item, mask);
  const idx: ItemIndex = { segments, words: [], segs: [], starts: [], ends: [], hits: new Map(), stem };
  const { words, segs, starts, ends, hits } = idx;
  const record = (id: number, token: number): void => {
    const list = hits.get(id);
    if (list === undefined) hits.set(id, [token]);
    else list.push(token);
  };
  const known = vocab.words;
  const stems = stem !== null && vocab.stems.size > 0 ? stem : null;
  for (let seg = 0; seg < segments.length; seg++) {
    const segment = segments[seg]!;
    if (segment.bit === FIELD_BIT.source) continue; // source: compares whole ids, never words
    forEachWord(segment.text, (word, start, end) => {
      const token = words.length;
      words.push(word);
      segs.push(seg);
      starts.push(start);
      ends.push(end);
      const id = known.get(word);
      if (id !== undefined) record(id, token);
      if (stems) {
        // Stem keys of one word are distinct, so each id gets the token at most once.
        for (const key of stems(word)) {
          const sid = vocab.stems.get(key);
          if (sid !== undefined) record(sid, token);
        }
      }
    });
  }
  return idx;
}
