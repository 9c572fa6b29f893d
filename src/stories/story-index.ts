/**
 * The members of the current window, in memory, for finding a new item's candidates without comparing it with
 * every member: an inverted index over sketch terms, read only for terms that few members share (a term in
 * thousands of items — "pemerintah", "jakarta" — finds nothing worth confirming and would make a lookup linear).
 *
 * Lean by layout: a member is a slot in typed arrays (fixed strides for its terms, names, numbers and
 * signature), words are interned once with a reference count and freed with their last member, and each
 * term's postings are a doubly linked list through the slots' term cells, so adding and evicting a member
 * cost O(its terms). Measured by bench/stories.ts (100,000 members).
 */
import { numberEvidence, numberFacts, rounded, wordsAndNames, type NumberFacts } from './compare.js';
import { numberCore, numberKind, type NumberKind } from './numbers.js';
import { SlotTable } from './slot-table.js';
import { MAX_NAMES, MAX_NUMBERS, MAX_TERMS, SIG_SIZE, SKETCH_VERSION } from './sketch.js';
import type { StoryMember, StorySketch } from './types.js';

/** Candidates returned at most, best (most shared rare terms) first. */
export const MAX_CANDIDATES = 10;
// A term in more members than this is not looked up: it finds nothing worth confirming, and the cap bounds a
// lookup by MAX_TERMS × MAX_RARE_DF postings whatever the window's size.
export const MAX_RARE_DF = 256;
// Marks of a word in judgeAt: a name, a term (the rest of a mark is its epoch). A word's marks for the query
// and for the member being judged share one int32 per word, the query's in the high half, so the scratch
// costs 4 bytes per word of the vocabulary.
const MARK_NAME = 1;
const MARK_TERM = 2;
const MARK_BITS = 2;
const QUERY_SHIFT = 16;
const MEMBER_SHIFT = 0;
/** Epochs a half counts before it wraps (its marks are cleared then; exported for the wrap-around test). */
export const MARK_EPOCHS = (1 << (16 - MARK_BITS)) - 1;
// Words and slots at first (see Vocabulary.refs).
const FIRST_CAPACITY = 16;
// Growth of the arrays when full: 1.25 wastes at most a fifth of them, for a copy now and then (at
// 100,000 members a copy of every array takes a few milliseconds; doubling left 44 % of the word arrays
// unused at 147,719 words). Below DOUBLE_UNTIL they double: a cold fetch filling an empty window grew them
// 31 times on its way to 15,000 members (each a fresh set of zeroed arrays and a copy, 0.1 s of its main
// thread; 12 times now). DOUBLE_UNTIL is a step of the 1.25 sequence from 16, so a larger window has the
// same capacities, and memory, as with 1.25 all the way (16,384 gave 122,072 slots at 100,001 members, +21 %).
const GROWTH = 1.25;
const DOUBLE_UNTIL = 10837;

// The capacity after `cap` when the arrays are full.
function grown(cap: number): number {
  return cap < DOUBLE_UNTIL ? Math.min(cap * 2, DOUBLE_UNTIL) : Math.ceil(cap * GROWTH);
}

/** What the index knows of a cluster: when its first member was published, its members' sources, its size. */
export interface ClusterInfo {
  start: number;
  sources: string[];
  size: number;
}

/** Words (terms, names, numbers) interned with reference counts; terms also keep a postings list. */
class Vocabulary {
  readonly ids = new Map<string, number>();
  words: string[] = [];
  // Small at first, so the arrays grow while add() still runs in the interpreter: a growth first reached
  // from optimized code throws it away and compiles add() again (a cold `warta fetch` paid that twice).
  refs = new Int32Array(FIRST_CAPACITY);
  df = new Int32Array(FIRST_CAPACITY); // members whose terms hold the word
  heads = new Int32Array(FIRST_CAPACITY).fill(-1); // first posting (a term cell) of the word
  // Scratch of judging (StoryIndex.judgeAt): per word, the query's and the candidate's marks (MARK_*).
  marks = new Int32Array(FIRST_CAPACITY);
  // A number's kind and where its digits are (numberForm), read from its spelling when first judged; 0: not yet.
  forms = new Uint16Array(FIRST_CAPACITY);
  private readonly free: number[] = [];

  acquire(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.free.pop() ?? this.words.length;
      if (id >= this.refs.length) this.grow();
      // A copy of its own: `word` may be a slice pinning a whole article.
      const own = Buffer.from(word, 'utf16le').toString('utf16le');
      this.words[id] = own;
      this.ids.set(own, id);
      this.heads[id] = -1;
      this.df[id] = 0;
      this.marks[id] = 0;
      this.forms[id] = 0;
    }
    this.refs[id]!++;
    return id;
  }

  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    this.ids.delete(this.words[id]!);
    this.words[id] = '';
    this.free.push(id);
  }

  get distinct(): number {
    return this.ids.size;
  }

  private grow(): void {
    const cap = grown(this.refs.length);
    this.refs = growInt32(this.refs, cap, 0);
    this.df = growInt32(this.df, cap, 0);
    this.heads = growInt32(this.heads, cap, -1);
    this.marks = growInt32(this.marks, cap, 0);
    this.forms = growUint16(this.forms, cap);
  }
}

// The epoch after `epoch` in the half of the marks at `shift`; past MARK_EPOCHS that half is cleared and
// counting starts again (the other half keeps its marks: a query's outlive many members' epochs).
function nextEpoch(marks: Int32Array, epoch: number, shift: number): number {
  if (epoch < MARK_EPOCHS) return epoch + 1;
  const keep = ~(0xffff << shift);
  for (let id = 0; id < marks.length; id++) marks[id] = marks[id]! & keep;
  return 1;
}

// Marks `id` with `bit` in `epoch` in the half at `shift` (the bits of an earlier epoch are dropped).
function mark(marks: Int32Array, id: number, epoch: number, bit: number, shift: number): void {
  const m = marks[id]!;
  const half = (m >>> shift) & 0xffff;
  const next = (half >>> MARK_BITS === epoch ? half : epoch << MARK_BITS) | bit;
  marks[id] = (m & ~(0xffff << shift)) | (next << shift);
}

// The bits of `id` in `epoch` in the half at `shift` (0 when it was marked in another).
function marked(marks: Int32Array, id: number, epoch: number, shift: number): number {
  const half = (marks[id]! >>> shift) & 0xffff;
  return half >>> MARK_BITS === epoch ? half & ((1 << MARK_BITS) - 1) : 0;
}

// Number kinds by their code in a number's form (the code is the index + 1; 0 is "not read yet").
const KINDS: readonly NumberKind[] = ['money', 'score', 'date', 'percent', 'magnitude', 'measure', 'year', 'plain'];
// A form whose digits are not a slice it can say where (never for numbers sketchOf writes): read them again.
const CORE_UNKNOWN = 0xf;

/**
 * A number's kind and where its core (numberCore) lies in its spelling, in 16 bits: the kind's code (4 bits),
 * the core's start (4 bits) and the characters after it (8 bits). The core is a slice of the spelling
 * ("rp 1,7 miliar" → "1,7": start 3, 7 after), so it need not be kept as a string of its own.
 */
export function numberForm(value: string): number {
  const kind = KINDS.indexOf(numberKind(value)) + 1;
  const core = numberCore(value);
  const start = value.indexOf(core);
  const after = value.length - start - core.length;
  if (start < 0 || start >= CORE_UNKNOWN || after > 0xff) return kind | (CORE_UNKNOWN << 4);
  return kind | (start << 4) | (after << 8);
}

/** The kind of a number form. */
export function formKind(form: number): NumberKind {
  return KINDS[(form & 0xf) - 1]!;
}

/** The core of `value` by its form (numberCore(value), without reading the spelling again). */
export function formCore(value: string, form: number): string {
  const start = (form >>> 4) & 0xf;
  const after = form >>> 8;
  if (start === CORE_UNKNOWN) return numberCore(value);
  return start === 0 && after === 0 ? value : value.slice(start, value.length - after);
}

function growInt32(a: Int32Array<ArrayBuffer>, cap: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap).fill(fill);
  b.set(a);
  return b;
}

function growFloat64(a: Float64Array<ArrayBuffer>, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

function growUint8(a: Uint8Array<ArrayBuffer>, cap: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}

function growUint32(a: Uint32Array<ArrayBuffer>, cap: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}

function growUint16(a: Uint16Array<ArrayBuffer>, cap: number): Uint16Array<ArrayBuffer> {
  const b = new Uint16Array(cap);
  b.set(a);
  return b;
}

/** An in-memory index of the window's members: add, evict by time, find candidates, look up by item id. */
export class StoryIndex {
  private cap: number;
  private used = 0; // slots ever handed out (high-water mark)
  private live = 0;
  private readonly freeSlots: number[] = [];
  private readonly vocab = new Vocabulary();
  private readonly sourceIds = new Map<string, number>();
  private readonly sourceNames: string[] = [];
  private readonly slotOf = new SlotTable(); // slots by item id (itemIds)
  private readonly clusterHead = new SlotTable(); // a cluster's newest member by cluster id (clusterIds)
  private oldest = Infinity; // a lower bound of the live members' `published`

  private itemIds: Float64Array<ArrayBuffer>;
  private clusterIds: Float64Array<ArrayBuffer>;
  private published: Float64Array<ArrayBuffer>;
  private clusterStart: Float64Array<ArrayBuffer>;
  private sources: Int32Array<ArrayBuffer>; // -1: a free slot
  private clusterNext: Int32Array<ArrayBuffer>;
  private termCount: Uint8Array<ArrayBuffer>;
  private nameCount: Uint8Array<ArrayBuffer>;
  private numberCount: Uint8Array<ArrayBuffer>;
  private sigCount: Uint8Array<ArrayBuffer>;
  private terms: Int32Array<ArrayBuffer>; // word ids, MAX_TERMS cells per slot; a cell is also a posting
  private prev: Int32Array<ArrayBuffer>; // postings list links, per term cell
  private next: Int32Array<ArrayBuffer>;
  private names: Int32Array<ArrayBuffer>;
  private numbers: Int32Array<ArrayBuffer>;
  private sigs: Uint32Array<ArrayBuffer>;
  private counts: Int32Array<ArrayBuffer>; // scratch for candidates(): shared rare terms per slot
  private touched: Int32Array<ArrayBuffer>; // scratch for candidates(): the slots with a count
  private perScore = new Int32Array(4 * MAX_TERMS); // scratch for candidates(): slots per score (all 0 between calls)
  // The sketch judgeAt compares members with, as word ids of this index (-1: a word no member holds), with
  // its marks in vocab.marks (the query's half, epoch queryEpoch); null once the index changed.
  private query: StorySketch | null = null;
  private queryTerms = new Int32Array(MAX_TERMS);
  private queryTermIsName = new Uint8Array(MAX_TERMS);
  private queryNames = new Int32Array(MAX_NAMES);
  private queryNumbers: NumberFacts | null = null;
  // Both start at the last epoch, so the first call of each half wraps: the wrap's code runs in the interpreter
  // first (clearing a still empty half) and has its type feedback when judgeAt is optimized; first reached
  // after 16,383 judged candidates, it threw judgeAt's optimized code away (a recompile at ~2,000 items).
  private queryEpoch = MARK_EPOCHS;
  private memberEpoch = MARK_EPOCHS;

  /**
   * `initialCapacity`: members expected (the window's item count when rebuilding), to size the arrays once;
   * by default they start small and grow (see FIRST_CAPACITY).
   */
  constructor(initialCapacity = FIRST_CAPACITY) {
    this.cap = Math.max(16, initialCapacity);
    const c = this.cap;
    this.itemIds = new Float64Array(c);
    this.clusterIds = new Float64Array(c);
    this.published = new Float64Array(c);
    this.clusterStart = new Float64Array(c);
    this.sources = new Int32Array(c).fill(-1);
    this.clusterNext = new Int32Array(c).fill(-1);
    this.termCount = new Uint8Array(c);
    this.nameCount = new Uint8Array(c);
    this.numberCount = new Uint8Array(c);
    this.sigCount = new Uint8Array(c);
    this.terms = new Int32Array(c * MAX_TERMS);
    this.prev = new Int32Array(c * MAX_TERMS);
    this.next = new Int32Array(c * MAX_TERMS);
    this.names = new Int32Array(c * MAX_NAMES);
    this.numbers = new Int32Array(c * MAX_NUMBERS);
    this.sigs = new Uint32Array(c * SIG_SIZE);
    this.counts = new Int32Array(c);
    this.touched = new Int32Array(c);
  }

  /** Members in the index. */
  get size(): number {
    return this.live;
  }

  /** Distinct words (terms, names, numbers) the members hold. */
  get words(): number {
    return this.vocab.distinct;
  }

  /** Adds a member (replacing one with the same item id). Terms, names and numbers past the sketch limits are ignored. */
  add(member: StoryMember): void {
    this.query = null;
    const existing = this.slotOf.get(member.itemId, this.itemIds);
    if (existing !== -1) this.remove(existing);
    const slot = this.freeSlots.pop() ?? this.nextSlot();
    const { sketch } = member;
    this.itemIds[slot] = member.itemId;
    this.clusterIds[slot] = member.clusterId;
    this.published[slot] = member.published;
    this.sources[slot] = this.sourceId(member.sourceId);

    const tn = Math.min(sketch.terms.length, MAX_TERMS);
    this.termCount[slot] = tn;
    for (let k = 0; k < tn; k++) {
      const id = this.vocab.acquire(sketch.terms[k]!);
      const cell = slot * MAX_TERMS + k;
      this.terms[cell] = id;
      // Linked at the head of the term's postings: the newest members are found first.
      const head = this.vocab.heads[id]!;
      this.prev[cell] = -1;
      this.next[cell] = head;
      if (head !== -1) this.prev[head] = cell;
      this.vocab.heads[id] = cell;
      this.vocab.df[id]!++;
    }
    this.nameCount[slot] = this.putWords(sketch.names, this.names, slot * MAX_NAMES, MAX_NAMES);
    this.numberCount[slot] = this.putWords(sketch.numbers, this.numbers, slot * MAX_NUMBERS, MAX_NUMBERS);
    const sn = Math.min(sketch.sig.length, SIG_SIZE);
    this.sigCount[slot] = sn;
    for (let k = 0; k < sn; k++) this.sigs[slot * SIG_SIZE + k] = sketch.sig[k]!;

    this.joinCluster(slot, member.clusterId, member.clusterStart ?? member.published);
    this.slotOf.set(member.itemId, slot, this.itemIds);
    this.live++;
    if (member.published < this.oldest) this.oldest = member.published;
  }

  /** Removes the members published before `ms` (ms since the epoch); returns how many. */
  evictBefore(ms: number): number {
    if (!(ms > this.oldest)) return 0;
    let evicted = 0;
    let oldest = Infinity;
    for (let slot = 0; slot < this.used; slot++) {
      if (this.sources[slot] === -1) continue;
      const published = this.published[slot]!;
      if (published < ms) {
        this.remove(slot);
        evicted++;
      } else if (published < oldest) oldest = published;
    }
    this.oldest = oldest;
    return evicted;
  }

  /** Removes one member; false when it is not in the index. */
  delete(itemId: number): boolean {
    const slot = this.slotOf.get(itemId, this.itemIds);
    if (slot === -1) return false;
    this.remove(slot);
    return true;
  }

  /** The member of an item, or undefined. */
  get(itemId: number): StoryMember | undefined {
    const slot = this.slotOf.get(itemId, this.itemIds);
    return slot === -1 ? undefined : this.memberAt(slot);
  }

  /** The cluster of an item, or undefined when it is not in the index (get() without building the member). */
  clusterOf(itemId: number): number | undefined {
    const slot = this.slotOf.get(itemId, this.itemIds);
    return slot === -1 ? undefined : this.clusterIds[slot]!;
  }

  /** The cluster's first publication time, its members' sources and size; undefined for a cluster with no member here. */
  cluster(clusterId: number): ClusterInfo | undefined {
    let slot = this.clusterHead.get(clusterId, this.clusterIds);
    if (slot === -1) return undefined;
    const sources: string[] = [];
    let size = 0;
    const start = this.clusterStart[slot]!;
    for (; slot !== -1; slot = this.clusterNext[slot]!) {
      const source = this.sourceNames[this.sources[slot]!]!;
      if (!sources.includes(source)) sources.push(source);
      size++;
    }
    return { start, sources, size };
  }

  /**
   * Whether an item of `sourceId` published at `published` may join the cluster (cluster() without building
   * it): the cluster has a member here, none from that source, and starts within `windowMs` of it.
   */
  joinable(clusterId: number, sourceId: string, published: number, windowMs: number): boolean {
    let slot = this.clusterHead.get(clusterId, this.clusterIds);
    if (slot === -1 || Math.abs(published - this.clusterStart[slot]!) > windowMs) return false;
    const source = this.sourceIds.get(sourceId);
    if (source === undefined) return true;
    for (; slot !== -1; slot = this.clusterNext[slot]!) if (this.sources[slot] === source) return false;
    return true;
  }

  /**
   * Members sharing rare terms with `sketch`, most shared first, at most MAX_CANDIDATES; members of `sourceId`
   * are left out (within one source nothing clusters). Candidates still need confirming (compareSketches).
   */
  candidates(sketch: StorySketch, sourceId?: string): StoryMember[] {
    return this.candidateSlots(sketch, sourceId).map((slot) => this.memberAt(slot));
  }

  /** candidates() as slots (itemAt, clusterAt, judgeAt read them), without building the members. */
  candidateSlots(sketch: StorySketch, sourceId?: string): number[] {
    this.prepare(sketch);
    const exclude = sourceId === undefined ? -2 : (this.sourceIds.get(sourceId) ?? -2);
    const touched = this.touched;
    let touchedCount = 0;
    let looked = 0;
    let best = 0;
    // Locals: the postings walk is the index's hot loop (up to MAX_TERMS × MAX_RARE_DF cells per lookup), and
    // V8 reloads a field through `this` on every step where it cannot prove a typed-array store leaves it alone.
    const { df: dfOf, heads } = this.vocab;
    const next = this.next;
    const sources = this.sources;
    const counts = this.counts;
    const ids = this.queryTerms;
    for (let k = 0; k < sketch.terms.length; k++) {
      const id = ids[k]!;
      if (id === -1) continue;
      const df = dfOf[id]!;
      if (df === 0 || df > MAX_RARE_DF) continue;
      looked++;
      // The rarer the shared word, the more it says: a volcano's or a regent's name beats "erupsi".
      const weight = df <= 16 ? 3 : df <= 64 ? 2 : 1;
      // Counting only: the source's own members and the best score are left to the pass over the touched slots
      // below, which sees each slot once where this loop sees it once per shared word.
      for (let cell = heads[id]!; cell !== -1; cell = next[cell]!) {
        const slot = (cell / MAX_TERMS) | 0;
        const count = counts[slot]!;
        if (count === 0) touched[touchedCount++] = slot;
        counts[slot] = count + weight;
      }
    }
    // One shared word of middling rarity is chance when the sketch has many; more is needed then.
    const need = looked >= 6 ? 3 : 1;
    // How many slots hold each score (the source's own members and those below `need` are dropped here), so
    // that only the scores which fill MAX_CANDIDATES are sorted: a lookup touches hundreds of slots while the
    // window is small and its words are not yet common, and sorting them all was most of its cost.
    let perScore = this.perScore;
    for (let k = 0; k < touchedCount; k++) {
      const slot = touched[k]!;
      const score = counts[slot]!;
      if (score < need || sources[slot] === exclude) {
        counts[slot] = 0;
        continue;
      }
      if (score >= perScore.length) perScore = this.perScore = growInt32(perScore, score * 2, 0);
      perScore[score]!++;
      if (score > best) best = score;
    }
    // The lowest score still needed: the scores from the best down until they hold MAX_CANDIDATES slots.
    let lowest = need;
    for (let score = best, held = 0; score >= need; score--) {
      if (held < MAX_CANDIDATES) {
        held += perScore[score]!;
        lowest = score;
      }
      perScore[score] = 0;
    }
    // Best first by a counting sort over those scores, newest first within a score.
    const byScore: number[][] = [];
    for (let k = 0; k < touchedCount; k++) {
      const slot = touched[k]!;
      const score = counts[slot]!;
      counts[slot] = 0;
      if (score >= lowest) (byScore[score] ??= []).push(slot);
    }
    const out: number[] = [];
    for (let score = best; score >= need && out.length < MAX_CANDIDATES; score--) {
      const slots = byScore[score];
      if (slots === undefined) continue;
      for (const slot of this.newest(slots, MAX_CANDIDATES - out.length)) out.push(slot);
    }
    return out;
  }

  /** The item id of a slot candidateSlots gave (valid until the index changes). */
  itemAt(slot: number): number {
    return this.itemIds[slot]!;
  }

  /** The cluster id of a slot candidateSlots gave. */
  clusterAt(slot: number): number {
    return this.clusterIds[slot]!;
  }

  /**
   * judge(sketch, the member at `slot`, threshold) on word ids, without building the member: its rounded
   * similarity when they are the same story, else -1. The same arithmetic as judge (wordsAndNames,
   * numberEvidence), the same decisions (test/unit/stories-index.test.ts compares the two).
   */
  judgeAt(slot: number, sketch: StorySketch, threshold: number): number {
    if (this.query !== sketch) this.prepare(sketch);
    const v = this.vocab;
    const marks = v.marks;
    const epoch = (this.memberEpoch = nextEpoch(marks, this.memberEpoch, MEMBER_SHIFT));
    const queryEpoch = this.queryEpoch;
    const nameCount = this.nameCount[slot]!;
    const termCount = this.termCount[slot]!;
    const names = this.names;
    const terms = this.terms;
    for (let k = 0; k < nameCount; k++) mark(marks, names[slot * MAX_NAMES + k]!, epoch, MARK_NAME, MEMBER_SHIFT);
    for (let k = 0; k < termCount; k++) mark(marks, terms[slot * MAX_TERMS + k]!, epoch, MARK_TERM, MEMBER_SHIFT);

    // Names (nameEvidence): one of the query's is shared when the member has it as a name or a term.
    let shared = 0;
    let differing = 0;
    const queryNames = this.queryNames;
    // Counted without branches: a counter first reached after the function was optimized costs a recompile.
    for (let k = 0; k < sketch.names.length; k++) {
      const id = queryNames[k]!;
      const has = id !== -1 && marked(marks, id, epoch, MEMBER_SHIFT) !== 0 ? 1 : 0;
      shared += has;
      differing += 1 - has;
    }
    for (let k = 0; k < nameCount; k++) {
      const q = marked(marks, names[slot * MAX_NAMES + k]!, queryEpoch, QUERY_SHIFT);
      const counts = q & MARK_NAME ? 0 : 1; // a name the query has counted above
      const has = q & MARK_TERM ? counts : 0;
      shared += has;
      differing += counts - has;
    }
    // The event's words (eventSimilarity): the terms that are no side's name.
    let na = 0;
    let nb = 0;
    let common = 0;
    const queryTerms = this.queryTerms;
    const queryTermIsName = this.queryTermIsName;
    for (let k = 0; k < sketch.terms.length; k++) {
      const id = queryTerms[k]!;
      const m = id === -1 ? 0 : marked(marks, id, epoch, MEMBER_SHIFT);
      if (queryTermIsName[k] || m & MARK_NAME) continue;
      na++;
      if (m & MARK_TERM) common++;
    }
    for (let k = 0; k < termCount; k++) {
      const id = terms[slot * MAX_TERMS + k]!;
      if ((marked(marks, id, epoch, MEMBER_SHIFT) | marked(marks, id, queryEpoch, QUERY_SHIFT)) & MARK_NAME) continue;
      nb++;
    }
    const event = na === 0 || nb === 0 ? 0 : common / Math.sqrt(na * nb);
    // The signature (signatureSimilarity).
    const n = Math.min(sketch.sig.length, this.sigCount[slot]!);
    let equal = 0;
    for (let k = 0; k < n; k++) if (sketch.sig[k] === this.sigs[slot * SIG_SIZE + k]) equal++;
    const signature = n === 0 ? 0 : equal / n;

    const base = wordsAndNames(Math.max(event, signature), shared, differing, sketch.names.length, nameCount);
    const { similarity, decisive } = this.queryNumbers !== null && this.numberCount[slot]! > 0 ? numberEvidence(this.queryNumbers, this.numberFactsAt(slot), base) : { similarity: base, decisive: false };
    return !decisive && similarity >= threshold ? rounded(similarity) : -1;
  }

  // The sketch judgeAt compares with, as word ids and marks.
  private prepare(sketch: StorySketch): void {
    this.query = sketch;
    const v = this.vocab;
    const marks = v.marks;
    const epoch = (this.queryEpoch = nextEpoch(marks, this.queryEpoch, QUERY_SHIFT));
    if (sketch.terms.length > this.queryTerms.length) {
      this.queryTerms = new Int32Array(sketch.terms.length);
      this.queryTermIsName = new Uint8Array(sketch.terms.length);
    }
    if (sketch.names.length > this.queryNames.length) this.queryNames = new Int32Array(sketch.names.length);
    for (let k = 0; k < sketch.names.length; k++) {
      const id = v.ids.get(sketch.names[k]!) ?? -1;
      this.queryNames[k] = id;
      if (id !== -1) mark(marks, id, epoch, MARK_NAME, QUERY_SHIFT);
    }
    for (let k = 0; k < sketch.terms.length; k++) {
      const term = sketch.terms[k]!;
      const id = v.ids.get(term) ?? -1;
      this.queryTerms[k] = id;
      this.queryTermIsName[k] = (id === -1 ? sketch.names.includes(term) : (marked(marks, id, epoch, QUERY_SHIFT) & MARK_NAME) !== 0) ? 1 : 0;
      if (id !== -1) mark(marks, id, epoch, MARK_TERM, QUERY_SHIFT);
    }
    this.queryNumbers = sketch.numbers.length > 0 ? numberFacts(sketch.numbers) : null;
  }

  // A member's numbers with their kinds and digits (a number's form is read once while it is held).
  private numberFactsAt(slot: number): NumberFacts {
    const v = this.vocab;
    const values: string[] = [];
    const kinds: NumberKind[] = [];
    const cores: string[] = [];
    for (let k = 0; k < this.numberCount[slot]!; k++) {
      const id = this.numbers[slot * MAX_NUMBERS + k]!;
      const value = v.words[id]!;
      values.push(value);
      const form = v.forms[id] || (v.forms[id] = numberForm(value));
      kinds.push(formKind(form));
      cores.push(formCore(value, form));
    }
    return { values, kinds, cores };
  }

  /**
   * The `k` newest of `slots`, newest first, equal times in the order given: what a stable sort by time would
   * put first, without sorting them all (a common score holds thousands of members in a full window, and the
   * sort was most of a lookup's cost).
   */
  private newest(slots: readonly number[], k: number): number[] {
    const published = this.published;
    const top: number[] = [];
    for (const slot of slots) {
      const p = published[slot]!;
      let at = top.length;
      while (at > 0 && published[top[at - 1]!]! < p) at--;
      if (at >= k) continue;
      top.splice(at, 0, slot);
      if (top.length > k) top.pop();
    }
    return top;
  }

  private nextSlot(): number {
    if (this.used === this.cap) this.grow();
    return this.used++;
  }

  private grow(): void {
    const c = grown(this.cap);
    this.itemIds = growFloat64(this.itemIds, c);
    this.clusterIds = growFloat64(this.clusterIds, c);
    this.published = growFloat64(this.published, c);
    this.clusterStart = growFloat64(this.clusterStart, c);
    this.sources = growInt32(this.sources, c, -1);
    this.clusterNext = growInt32(this.clusterNext, c, -1);
    this.termCount = growUint8(this.termCount, c);
    this.nameCount = growUint8(this.nameCount, c);
    this.numberCount = growUint8(this.numberCount, c);
    this.sigCount = growUint8(this.sigCount, c);
    this.terms = growInt32(this.terms, c * MAX_TERMS, 0);
    this.prev = growInt32(this.prev, c * MAX_TERMS, 0);
    this.next = growInt32(this.next, c * MAX_TERMS, 0);
    this.names = growInt32(this.names, c * MAX_NAMES, 0);
    this.numbers = growInt32(this.numbers, c * MAX_NUMBERS, 0);
    this.sigs = growUint32(this.sigs, c * SIG_SIZE);
    this.counts = growInt32(this.counts, c, 0);
    this.touched = new Int32Array(c);
    this.cap = c;
  }

  private sourceId(source: string): number {
    let id = this.sourceIds.get(source);
    if (id === undefined) {
      id = this.sourceNames.length;
      this.sourceNames.push(source);
      this.sourceIds.set(source, id);
    }
    return id;
  }

  private putWords(words: readonly string[], into: Int32Array, at: number, max: number): number {
    const n = Math.min(words.length, max);
    for (let k = 0; k < n; k++) into[at + k] = this.vocab.acquire(words[k]!);
    return n;
  }

  private joinCluster(slot: number, clusterId: number, start: number): void {
    const head = this.clusterHead.get(clusterId, this.clusterIds);
    if (head === -1) {
      this.clusterStart[slot] = start;
      this.clusterNext[slot] = -1;
    } else {
      const earliest = Math.min(start, this.clusterStart[head]!);
      // An earlier member arriving late moves the cluster's start for every member.
      if (earliest < this.clusterStart[head]!) for (let s = head; s !== -1; s = this.clusterNext[s]!) this.clusterStart[s] = earliest;
      this.clusterStart[slot] = earliest;
      this.clusterNext[slot] = head;
    }
    this.clusterHead.set(clusterId, slot, this.clusterIds);
  }

  private leaveCluster(slot: number): void {
    const clusterId = this.clusterIds[slot]!;
    const head = this.clusterHead.get(clusterId, this.clusterIds);
    if (head === slot) {
      const rest = this.clusterNext[slot]!;
      if (rest === -1) this.clusterHead.delete(clusterId, this.clusterIds);
      else this.clusterHead.set(clusterId, rest, this.clusterIds);
    } else {
      let s = head;
      while (this.clusterNext[s] !== slot) s = this.clusterNext[s]!;
      this.clusterNext[s] = this.clusterNext[slot]!;
    }
    this.clusterNext[slot] = -1;
  }

  private remove(slot: number): void {
    this.query = null;
    for (let k = 0; k < this.termCount[slot]!; k++) {
      const cell = slot * MAX_TERMS + k;
      const id = this.terms[cell]!;
      const before = this.prev[cell]!;
      const after = this.next[cell]!;
      if (before === -1) this.vocab.heads[id] = after;
      else this.next[before] = after;
      if (after !== -1) this.prev[after] = before;
      this.vocab.df[id]!--;
      this.vocab.release(id);
    }
    for (let k = 0; k < this.nameCount[slot]!; k++) this.vocab.release(this.names[slot * MAX_NAMES + k]!);
    for (let k = 0; k < this.numberCount[slot]!; k++) this.vocab.release(this.numbers[slot * MAX_NUMBERS + k]!);
    this.leaveCluster(slot);
    this.slotOf.delete(this.itemIds[slot]!, this.itemIds);
    this.sources[slot] = -1;
    this.termCount[slot] = this.nameCount[slot] = this.numberCount[slot] = this.sigCount[slot] = 0;
    this.freeSlots.push(slot);
    this.live--;
  }

  private memberAt(slot: number): StoryMember {
    const words = this.vocab.words;
    const terms: string[] = [];
    for (let k = 0; k < this.termCount[slot]!; k++) terms.push(words[this.terms[slot * MAX_TERMS + k]!]!);
    const names: string[] = [];
    for (let k = 0; k < this.nameCount[slot]!; k++) names.push(words[this.names[slot * MAX_NAMES + k]!]!);
    const numbers: string[] = [];
    for (let k = 0; k < this.numberCount[slot]!; k++) numbers.push(words[this.numbers[slot * MAX_NUMBERS + k]!]!);
    const sig = Array.from(this.sigs.subarray(slot * SIG_SIZE, slot * SIG_SIZE + this.sigCount[slot]!));
    return {
      itemId: this.itemIds[slot]!,
      clusterId: this.clusterIds[slot]!,
      sourceId: this.sourceNames[this.sources[slot]!]!,
      published: this.published[slot]!,
      clusterStart: this.clusterStart[slot]!,
      sketch: { v: SKETCH_VERSION, terms, sig, names, numbers },
    };
  }
}
