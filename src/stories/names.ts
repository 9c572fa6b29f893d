/**
 * Proper names in news text: words written with a capital inside a sentence ("bertemu Vladimir Putin di
 * Minsk") or in capitals ("KPK", "PSSI"), folded as tagging folds words. A capital that the writing rules put
 * there says nothing — the first word of a sentence, of a dateline ("JAKARTA, KOMPAS.com –") and every word of a
 * Title Case or ALL CAPS headline — so such a word counts only when the same item also writes it as a name
 * elsewhere. Days, months and titles ("Presiden", "Jum'at") are capitalized but are not names.
 */
import { forEachWord } from '../tagging/words.js';
import { NOT_NAMES, STOP_WORDS } from './stop-words.js';

const UPPER = /^\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const LETTER = /\p{L}/u;
// What may stand between a sentence's end and its first word: spaces, quotes, brackets.
const OPENERS = new Set([...' \t\r\u00a0"\'“”‘’«»([{*']);
const SENTENCE_END = new Set([...'.!?:;\n|•']);
const DASHES = new Set([...'-–—']);

interface WordAt {
  folded: string;
  original: string;
  start: number;
}

function wordsOf(text: string): WordAt[] {
  const words: WordAt[] = [];
  forEachWord(text, (folded, start, end) => words.push({ folded, original: text.slice(start, end), start }));
  return words;
}

// Whether the word at `start` opens a sentence, a line, or follows a dateline's dash ("KOMPAS.com – Harga").
function opensSentence(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && OPENERS.has(text[i]!)) i--;
  if (i < 0) return true;
  const ch = text[i]!;
  if (SENTENCE_END.has(ch)) return true;
  return DASHES.has(ch) && i > 0 && /\s/.test(text[i - 1]!);
}

// A sentence opening with a run of capitalized words ("Persib Bandung mengalahkan …") opens with a name.
function startsNameRun(text: string, words: WordAt[], i: number): boolean {
  const next = words[i + 1];
  if (next === undefined || !UPPER.test(next.original) || !isNameWord(next.folded)) return false;
  return text.slice(words[i]!.start + words[i]!.original.length, next.start) === ' ';
}

// Text in ALL CAPS, or a title in Title Case: its capitals are typography, not names. (Only a title: a lead
// sentence full of names — "Presiden Rusia Vladimir Putin bertemu Presiden Belarus …" — looks like Title Case.)
function isHeadlineCase(words: WordAt[], isTitle: boolean): boolean {
  const lettered = words.filter((w) => LETTER.test(w.original));
  if (lettered.length < 3) return false;
  const allCaps = lettered.filter((w) => !LOWER.test(w.original)).length;
  if (allCaps / lettered.length >= 0.6) return true;
  if (!isTitle) return false;
  const content = lettered.filter((w) => !STOP_WORDS.has(w.folded));
  if (content.length < 3) return false;
  return content.filter((w) => UPPER.test(w.original)).length / content.length >= 0.75;
}

function isNameWord(folded: string): boolean {
  return folded.length >= 2 && !STOP_WORDS.has(folded) && !NOT_NAMES.has(folded) && !/^\d+$/.test(folded) && !ROMAN.test(folded);
}

// "Level IV", "Babak II": numerals, not names.
const ROMAN = /^[ivx]{1,4}$/;

/**
 * The words of the spelled-out names an acronym follows: "Badan Meteorologi, Klimatologi, dan Geofisika (BMKG)"
 * — one outlet spells it out, another writes only "BMKG"; the acronym is the name both share.
 */
function expansions(text: string, words: WordAt[]): Set<number> {
  const out = new Set<number>();
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    // "(BMKG)", "(Bapanas)": a capitalized word alone in brackets after capitalized words.
    const end = w.start + w.original.length;
    if (text[w.start - 1] !== '(' || text[end] !== ')' || !UPPER.test(w.original) || w.original.length < 2) continue;
    for (let k = i - 1; k >= 0 && i - k <= 8; k--) {
      const before = words[k]!;
      if (UPPER.test(before.original)) out.add(k);
      else if (before.folded !== 'dan' && before.folded !== 'and' && before.folded !== 'of') break;
    }
  }
  return out;
}

/**
 * The proper names of an item's fields (plain text; the title first, where Title Case is typography), folded, in order of first appearance,
 * at most `limit`.
 */
export function namesOf(fields: readonly string[], limit = 24): string[] {
  const sure: string[] = []; // capitals inside a sentence of ordinary text
  const maybe: string[] = []; // capitals that typography may have put there
  for (const [f, text] of fields.entries()) {
    if (text === '') continue;
    const words = wordsOf(text);
    const headline = isHeadlineCase(words, f === 0);
    const spelledOut = expansions(text, words);
    for (const [i, w] of words.entries()) {
      if (!UPPER.test(w.original) || !isNameWord(w.folded) || spelledOut.has(i)) continue;
      if (headline) maybe.push(w.folded);
      else if (!opensSentence(text, w.start) || startsNameRun(text, words, i)) sure.push(w.folded);
      else maybe.push(w.folded);
    }
  }
  const known = new Set(sure);
  const out = new Set<string>();
  // Order of first appearance across both lists, the headline's words first when confirmed.
  for (const list of [maybe, sure]) {
    for (const name of list) {
      if (out.size >= limit) return [...out];
      if (known.has(name)) out.add(name);
    }
  }
  return [...out];
}
