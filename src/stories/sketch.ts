/**
 * An item's similarity sketch: the distinctive words of its title and lead (terms), a MinHash signature over
 * word pairs, and the names and numbers that tell one story from another on the same topic. Built from the
 * text as tagging reads it (htmlToText, forEachWord's folding), so "Lukašenko" and "LUKASHENKO" agree; at ingest
 * from tagging's own reading of the item (ScannedText), so the text is converted and split once.
 */
import { htmlToText } from '../base/html-text.js';
import type { ScannedField, ScannedText } from '../tagging/types.js';
import { fieldWords, fieldWordsRead, rootOf, type FieldWords } from './field-words.js';
import { namesOfWords } from './names.js';
import { numbersOf } from './numbers.js';
import type { StorySketch, StoryText } from './types.js';

/** Version of the sketch algorithm; a sketch of another version is rebuilt, never compared. */
export const SKETCH_VERSION = 2;
/** Terms kept per sketch: the title's and the lead's come first, so rewrites of one lead share most of them. */
export const MAX_TERMS = 24;
/** Values in a signature. */
export const SIG_SIZE = 8;
/** Names and numbers kept per sketch. */
export const MAX_NAMES = 12;
export const MAX_NUMBERS = 12;
// Only the start of an article counts: rewrites share the lead and diverge later (background, quotes, ads).
const MAX_TEXT = 4000;
const MAX_SHINGLE_WORDS = 200;

function plain(html: string | null): string {
  if (html === null || html === '') return '';
  const text = htmlToText(html.length > MAX_TEXT * 4 ? html.slice(0, MAX_TEXT * 4) : html);
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/**
 * The words of one field as the sketch reads them: of plain(source), taken from tagging's reading of the same
 * field when the caller has it (`scanned`) and it read the same text, else read here. `converted`: tagging read
 * the field through htmlToText (summary, content), not as it is (the title).
 */
function readField(source: string, scanned: ScannedField | undefined, converted: boolean): FieldWords {
  // Past MAX_TEXT * 4 plain() converts only the start of the HTML, which may end otherwise than the whole.
  if (scanned === undefined || scanned.source !== source || source.length > MAX_TEXT * 4) return fieldWords(plain(source));
  const text = scanned.text;
  // A text tagging did not read (a field it left out) must not pass for an empty one.
  if (converted ? text === '' && source !== '' : source !== '' && htmlToText(source) !== text) return fieldWords(plain(source));
  const { words, starts, ends } = scanned;
  if (text.length <= MAX_TEXT) return fieldWordsRead(text, words, starts, ends, words.length, false);
  // The words wholly inside the start the sketch keeps; a word across the cut is read again, cut as plain() cuts it.
  let count = 0;
  while (count < ends.length && ends[count]! <= MAX_TEXT) count++;
  return fieldWordsRead(text.slice(0, MAX_TEXT), words, starts, ends, count, true);
}

/**
 * The sketch of an item's text (HTML fields are read as a reader sees them). Never throws. Each field is read
 * once; names, terms and the signature come from that one reading. `scanned`: the words tagging read of the
 * same item (src/tagging classify), reused where it read the same text, for exactly the sketch without it.
 */
export function sketchOf(text: StoryText, scanned?: ScannedText): StorySketch {
  const fields = [readField(text.title ?? '', scanned?.title, false), readField(text.summary ?? '', scanned?.summary, true), readField(text.content ?? '', scanned?.content, true)];
  const texts = [fields[0]!.text, fields[1]!.text, fields[2]!.text];
  const names = namesOfWords(fields, MAX_NAMES);
  const nameSet = new Set(names);
  const order: string[] = [];
  const seen = new Set<string>();
  // The signature is over the words as written (near-verbatim copies agree on them): their hashes.
  const stream = new Uint32Array(MAX_SHINGLE_WORDS);
  let streamed = 0;
  for (let f = 0; f < fields.length; f++) {
    const words = fields[f]!.facts;
    for (let w = 0; w < words.length; w++) {
      const facts = words[w]!;
      if (!facts.term) continue;
      if (streamed < MAX_SHINGLE_WORDS) stream[streamed++] = facts.hash;
      else if (order.length >= MAX_TERMS) break;
      if (order.length >= MAX_TERMS) continue;
      // Names are kept as written: compareSketches looks them up among the other side's terms.
      const term = nameSet.has(facts.word) ? facts.word : rootOf(facts);
      if (!seen.has(term)) {
        seen.add(term);
        order.push(term);
      }
    }
  }
  return {
    v: SKETCH_VERSION,
    terms: sortStrings(order),
    sig: minHash(stream.subarray(0, streamed)),
    names,
    numbers: numbersOf(texts.join('\n'), MAX_NUMBERS),
  };
}

// `words` (distinct, at most MAX_TERMS) sorted in place by UTF-16 code units, as Array#sort's default order
// sorts strings: an insertion sort, where the builtin (TimSort, each comparison through String()) took 1.6× the
// CPU time on 24 words (100,000 sorts of 24 made-up words, the copies included).
function sortStrings(words: string[]): string[] {
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    let j = i - 1;
    while (j >= 0 && words[j]! > w) {
      words[j + 1] = words[j]!;
      j--;
    }
    words[j + 1] = w;
  }
  return words;
}

// A murmur3 finalizer per signature slot (seeded): cheap, well mixed.
function mix(h: number, seed: number): number {
  return finish(h ^ Math.imul(seed, GOLDEN));
}

const GOLDEN = 0x9e3779b1;

// murmur3's finalizer of x (an int32 or uint32: the same bits).
function finish(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

// mix(shingle, k + 1)'s seed term for each slot k, computed once.
const S1 = Math.imul(1, GOLDEN);
const S2 = Math.imul(2, GOLDEN);
const S3 = Math.imul(3, GOLDEN);
const S4 = Math.imul(4, GOLDEN);
const S5 = Math.imul(5, GOLDEN);
const S6 = Math.imul(6, GOLDEN);
const S7 = Math.imul(7, GOLDEN);
const S8 = Math.imul(8, GOLDEN);

/**
 * MinHash over the word pairs of a text (folded, stop words out), given as the FNV-1a hashes of its words
 * (single words when there is only one): [] for no words. A pair's hash combines its two words' (no pair
 * strings are built). Each slot k keeps the least mix(shingle, k + 1); the eight slots are locals (SIG_SIZE),
 * their seeds computed once: this loop runs for every pair of a sketch's first 200 terms. Written out on purpose:
 * the same loop over a Uint32Array of slots with a seed table (no repeated lines) measured +0.2e9 instructions in
 * bench/story-stage.ts at 40 × 50 (V8 then stopped inlining namesOfWords into sketchOf).
 */
export function minHash(hashes: Uint32Array): number[] {
  const n = hashes.length;
  if (n === 0) return [];
  let m1 = 0xffffffff, m2 = 0xffffffff, m3 = 0xffffffff, m4 = 0xffffffff;
  let m5 = 0xffffffff, m6 = 0xffffffff, m7 = 0xffffffff, m8 = 0xffffffff;
  // A repeated pair changes no minimum: no set of shingles is needed.
  for (let i = n === 1 ? -1 : 0; i + 1 < n; i++) {
    const shingle = i === -1 ? hashes[0]! : mix(hashes[i]!, hashes[i + 1]!);
    let v = finish(shingle ^ S1);
    if (v < m1) m1 = v;
    v = finish(shingle ^ S2);
    if (v < m2) m2 = v;
    v = finish(shingle ^ S3);
    if (v < m3) m3 = v;
    v = finish(shingle ^ S4);
    if (v < m4) m4 = v;
    v = finish(shingle ^ S5);
    if (v < m5) m5 = v;
    v = finish(shingle ^ S6);
    if (v < m6) m6 = v;
    v = finish(shingle ^ S7);
    if (v < m7) m7 = v;
    v = finish(shingle ^ S8);
    if (v < m8) m8 = v;
  }
  return [m1, m2, m3, m4, m5, m6, m7, m8];
}

/** A sketch as a compact JSON string (terms and names space-separated, numbers '|'-separated, sig base 36). */
export function encodeSketch(sketch: StorySketch): string {
  // Written as JSON.stringify writes this object (same keys, same order), without building it: strings that
  // JSON would escape (quotes, backslashes, control characters, surrogates) go through JSON.stringify.
  return `{"v":${sketch.v},"t":${jsonString(sketch.terms.join(' '))},"s":"${base36(sketch.sig)}","n":${jsonString(sketch.names.join(' '))},"u":${jsonString(sketch.numbers.join('|'))}}`;
}

const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

// A string as JSON.stringify writes it.
function jsonString(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}

// The signature's values in base 36, comma-separated (a loop: sig arrays come as small integers or doubles,
// and map's callback deoptimized on the kind it had not seen).
function base36(sig: readonly number[]): string {
  let out = '';
  for (let k = 0; k < sig.length; k++) out += (k === 0 ? '' : ',') + sig[k]!.toString(36);
  return out;
}

const split = (s: string, sep: string): string[] => (s === '' ? [] : s.split(sep));

/** The sketch encodeSketch wrote; null for anything else, including a sketch of another version (rebuild it). */
export function decodeSketch(encoded: string): StorySketch | null {
  if (typeof encoded !== 'string' || encoded.length > 65536) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(encoded);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { v, t, s, n, u } = raw as Record<string, unknown>;
  if (v !== SKETCH_VERSION || typeof t !== 'string' || typeof s !== 'string' || typeof n !== 'string' || typeof u !== 'string') return null;
  const sig = split(s, ',').map((x) => (/^[0-9a-z]{1,7}$/.test(x) ? parseInt(x, 36) : NaN));
  if (sig.some((x) => !Number.isInteger(x) || x > 0xffffffff)) return null;
  return { v, terms: split(t, ' '), sig, names: split(n, ' '), numbers: split(u, '|') };
}
