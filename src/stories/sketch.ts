/**
 * An item's similarity sketch: the distinctive words of its title and lead (terms), a MinHash signature over
 * word pairs, and the names and numbers that tell one story from another on the same topic. Built from the
 * text as tagging reads it (htmlToText, forEachWord's folding), so "Lukašenko" and "LUKASHENKO" agree.
 */
import { htmlToText } from '../base/html-text.js';
import { stemCandidates } from '../tagging/stem.js';
import { forEachWord } from '../tagging/words.js';
import { namesOf } from './names.js';
import { numbersOf } from './numbers.js';
import { STOP_WORDS } from './stop-words.js';
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

function isTerm(word: string): boolean {
  return word.length >= 3 && !STOP_WORDS.has(word) && !/^\d+$/.test(word);
}

// What stemCandidates can strip: a prefix (di-, ter-, ber-, per-, meN-, peN-) or a suffix (-lah, -kah, -nya,
// -ku, -mu, -kan, -an, -i).
const AFFIXED = /^(?:di|ter|ber|per|me|pe)|(?:lah|kah|nya|ku|mu|an|i)$/;

// One root per word, so "mengumumkan", "diumumkan" and "umumkan" agree: the shortest of tagging's candidate
// roots (ties alphabetical). A wrong root only ever joins a word's affixed forms, never two unrelated words
// of four letters or more. Roots are remembered across items (news vocabulary repeats; stemming was the
// largest part of a sketch's cost), up to ROOTS_MAX words, then forgotten all at once.
const ROOTS_MAX = 50_000;
const roots = new Map<string, string>();
function rootOf(word: string): string {
  if (!AFFIXED.test(word)) return word; // nothing the stemmer could strip: most words, at no cost
  let root = roots.get(word);
  if (root === undefined) {
    root = word;
    for (const c of stemCandidates(word)) if (c.length < root.length || (c.length === root.length && c < root)) root = c;
    if (roots.size >= ROOTS_MAX) roots.clear();
    roots.set(word, root);
  }
  return root;
}

/** The sketch of an item's text (HTML fields are read as a reader sees them). Never throws. */
export function sketchOf(text: StoryText): StorySketch {
  const fields = [plain(text.title ?? ''), plain(text.summary), plain(text.content)];
  const names = namesOf(fields, MAX_NAMES);
  const nameSet = new Set(names);
  const order: string[] = [];
  const seen = new Set<string>();
  const stream: string[] = [];
  for (const field of fields) {
    forEachWord(field, (word) => {
      if (!isTerm(word)) return;
      // The signature is over the words as written (near-verbatim copies agree on them); only the terms are
      // reduced to roots, and only until there are enough: stemming is most of a sketch's cost.
      if (stream.length < MAX_SHINGLE_WORDS) stream.push(word);
      if (order.length >= MAX_TERMS) return;
      // Names are kept as written: compareSketches looks them up among the other side's terms.
      const term = nameSet.has(word) ? word : rootOf(word);
      if (!seen.has(term)) {
        seen.add(term);
        order.push(term);
      }
    });
  }
  return {
    v: SKETCH_VERSION,
    terms: order.sort(),
    sig: minHash(stream),
    names,
    numbers: numbersOf(fields.join('\n'), MAX_NUMBERS),
  };
}

// FNV-1a over UTF-16 code units, then a murmur3 finalizer per signature slot (seeded): cheap, well mixed.
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix(h: number, seed: number): number {
  let x = (h ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * MinHash over the word pairs of `words` (folded, stop words out) (single words when there is only one): [] for
 * no words. Each word is hashed once and a pair's hash combines its two words' (no pair strings are built).
 */
export function minHash(words: readonly string[]): number[] {
  if (words.length === 0) return [];
  const hashes = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) hashes[i] = fnv(words[i]!);
  const shingles = new Set<number>();
  if (words.length === 1) shingles.add(hashes[0]!);
  for (let i = 0; i + 1 < words.length; i++) shingles.add(mix(hashes[i]!, hashes[i + 1]!));
  const sig = new Array<number>(SIG_SIZE).fill(0xffffffff);
  for (const h of shingles) {
    for (let k = 0; k < SIG_SIZE; k++) {
      const v = mix(h, k + 1);
      if (v < sig[k]!) sig[k] = v;
    }
  }
  return sig;
}

/** A sketch as a compact JSON string (terms and names space-separated, numbers '|'-separated, sig base 36). */
export function encodeSketch(sketch: StorySketch): string {
  return JSON.stringify({
    v: sketch.v,
    t: sketch.terms.join(' '),
    s: sketch.sig.map((n) => n.toString(36)).join(','),
    n: sketch.names.join(' '),
    u: sketch.numbers.join('|'),
  });
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
