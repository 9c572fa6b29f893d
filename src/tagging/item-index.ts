/**
 * An item's words, tokenized once per tag() call and shared by every rule, with the positions of every
 * vocabulary key (see vocabulary.ts) recorded on the way.
 */
import { forEachWord, type WordSink } from './words.js';
import { FIELD_BIT, itemSegments, type Segment } from './fields.js';
import type { KeyedWord, KeyedWords } from './vocabulary.js';
import type { FieldName, ItemText, ScannedField, ScannedText } from './types.js';

/**
 * The words of one item. Token ids run through all segments in order, so a phrase is consecutive ids in one
 * segment. All storage is typed arrays reused from item to item (a tagger keeps one ItemIndex): only the
 * first `count` tokens and `postings` entries belong to the current item, and an index is valid until the
 * next indexItem() into it.
 *
 * Where a vocabulary id occurs is a linked list of postings in token order: `head[id]` is the first posting
 * (-1 when the item lacks the id), `next[p]` the one after `p` (-1 at the end), `token[p]` its token. Lists
 * in typed arrays cost no allocation per item and are cleared by resetting the heads of `hitIds` alone:
 * arrays of arrays cost a runtime call per list to empty and per item to grow (cpu profile of tag()).
 */
export interface ItemIndex {
  segments: Segment[];
  /** Per segment, its field's bit (FIELD_BIT), for the mask checks of evaluation. */
  segBits: Int32Array;
  /** Per segment, its first token; `segFirst[segments.length]` is `count`. */
  segFirst: Int32Array;
  /** Tokens of the current item. */
  count: number;
  /**
   * Per token: its word's vocabulary id (-1 for words no rule names: phrases compare ids, not strings),
   * segment index, and UTF-16 span within the segment's text.
   */
  wordIds: Int32Array;
  /** Per token, its folded word (the interner's one copy): what a reader of the same words (scannedText) gets. */
  words: string[];
  segs: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Vocabulary id → its first posting, or -1; `tail` its last (only meaningful where head is set). */
  head: Int32Array;
  tail: Int32Array;
  /** Per posting: the next posting of the same id, the token, and the id. */
  next: Int32Array;
  token: Int32Array;
  ids: Int32Array;
  postings: number;
  /** Per token, its first posting: a token's postings are consecutive (`firstPosting[t]` to the next token's). */
  firstPosting: Int32Array;
  /** The vocabulary ids with postings in this item, in order of first occurrence: `hitIds[0, hitCount)`. */
  hitIds: Int32Array;
  hitCount: number;
  /** The segment being tokenized, and the sink that records its words. */
  seg: number;
  sink: WordSink<KeyedWord>;
}

/** Empty storage for indexItem; `ids` is the vocabulary's size, if known. */
export function makeItemIndex(ids = 0, capacity = 256): ItemIndex {
  const idx: ItemIndex = {
    segments: [], segBits: new Int32Array(16), segFirst: new Int32Array(17), count: 0,
    wordIds: new Int32Array(capacity), words: [], segs: new Int32Array(capacity), starts: new Int32Array(capacity), ends: new Int32Array(capacity),
    head: new Int32Array(Math.max(ids, 16)).fill(-1), tail: new Int32Array(Math.max(ids, 16)),
    next: new Int32Array(capacity), token: new Int32Array(capacity), ids: new Int32Array(capacity), postings: 0,
    firstPosting: new Int32Array(capacity),
    hitIds: new Int32Array(capacity), hitCount: 0, seg: 0,
    // One sink per index, made once: a closure made per item cost an allocation (and, under tsx, a
    // defineProperty for its name) every call.
    sink: (word, start, end, { id, keys }) => {
      const t = idx.count++;
      if (t === idx.segs.length) growTokens(idx);
      idx.wordIds[t] = id;
      idx.words[t] = word; // t ≤ words.length: the array grows packed
      idx.segs[t] = idx.seg;
      idx.starts[t] = start;
      idx.ends[t] = end;
      idx.firstPosting[t] = idx.postings;
      for (let k = 0; k < keys.length; k++) addPosting(idx, keys[k]!, t);
    },
  };
  return idx;
}

/**
 * Tokenizes the fields in `mask` of `item` into `idx` (replacing what it held), recording where the
 * vocabulary's words, stems and prefixes occur.
 */
export function indexItem(item: ItemText, mask: number, keyed: KeyedWords, idx: ItemIndex = makeItemIndex()): ItemIndex {
  const segments = itemSegments(item, mask);
  for (let k = 0; k < idx.hitCount; k++) idx.head[idx.hitIds[k]!] = -1;
  idx.count = 0;
  idx.postings = 0;
  idx.hitCount = 0;
  idx.segments = segments;
  if (segments.length > idx.segBits.length) {
    idx.segBits = new Int32Array(segments.length * 2);
    idx.segFirst = new Int32Array(segments.length * 2 + 1);
  }
  for (let k = 0; k < segments.length; k++) idx.segBits[k] = segments[k]!.bit;
  const sink = idx.sink;
  for (let seg = 0; seg < segments.length; seg++) {
    const segment = segments[seg]!;
    idx.segFirst[seg] = idx.count;
    if (segment.bit === FIELD_BIT.source) continue; // source: compares whole ids, never words
    idx.seg = seg;
    forEachWord(segment.text, sink, keyed);
  }
  idx.segFirst[segments.length] = idx.count;
  return idx;
}

/**
 * A copy of the title, summary and content words of the item `idx` holds (indexed from `item`), which outlives
 * the next indexItem into `idx`.
 */
export function scannedText(item: ItemText, idx: ItemIndex): ScannedText {
  return { title: scannedField(item.title, idx, 'title'), summary: scannedField(item.summary, idx, 'summary'), content: scannedField(item.content, idx, 'content') };
}

// A field's words: those of its segment (a field with no text has none). Small and free of closures: it is
// compiled once per process (a larger first version was compiled three times, 85 ms of TurboFan).
function scannedField(source: string | null | undefined, idx: ItemIndex, field: FieldName): ScannedField {
  let seg = 0;
  while (seg < idx.segments.length && idx.segments[seg]!.field !== field) seg++;
  const found = seg < idx.segments.length;
  const first = found ? idx.segFirst[seg]! : 0;
  const end = found ? idx.segFirst[seg + 1]! : 0;
  return {
    source: source ?? '',
    text: found ? idx.segments[seg]!.text : '',
    words: idx.words.slice(first, end),
    starts: idx.starts.slice(first, end),
    ends: idx.ends.slice(first, end),
  };
}

function addPosting(idx: ItemIndex, id: number, t: number): void {
  if (id >= idx.head.length) growIds(idx, id);
  const p = idx.postings++;
  if (p === idx.next.length) {
    idx.next = grown(idx.next);
    idx.token = grown(idx.token);
    idx.ids = grown(idx.ids);
  }
  idx.token[p] = t;
  idx.ids[p] = id;
  idx.next[p] = -1;
  if (idx.head[id] === -1) {
    idx.head[id] = p;
    if (idx.hitCount === idx.hitIds.length) idx.hitIds = grown(idx.hitIds);
    idx.hitIds[idx.hitCount++] = id;
  } else {
    idx.next[idx.tail[id]!] = p;
  }
  idx.tail[id] = p;
}

/** Whether token `t` carries vocabulary id `id`. */
export function hasKeyAt(idx: ItemIndex, id: number, t: number): boolean {
  // The token's own few postings, not the id's list: that list can be as long as the item (`di-me*`), and a
  // phrase checks it once per occurrence of its first word.
  const end = t + 1 < idx.count ? idx.firstPosting[t + 1]! : idx.postings;
  for (let p = idx.firstPosting[t]!; p < end; p++) if (idx.ids[p] === id) return true;
  return false;
}

/** The tokens carrying vocabulary id `id`, ascending (a copy, for the paths that are not per candidate rule). */
export function tokensOf(idx: ItemIndex, id: number): number[] {
  const out: number[] = [];
  if (id < idx.head.length) for (let p = idx.head[id]!; p >= 0; p = idx.next[p]!) out.push(idx.token[p]!);
  return out;
}

function growTokens(idx: ItemIndex): void {
  idx.wordIds = grown(idx.wordIds);
  idx.firstPosting = grown(idx.firstPosting);
  idx.segs = grown(idx.segs);
  idx.starts = grown(idx.starts);
  idx.ends = grown(idx.ends);
}

function growIds(idx: ItemIndex, id: number): void {
  const size = Math.max(id + 1, idx.head.length * 2);
  const head = new Int32Array(size).fill(-1);
  head.set(idx.head);
  const tail = new Int32Array(size);
  tail.set(idx.tail);
  idx.head = head;
  idx.tail = tail;
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
