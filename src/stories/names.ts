/**
 * Proper names in news text: words written with a capital inside a sentence ("bertemu Vladimir Putin di
 * Minsk") or in capitals ("KPK", "PSSI"), folded as tagging folds words. A capital that the writing rules put
 * there says nothing — the first word of a sentence, of a dateline ("JAKARTA, KOMPAS.com –") and every word of a
 * Title Case or ALL CAPS headline — so such a word counts only when the same item also writes it as a name
 * elsewhere. Days, months and titles ("Presiden", "Jum'at") are capitalized but are not names.
 */
import { CASE_LETTER, CASE_LOWER, CASE_UPPER, fieldWords, type FieldWords } from './field-words.js';

// What may stand between a sentence's end and its first word: spaces, quotes, brackets.
const OPENERS = ' \t\r\u00a0"\'“”‘’«»([{*';
const SENTENCE_END = '.!?:;\n|•';
const DASHES = '-–—';

// Whether the UTF-16 code `c` is one of `chars` (a few code units): a scan of a short string, where a Set of
// one-character strings cost a string and a hash lookup per character read.
function isOneOf(chars: string, c: number): boolean {
  for (let k = 0; k < chars.length; k++) if (chars.charCodeAt(k) === c) return true;
  return false;
}

// Whether the word at `start` opens a sentence, a line, or follows a dateline's dash ("KOMPAS.com – Harga").
function opensSentence(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && isOneOf(OPENERS, text.charCodeAt(i))) i--;
  if (i < 0) return true;
  const c = text.charCodeAt(i);
  if (isOneOf(SENTENCE_END, c)) return true;
  return isOneOf(DASHES, c) && i > 0 && /\s/.test(text[i - 1]!);
}

// A sentence opening with a run of capitalized words ("Persib Bandung mengalahkan …") opens with a name.
function startsNameRun(f: FieldWords, i: number): boolean {
  if (i + 1 >= f.facts.length || !(f.cases[i + 1]! & CASE_UPPER) || !f.facts[i + 1]!.nameWord) return false;
  return f.starts[i + 1]! - f.ends[i]! === 1 && f.text.charCodeAt(f.ends[i]!) === 0x20;
}

// Text in ALL CAPS, or a title in Title Case: its capitals are typography, not names. (Only a title: a lead
// sentence full of names — "Presiden Rusia Vladimir Putin bertemu Presiden Belarus …" — looks like Title Case.)
function isHeadlineCase(f: FieldWords, isTitle: boolean): boolean {
  let lettered = 0;
  let allCaps = 0;
  let content = 0;
  let capitalized = 0;
  for (let i = 0; i < f.cases.length; i++) {
    const c = f.cases[i]!;
    if (!(c & CASE_LETTER)) continue;
    lettered++;
    if (!(c & CASE_LOWER)) allCaps++;
    if (f.facts[i]!.stop) continue;
    content++;
    if (c & CASE_UPPER) capitalized++;
  }
  if (lettered < 3) return false;
  if (allCaps / lettered >= 0.6) return true;
  if (!isTitle || content < 3) return false;
  return capitalized / content >= 0.75;
}

/**
 * The words of the spelled-out names an acronym follows: "Badan Meteorologi, Klimatologi, dan Geofisika (BMKG)"
 * — one outlet spells it out, another writes only "BMKG"; the acronym is the name both share.
 */
function expansions(f: FieldWords): Set<number> | null {
  let out: Set<number> | null = null;
  const text = f.text;
  for (let i = 1; i < f.facts.length; i++) {
    // "(BMKG)", "(Bapanas)": a capitalized word alone in brackets after capitalized words.
    const start = f.starts[i]!;
    const end = f.ends[i]!;
    // The case first: a code read from the text costs more than the word's case bits (field-words.ts caseOf).
    if (!(f.cases[i]! & CASE_UPPER) || end - start < 2 || text.charCodeAt(start - 1) !== 0x28 || text.charCodeAt(end) !== 0x29) continue;
    for (let k = i - 1; k >= 0 && i - k <= 8; k--) {
      const before = f.facts[k]!.word;
      if (f.cases[k]! & CASE_UPPER) (out ??= new Set()).add(k);
      else if (before !== 'dan' && before !== 'and' && before !== 'of') break;
    }
  }
  return out;
}

/**
 * The proper names of an item's fields (plain text; the title first, where Title Case is typography), folded, in order of first appearance,
 * at most `limit`.
 */
export function namesOf(fields: readonly string[], limit = 24): string[] {
  return namesOfWords(fields.map(fieldWords), limit);
}

/** namesOf over fields already read (fieldWords). */
export function namesOfWords(fields: readonly FieldWords[], limit = 24): string[] {
  const sure: string[] = []; // capitals inside a sentence of ordinary text
  const maybe: string[] = []; // capitals that typography may have put there
  // Indexed loops, no iterators: V8 compiles this function once per process, and an iterator's protocol
  // inlined into it made the compile larger.
  for (let n = 0; n < fields.length; n++) {
    const f = fields[n]!;
    if (f.facts.length === 0) continue;
    const headline = isHeadlineCase(f, n === 0);
    const spelledOut = expansions(f);
    for (let i = 0; i < f.facts.length; i++) {
      const facts = f.facts[i]!;
      if (!(f.cases[i]! & CASE_UPPER) || !facts.nameWord || spelledOut?.has(i)) continue;
      // One push for both lists: a call first made after the function was optimized costs a recompile.
      (!headline && (!opensSentence(f.text, f.starts[i]!) || startsNameRun(f, i)) ? sure : maybe).push(facts.word);
    }
  }
  const known = new Set(sure);
  const out = new Set<string>();
  // Order of first appearance across both lists, the headline's words first when confirmed.
  for (let l = 0; l < 2; l++) {
    const list = l === 0 ? maybe : sure;
    for (let k = 0; k < list.length; k++) {
      if (out.size >= limit) return Array.from(out);
      if (known.has(list[k]!)) out.add(list[k]!);
    }
  }
  return Array.from(out);
}
