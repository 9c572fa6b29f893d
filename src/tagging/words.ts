/**
 * Splitting text into comparable words. A word is a run of Unicode letters and digits, folded so that case,
 * compatibility forms and diacritics do not matter: "LUKAŠENKO", "Lukašenko" and "Lukasenko" are one word.
 * Everything else separates words, so "Rusia-Belarusia" is two words and "Belarusia" never contains "rusia".
 * The loop is hand-written (not a regex over normalized text) because the offsets must point into the
 * original text for explanations, and NFKC/NFD change lengths.
 */

/** Receives each word: its folded form and its UTF-16 span [start, end) in the original text. */
export type WordSink = (word: string, start: number, end: number) => void;

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

// 1 for ASCII letters and digits.
const ASCII_WORD = Uint8Array.from({ length: 0x80 }, (_, c) => (ASCII_FOLD[c] ? 1 : 0));

/** Calls `sink` for each word of `text`, in order. */
export function forEachWord(text: string, sink: WordSink): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (ASCII_WORD[c] === 0) {
        i++;
        continue;
      }
      // Fast path: most words in Indonesian news are plain ASCII, folded by slice + toLowerCase.
      const start = i;
      let upper = c <= 0x5a && c >= 0x41;
      let d = 0;
      for (i++; i < n; i++) {
        d = text.charCodeAt(i);
        if (d >= 0x80 || ASCII_WORD[d] === 0) break;
        if (d <= 0x5a && d >= 0x41) upper = true;
      }
      if (i < n && (d >= 0x80 || APOSTROPHES.has(d))) i = foldWordAt(text, start, sink);
      else sink(upper ? text.slice(start, i).toLowerCase() : text.slice(start, i), start, i);
    } else {
      const f = foldCodePoint(text.codePointAt(i)!);
      if (f === null || f === '') i += c >= 0xd800 && c < 0xdc00 ? 2 : 1;
      else i = foldWordAt(text, i, sink);
    }
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
