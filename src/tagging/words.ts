/**
 * Splitting text into comparable words. A word is a run of Unicode letters and digits, folded so that case,
 * compatibility forms and diacritics do not matter: "LUKAŠENKO", "Lukašenko" and "Lukasenko" are one word.
 * Everything else separates words, so "Rusia-Belarusia" is two words and "Belarusia" never contains "rusia".
 * The loop is hand-written (not a regex over normalized text) because the offsets must point into the
 * original text for explanations, and NFKC/NFD change lengths.
 */

/**
 * Receives each word: its folded form and its UTF-16 span [start, end) in the original text; with an
 * Interner, also the value the interner keeps for that word.
 */
export type WordSink<T = void> = (word: string, start: number, end: number, value: T) => void;

// An apostrophe between two letters is part of the word and dropped: Jum'at, Jum’at, Jumʼat → "jumat".
// U+2018 is included because feeds often type the left quote where they mean the apostrophe.
const APOSTROPHES = new Set([0x27, 0x2018, 0x2019, 0x02bc]);

// Invisible characters that publishers put inside words (soft hyphen for line breaking, joiners):
// they must not split "Ru\u00ADsia".
const JOINERS = new Set([0x00ad, 0x200c, 0x200d, 0x2060]);

const MARK = /^\p{M}+$/u;
const NOT_WORD_CHARS = /[^\p{L}\p{N}]/gu;
const MARKS = /\p{M}/gu;

/**
 * Folds one code point: the letters/digits it stands for (lower-case, no diacritics, NFKD compatibility
 * forms), '' for a character that joins without adding letters (combining marks, soft hyphen), or null for
 * a separator.
 */
export function foldCodePoint(cp: number): string | null {
  if (cp < 0x80) return ASCII_FOLD[cp] ?? null;
  if (cp < TABLE_END) return TABLE[cp] ?? null;
  return computeFold(cp);
}

function computeFold(cp: number): string | null {
  if (JOINERS.has(cp)) return '';
  if (APOSTROPHES.has(cp)) return null; // ʼ is a letter (Lm) to Unicode; forEachWord drops it inside words
  const ch = String.fromCodePoint(cp);
  if (MARK.test(ch)) return '';
  // Lower-casing can itself produce marks (İ → i + U+0307), so decompose again after it. ß and final
  // sigma are the two case-folding differences from toLowerCase() that matter in news text.
  const folded = ch
    .normalize('NFKD')
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(/ß/g, 'ss')
    .replace(/ς/g, 'σ')
    .replace(NOT_WORD_CHARS, '');
  return folded === '' ? null : folded;
}

const ASCII_FOLD: (string | null)[] = Array.from({ length: 0x80 }, (_, c) =>
  /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? String.fromCharCode(c).toLowerCase() : null,
);

// Latin-1, Latin Extended A/B and General Punctuation cover nearly every non-ASCII character in Indonesian
// and European news; computing them once keeps normalize() out of the per-item loop.
const TABLE_END = 0x2070;
const TABLE: (string | null)[] = Array.from({ length: TABLE_END }, (_, cp) => (cp < 0x80 ? null : computeFold(cp)));

function isWordAt(text: string, i: number): boolean {
  if (i >= text.length) return false;
  const folded = foldCodePoint(text.codePointAt(i)!);
  return folded !== null && folded !== '';
}

// For ASCII letters and digits, the folded (lower-case) code; 0 for every other ASCII character.
const ASCII_FOLDED = Uint8Array.from({ length: 0x80 }, (_, c) => ASCII_FOLD[c]?.charCodeAt(0) ?? 0);

// The text being scanned, copied as UTF-16 code units: reading a typed array costs about half as much per
// character as charCodeAt on the cons and sliced strings that HTML extraction and feeds produce (measured:
// 2.1 vs 3.3 ns on a flat string, 6.2 on a flattened cons), and Buffer#write copies natively. Shared by
// every call; a nested call (a sink that tokenizes) gets a copy of its own.
let shared: Uint16Array = new Uint16Array(4096);
const SHARED_KEPT = 1 << 17; // code units (256 KiB): longer than nearly every article
let scanning = false;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function codesOf(text: string, into: Uint16Array | null): Uint16Array {
  const codes = into !== null && into.length >= text.length ? into : new Uint16Array(Math.max(text.length * 2, 4096));
  if (LITTLE_ENDIAN) Buffer.from(codes.buffer, codes.byteOffset, codes.byteLength).write(text, 0, 'utf16le');
  else for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

/**
 * Calls `sink` for each word of `text`, in order. With `interner`, each word arrives as the interner's one
 * copy of that string, with the interner's value for it.
 */
export function forEachWord(text: string, sink: WordSink): void;
export function forEachWord<T>(text: string, sink: WordSink<T>, interner: Interner<T>): void;
export function forEachWord<T>(text: string, sink: WordSink<T | undefined>, interner?: Interner<T>): void {
  if (scanning) return scan(text, codesOf(text, null), sink, interner);
  scanning = true;
  try {
    shared = codesOf(text, shared);
    scan(text, shared, sink, interner);
  } finally {
    scanning = false;
    // One huge field must not pin its copy for the life of the process.
    if (shared.length > SHARED_KEPT) shared = new Uint16Array(4096);
  }
}

function scan<T>(text: string, codes: Uint16Array, sink: WordSink<T | undefined>, interner: Interner<T> | undefined): void {
  const n = text.length;
  let general: WordSink | null = null; // the sink for words off the fast path, interned when asked
  let i = 0;
  while (i < n) {
    const c = codes[i]!;
    if (c < 0x80) {
      let f = ASCII_FOLDED[c]!;
      if (f === 0) {
        i++;
        continue;
      }
      // Fast path: most words in Indonesian news are plain ASCII, folded by lower-casing. The hash of the
      // folded codes lets an interner find the word unsliced.
      const start = i;
      let hash = f;
      let d = 0;
      for (i++; i < n; i++) {
        d = codes[i]!;
        if (d >= 0x80 || (f = ASCII_FOLDED[d]!) === 0) break;
        hash = (Math.imul(hash, 31) + f) | 0;
      }
      if (i < n && (d >= 0x80 || d === 0x27)) { // the other apostrophes are not ASCII
        i = foldWordAt(text, start, (general ??= generalSink(sink, interner)));
      } else if (interner) {
        const entry = interner.ascii(codes, text, start, i, hash);
        sink(entry.word, start, i, entry.value);
      } else {
        sink(text.slice(start, i).toLowerCase(), start, i, undefined);
      }
    } else {
      const f = foldCodePoint(text.codePointAt(i)!);
      if (f === null || f === '') i += c >= 0xd800 && c < 0xdc00 ? 2 : 1;
      else i = foldWordAt(text, i, (general ??= generalSink(sink, interner)));
    }
  }
}

function generalSink<T>(sink: WordSink<T | undefined>, interner: Interner<T> | undefined): WordSink {
  if (!interner) return sink as WordSink;
  return (word, start, end) => {
    const entry = interner.of(word);
    sink(entry.word, start, end, entry.value);
  };
}

/** One folded word as an Interner keeps it. */
export interface WordEntry<T> {
  word: string;
  value: T;
}

// An entry as a class instance, not an object literal: a literal's allocation site carries V8's feedback
// (pretenuring), and the entries are long-lived, so that feedback changed after the code that creates them
// (Interner.of, inlined into its callers) was optimized, throwing the story sketch's fieldWordsRead away
// once per process (`node --trace-deopt`: "code dependencies"; a recompile of ~5 ms).
class Entry<T> implements WordEntry<T> {
  // Assigned in the constructor only (no field initializers to run first).
  declare readonly word: string;
  declare readonly value: T;
  constructor(word: string, value: T) {
    this.word = word;
    this.value = value;
  }
}

/**
 * The folded words of many texts, each kept once with a value computed on first sight (the tagger keeps the
 * vocabulary ids a word carries). Plain ASCII words are found again straight from the text through a
 * direct-mapped table on the hash forEachWord computes while scanning: no slice, no lower-casing, no string
 * hashing per token, and equal words are the same string, so comparing them is a pointer compare.
 */
export class Interner<T> {
  private readonly map = new Map<string, WordEntry<T>>();
  private slots: (WordEntry<T> | undefined)[];
  private readonly mask: number;

  /** `limit` bounds the words kept (a daemon reads unbounded vocabulary); past it the table starts afresh. */
  constructor(private readonly valueOf: (word: string) => T, private readonly limit = 200_000, bits = 14) {
    this.mask = (1 << bits) - 1;
    this.slots = new Array<WordEntry<T> | undefined>(1 << bits).fill(undefined);
  }

  /**
   * The entry for text[start, end): ASCII letters and digits, also given as `codes` (text's UTF-16 code
   * units), with forEachWord's hash of its folded codes.
   */
  ascii(codes: Uint16Array, text: string, start: number, end: number, hash: number): WordEntry<T> {
    const slot = hash & this.mask;
    const seen = this.slots[slot];
    if (seen !== undefined && seen.word.length === end - start) {
      let k = 0;
      while (k < end - start && (codes[start + k]! | 0x20) === seen.word.charCodeAt(k)) k++;
      if (k === end - start) return seen;
    }
    const entry = this.of(text.slice(start, end).toLowerCase());
    this.slots[slot] = entry;
    return entry;
  }

  /** The entry for a folded word. */
  of(word: string): WordEntry<T> {
    let entry = this.map.get(word);
    if (entry === undefined) {
      if (this.map.size >= this.limit) {
        this.map.clear();
        this.slots.fill(undefined);
      }
      // A copy of its own: `word` may be a V8 slice that keeps a whole article's text alive for as long as
      // the table keeps the word.
      const own = Buffer.from(word, 'utf16le').toString('utf16le');
      entry = new Entry(own, this.valueOf(own));
      this.map.set(word, entry);
    }
    return entry;
  }
}

// The general case, for a word starting at `start` that has non-ASCII letters, marks or apostrophes:
// folds code point by code point; returns the index after the word.
function foldWordAt(text: string, start: number, sink: WordSink): number {
  const n = text.length;
  let folded = '';
  let end = start;
  let i = start;
  while (i < n) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const f = foldCodePoint(cp);
    if (f === null) {
      if (!(APOSTROPHES.has(cp) && isWordAt(text, i + width))) break; // an apostrophe inside is dropped
    } else if (f !== '') {
      folded += f;
      end = i + width;
    } else {
      end = i + width; // a combining mark or soft hyphen belongs to the word but adds no letters
    }
    i += width;
  }
  sink(folded, start, end);
  return end;
}

/** The folded words of `text`, e.g. "Putin–Lukashenko bertemu di Minsk" → putin, lukashenko, bertemu, di, minsk. */
export function foldWords(text: string): string[] {
  const words: string[] = [];
  forEachWord(text, (word) => words.push(word));
  return words;
}
