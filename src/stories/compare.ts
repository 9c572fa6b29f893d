/**
 * Whether two sketches report the same story. Word overlap finds the topic; names and numbers tell stories of
 * one topic apart: two Putin–Lukashenko meetings share their names but not their dates or places, rice and
 * chili price reports share their words but not their amounts, two Persib matches share the club but not the
 * opponent or the score. A rewrite may leave a number out, so only two values of one kind that disagree (both
 * give a price, and no price agrees) count against a pair.
 *
 * Called for every candidate of every new item, so it allocates little: terms are sorted (a merge), names
 * and numbers are short arrays (looked through with `has`, a loop V8 inlines: Array.prototype.includes was a
 * call per term, 6 % of a cold `warta fetch`'s instructions). assignStory asks only whether two items are one
 * story (judge); compareSketches adds the explanation `warta stories explain` shows.
 */
import { numberCore, numberKind, type NumberKind } from './numbers.js';
import type { StoryComparison, StorySketch } from './types.js';

/** The default threshold: chosen by bench/stories.ts on the labelled set (see README.md). */
export const DEFAULT_THRESHOLD = 0.3;

// How much the event's words weigh against the agreement of names.
const EVENT_WEIGHT = 0.65;
// Kinds whose disagreement alone makes two items different stories: a rewrite never changes them.
const DECISIVE: ReadonlySet<NumberKind> = new Set(['money', 'score', 'date', 'percent', 'magnitude', 'measure']);
// Kinds a story leads with: the first value of each side must agree.
const LEADING: ReadonlySet<NumberKind> = new Set(['score', 'magnitude']);

// Whether `word` is in the short array `list`.
function has(list: readonly string[], word: string): boolean {
  for (let k = 0; k < list.length; k++) if (list[k] === word) return true;
  return false;
}

// Whether `word` is in the sorted array `sorted` (binary search).
function inSorted(sorted: readonly string[], word: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const w = sorted[mid]!;
    if (w === word) return true;
    if (w < word) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Word overlap of two sketches' terms (cosine of the two sets), 0…1. */
export function termSimilarity(a: StorySketch, b: StorySketch): number {
  if (a.terms.length === 0 || b.terms.length === 0) return 0;
  let shared = 0;
  for (let i = 0, j = 0; i < a.terms.length && j < b.terms.length; ) {
    if (a.terms[i] === b.terms[j]) {
      shared++;
      i++;
      j++;
    } else if (a.terms[i]! < b.terms[j]!) i++;
    else j++;
  }
  return shared / Math.sqrt(a.terms.length * b.terms.length);
}

// Cosine of the terms that are nobody's name: the words of the event, not of who it is about. The shared
// names count on their own, and counting them twice makes two meetings of the same presidents look alike.
function eventSimilarity(a: StorySketch, b: StorySketch): number {
  const isName = (t: string) => has(a.names, t) || has(b.names, t);
  let na = 0;
  let nb = 0;
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < a.terms.length || j < b.terms.length) {
    const x = a.terms[i];
    const y = b.terms[j];
    if (x !== undefined && (y === undefined || x < y)) {
      if (!isName(x)) na++;
      i++;
    } else if (y !== undefined && (x === undefined || y < x)) {
      if (!isName(y)) nb++;
      j++;
    } else {
      if (!isName(x!)) {
        na++;
        nb++;
        shared++;
      }
      i++;
      j++;
    }
  }
  return na === 0 || nb === 0 ? 0 : shared / Math.sqrt(na * nb);
}

/** Share of equal signature values (a MinHash estimate of word-pair overlap), 0…1. */
export function signatureSimilarity(a: StorySketch, b: StorySketch): number {
  const n = Math.min(a.sig.length, b.sig.length);
  if (n === 0) return 0;
  let equal = 0;
  for (let k = 0; k < n; k++) if (a.sig[k] === b.sig[k]) equal++;
  return equal / n;
}

// A name of one side is shared when the other side has it as a name or as a plain word (a rewrite may put it
// at a sentence start, where it does not count as a name).
function nameEvidence(a: StorySketch, b: StorySketch): { shared: string[]; differing: string[] } {
  const shared: string[] = [];
  const differing: string[] = [];
  for (const name of a.names) (has(b.names, name) || inSorted(b.terms, name) ? shared : differing).push(name);
  for (const name of b.names) {
    if (has(a.names, name)) continue; // counted above
    (inSorted(a.terms, name) ? shared : differing).push(name);
  }
  return { shared, differing };
}

/** A sketch's numbers with the kind and the digits (numberCore) of each, read once per sketch. */
export interface NumberFacts {
  values: readonly string[];
  kinds: readonly NumberKind[];
  cores: readonly string[];
}

/** The numbers of a sketch with their kinds and cores. */
export function numberFacts(values: readonly string[]): NumberFacts {
  return { values, kinds: values.map(numberKind), cores: values.map(numberCore) };
}

// Whether the two sides disagree on numbers of `kind` (both give some, and they do not agree).
function disagree(kind: NumberKind, a: NumberFacts, b: NumberFacts): boolean {
  const aOf = a.values.filter((_, k) => a.kinds[k] === kind);
  const bOf = b.values.filter((_, k) => b.kinds[k] === kind);
  if (aOf.length === 0 || bOf.length === 0) return false;
  const aCoresOf = a.cores.filter((_, k) => a.kinds[k] === kind);
  const bCoresOf = b.cores.filter((_, k) => b.kinds[k] === kind);
  // A match's score and a quake's magnitude lead the story: each side's first one must appear on the other
  // ("Gempa susulan M 4,2 … susulan dari gempa M 5,6" is not the M 5,6 story).
  if (LEADING.has(kind)) return !(b.cores.includes(aCoresOf[0]!) && a.cores.includes(bCoresOf[0]!));
  // A story gives several measures (depth, distance, height) and years in any order: one equal value agrees.
  if (kind === 'measure' || kind === 'year') return !aOf.some((n) => bOf.includes(n));
  // Rewrites add and drop figures ("turun Rp 400" in one headline, the new price in another), so one agreeing
  // value of the kind is enough, spelled as any kind ("Rp 80 ribu" agrees with "80.000").
  return !(aCoresOf.some((c) => b.cores.includes(c)) || bCoresOf.some((c) => a.cores.includes(c)));
}

/**
 * `similarity` lowered for each kind of number both sides give and disagree on, and whether one of them is
 * decisive (different stories whatever the similarity). Only where both sides give numbers.
 */
export function numberEvidence(a: NumberFacts, b: NumberFacts, similarity: number): { similarity: number; decisive: boolean } {
  let decisive = false;
  if (a.values.length === 0 || b.values.length === 0) return { similarity, decisive };
  for (const kind of new Set(a.kinds)) {
    if (kind === 'plain' || !disagree(kind, a, b)) continue;
    similarity *= kind === 'year' ? 0.8 : 0.5;
    if (DECISIVE.has(kind)) decisive = true;
  }
  return { similarity, decisive };
}

/** Whether two sketches are one story, with the similarity and the names evidence (see compareSketches). */
export interface Judgement {
  similarity: number;
  same: boolean;
  names: { shared: string[]; differing: string[] };
}

/**
 * The similarity of two sketches (the event's words and the agreement of names, lowered by disagreeing
 * numbers) and whether they are the same story under `threshold`. Differing money, scores, dates, percentages,
 * magnitudes or measures make them different stories whatever the similarity.
 */
export function judge(a: StorySketch, b: StorySketch, threshold: number = DEFAULT_THRESHOLD): Judgement {
  const names = nameEvidence(a, b);
  const words = Math.max(eventSimilarity(a, b), signatureSimilarity(a, b));
  const base = wordsAndNames(words, names.shared.length, names.differing.length, a.names.length, b.names.length);
  const { similarity, decisive } = a.numbers.length > 0 && b.numbers.length > 0 ? numberEvidence(numberFacts(a.numbers), numberFacts(b.numbers), base) : { similarity: base, decisive: false };
  return { similarity: rounded(similarity), same: !decisive && similarity >= threshold, names };
}

/**
 * judge's similarity before numbers: the event's words (`words`) and the agreement of names (`shared` and
 * `differing` names, `aNames` and `bNames` names on each side). StoryIndex judges its members by it too.
 */
export function wordsAndNames(words: number, shared: number, differing: number, aNames: number, bNames: number): number {
  // Names only one side has: rewrites add a few (a spokesman, a ministry), different stories many; and two
  // items need a few shared names before names say much.
  const agreement = (shared + 1) / (shared + differing + 1);
  const similarity = EVENT_WEIGHT * words + (1 - EVENT_WEIGHT) * agreement * Math.min(1, shared / 3);
  // Both name people or places and not one agrees: a fire at another market, an eruption of another volcano.
  return shared === 0 && aNames >= 2 && bNames >= 2 ? similarity * 0.4 : similarity;
}

/** A similarity as judge reports it (the decision is taken on the exact value). */
export const rounded = (similarity: number): number => Math.round(similarity * 1000) / 1000;

/**
 * Compares two sketches as judge does, with the names and numbers both have or only one has (`warta stories
 * explain`).
 */
export function compareSketches(a: StorySketch, b: StorySketch, threshold: number = DEFAULT_THRESHOLD): StoryComparison {
  const { similarity, same, names } = judge(a, b, threshold);
  return {
    similarity,
    sharedNames: names.shared.sort(),
    differingNames: names.differing.sort(),
    sharedNumbers: a.numbers.filter((n) => b.numbers.includes(n)).sort(),
    differingNumbers: [...a.numbers.filter((n) => !b.numbers.includes(n)), ...b.numbers.filter((n) => !a.numbers.includes(n))].sort(),
    same,
  };
}
