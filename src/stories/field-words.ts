/**
 * The words of one field of an item, read once for everything a sketch needs: names (their capitals, where they
 * stand in the text), terms (stop words out, one root per word) and the signature (a hash per word). Every
 * distinct folded word is looked up once in a table of what is known about it, so a word seen in an earlier item
 * costs a hash-table probe (tagging's Interner: plain ASCII words are found straight from the text, unsliced).
 */
import { stemCandidates } from '../tagging/stem.js';
import { forEachWord, Interner } from '../tagging/words.js';
import { NOT_NAMES, STOP_WORDS } from './stop-words.js';

/** What a sketch needs to know about one folded word, computed on its first sight. */
export interface WordFacts {
  word: string;
  /** A term: 3 letters or more, not a stop word, not only digits. */
  term: boolean;
  /** May be a name when capitalized: 2 letters or more, not a stop word, a title, a day or a numeral. */
  nameWord: boolean;
  stop: boolean;
  /** FNV-1a of the word (the signature's shingles combine two of them). */
  hash: number;
  /** The word's root (rootOf), computed when first needed. */
  root: string | null;
}

/**
 * A field's words in order: facts, UTF-16 spans in `text`, and case bits (CASE_*) of each as written. The spans
 * are tagging's own arrays when the words are its reading (fieldWordsRead): a sketch copies nothing per word.
 */
export interface FieldWords {
  text: string;
  facts: WordFacts[];
  starts: Int32Array;
  ends: Int32Array;
  cases: Uint8Array;
}

/** Case bits of a word as written: its first letter is a capital; it has a letter; it has a small letter. */
export const CASE_UPPER = 1;
export const CASE_LETTER = 2;
export const CASE_LOWER = 4;

const DIGITS = /^\d+$/;
// "Level IV", "Babak II": numerals, not names.
const ROMAN = /^[ivx]{1,4}$/;

function factsOf(word: string): WordFacts {
  const stop = STOP_WORDS.has(word);
  const digits = DIGITS.test(word);
  return {
    word,
    term: word.length >= 3 && !stop && !digits,
    nameWord: word.length >= 2 && !stop && !digits && !NOT_NAMES.has(word) && !ROMAN.test(word),
    stop,
    hash: fnv(word),
    root: null,
  };
}

// Bounded: a daemon reads unbounded vocabulary; past the bound the table starts afresh (news vocabulary repeats,
// so it fills again with the words that matter). Facts depend on the word alone, so sharing the table between
// items (and callers) changes no sketch.
const WORDS_KEPT = 50_000;
const known = new Interner<WordFacts>(factsOf, WORDS_KEPT);
const NONE = new Int32Array(0);

/** The words of `text` (plain text). */
export function fieldWords(text: string): FieldWords {
  return fieldWordsRead(text, [], NONE, NONE, 0, true);
}

/**
 * The words of `text` (plain text) from a reading of it that is already done (tagging's: src/tagging/types.ts
 * ScannedField): `count` words, each folded and its span, as forEachWord gave them. With `more`, the text goes on
 * past the last of them and is read from there (a field cut after the reading: its last word may be cut too).
 * The same words as fieldWords(text): forEachWord keeps no state from one word to the next. `starts` and `ends`
 * are kept, not copied, when they hold exactly the words.
 */
export function fieldWordsRead(text: string, words: readonly string[], starts: Int32Array, ends: Int32Array, count: number, more: boolean): FieldWords {
  const from = count > 0 ? ends[count - 1]! : 0;
  const rest = more && from < text.length ? readRest(text, from) : null;
  const n = count + (rest === null ? 0 : rest.facts.length);
  const facts = new Array<WordFacts>(n);
  const cases = new Uint8Array(n);
  for (let i = 0; i < count; i++) {
    facts[i] = known.of(words[i]!).value;
    cases[i] = caseOf(text, starts[i]!, ends[i]!);
  }
  if (rest === null) {
    const exact = count === starts.length && count === ends.length;
    return { text, facts, starts: exact ? starts : starts.slice(0, count), ends: exact ? ends : ends.slice(0, count), cases };
  }
  const allStarts = new Int32Array(n);
  const allEnds = new Int32Array(n);
  allStarts.set(starts.subarray(0, count));
  allEnds.set(ends.subarray(0, count));
  for (let k = 0, i = count; i < n; k++, i++) {
    facts[i] = rest.facts[k]!;
    allStarts[i] = rest.starts[k]!;
    allEnds[i] = rest.ends[k]!;
    cases[i] = caseOf(text, allStarts[i]!, allEnds[i]!);
  }
  return { text, facts, starts: allStarts, ends: allEnds, cases };
}

// The words of text[from…] (spans into the whole text).
function readRest(text: string, from: number): { facts: WordFacts[]; starts: number[]; ends: number[] } {
  const rest = { facts: [] as WordFacts[], starts: [] as number[], ends: [] as number[] };
  forEachWord(from === 0 ? text : text.slice(from), (_word, start, end, facts) => {
    rest.facts.push(facts);
    rest.starts.push(start + from);
    rest.ends.push(end + from);
  }, known);
  return rest;
}

const UPPER = /^\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const LETTER = /\p{L}/u;

// The case bits of text[start, end): by code for ASCII (nearly every word), by Unicode class otherwise. A small
// ASCII letter settles the word (a letter, a small one; a capital only counts first): most words are read by
// their first code, and reading a code of `text` (a slice of the item's text) cost ~60 instructions each.
function caseOf(text: string, start: number, end: number): number {
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      const original = text.slice(start, end);
      return (UPPER.test(original) ? CASE_UPPER : 0) | (LETTER.test(original) ? CASE_LETTER : 0) | (LOWER.test(original) ? CASE_LOWER : 0);
    }
    if (c >= 65 && c <= 90) bits |= i === start ? CASE_UPPER | CASE_LETTER : CASE_LETTER;
    // What follows can add nothing: \p{L} and \p{Ll} already hold, and \p{Lu} looks at the first code only.
    else if (c >= 97 && c <= 122) return bits | CASE_LETTER | CASE_LOWER;
  }
  return bits;
}

// What stemCandidates can strip: a prefix (di-, ter-, ber-, per-, meN-, peN-) or a suffix (-lah, -kah, -nya,
// -ku, -mu, -kan, -an, -i).
const AFFIXED = /^(?:di|ter|ber|per|me|pe)|(?:lah|kah|nya|ku|mu|an|i)$/;

/**
 * One root per word, so "mengumumkan", "diumumkan" and "umumkan" agree: the shortest of tagging's candidate
 * roots (ties alphabetical). A wrong root only ever joins a word's affixed forms, never two unrelated words of
 * four letters or more. Kept with the word's facts: stemming was the largest part of a sketch's cost.
 */
export function rootOf(facts: WordFacts): string {
  if (facts.root !== null) return facts.root;
  const word = facts.word;
  let root = word;
  if (AFFIXED.test(word)) {
    for (const c of stemCandidates(word)) if (c.length < root.length || (c.length === root.length && c < root)) root = c;
  }
  facts.root = root;
  return root;
}

// FNV-1a over UTF-16 code units.
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
