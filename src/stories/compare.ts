/**
 * Whether two sketches report the same story. Word overlap finds the topic; names and numbers tell stories of
 * one topic apart: two Putin–Lukashenko meetings share their names but not their dates or places, rice and
 * chili price reports share their words but not their amounts, two Persib matches share the club but not the
 * opponent or the score. A rewrite may leave a number out, so only two values of the same kind that disagree
 * (both give a score, and no score agrees) count against a pair.
 */
import { numberCore, numberKind, type NumberKind } from './numbers.js';
import type { StoryComparison, StorySketch } from './types.js';

/** The default threshold (bench/stories.ts chooses it on the labelled set). */
export const DEFAULT_THRESHOLD = 0.35;

// Kinds a story leads with: the first value of each side must agree.
const LEADING: ReadonlySet<NumberKind> = new Set(['score', 'magnitude']);

// How much the event's words weigh against the agreement of names in the similarity.
const EVENT_WEIGHT = 0.65;

// Kinds whose disagreement alone makes two items different stories: a rewrite never changes them.
const DECISIVE: ReadonlySet<NumberKind> = new Set(['money', 'score', 'date', 'percent', 'magnitude', 'measure']);

function countShared(a: readonly string[], b: readonly string[]): number {
  // Both sorted (terms are): a merge.
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return shared;
}

/** Word overlap of two sketches' terms (cosine of the two sets), 0…1. */
export function termSimilarity(a: StorySketch, b: StorySketch): number {
  return cosine(a.terms, b.terms);
}

// Cosine of two sorted word sets.
function cosine(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  return countShared(a, b) / Math.sqrt(a.length * b.length);
}

/** Share of equal signature values (a MinHash estimate of word-pair overlap), 0…1. */
export function signatureSimilarity(a: StorySketch, b: StorySketch): number {
  const n = Math.min(a.sig.length, b.sig.length);
  if (n === 0) return 0;
  let equal = 0;
  for (let k = 0; k < n; k++) if (a.sig[k] === b.sig[k]) equal++;
  return equal / n;
}

interface NameEvidence {
  shared: string[];
  differing: string[];
}

// A name of one side is shared when the other side has it as a name or as a plain word (a rewrite may put it
// at a sentence start, where it does not count as a name).
function nameEvidence(a: StorySketch, b: StorySketch): NameEvidence {
  const aWords = new Set([...a.names, ...a.terms]);
  const bWords = new Set([...b.names, ...b.terms]);
  const shared: string[] = [];
  const differing: string[] = [];
  for (const name of a.names) (bWords.has(name) ? shared : differing).push(name);
  for (const name of b.names) if (!aWords.has(name)) differing.push(name);
    else if (!shared.includes(name)) shared.push(name);
  return { shared: shared.sort(), differing: differing.sort() };
}

interface NumberEvidence {
  shared: string[];
  differing: string[];
  conflicts: NumberKind[];
}

function numberEvidence(a: StorySketch, b: StorySketch): NumberEvidence {
  const aCores = new Set(a.numbers.map(numberCore));
  const bCores = new Set(b.numbers.map(numberCore));
  const shared = a.numbers.filter((n) => b.numbers.includes(n));
  const differing = [...a.numbers.filter((n) => !b.numbers.includes(n)), ...b.numbers.filter((n) => !a.numbers.includes(n))];
  const conflicts: NumberKind[] = [];
  const kinds = new Set(a.numbers.map(numberKind));
  for (const kind of kinds) {
    if (kind === 'plain') continue;
    const aOfKind = a.numbers.filter((n) => numberKind(n) === kind);
    const bOfKind = b.numbers.filter((n) => numberKind(n) === kind);
    if (bOfKind.length === 0) continue;
    // Rewrites add and drop figures ("turun Rp 400" in one headline, the new price in another), so one agreeing
    // value of the kind is enough — except for a match's score and a quake's magnitude, which the story leads
    // with: "Gempa susulan M 4,2 … susulan dari gempa M 5,6" is not the M 5,6 story.
    const agree = LEADING.has(kind)
      ? bCores.has(numberCore(aOfKind[0]!)) && aCores.has(numberCore(bOfKind[0]!))
      : kind === 'measure' || kind === 'year'
        ? aOfKind.some((n) => b.numbers.includes(n))
        : aOfKind.some((n) => bCores.has(numberCore(n))) || bOfKind.some((n) => aCores.has(numberCore(n)));
    if (!agree) conflicts.push(kind);
  }
  return { shared: shared.sort(), differing: differing.sort(), conflicts };
}

/**
 * Compares two sketches: the similarity (word overlap, lowered by disagreeing names and numbers), the names and
 * numbers both share or only one has, and whether they are the same story under `threshold`.
 */
export function compareSketches(a: StorySketch, b: StorySketch, threshold: number = DEFAULT_THRESHOLD): StoryComparison {
  const names = nameEvidence(a, b);
  const numbers = numberEvidence(a, b);
  // Words of the event, not of who it is about: the shared names already count below, and counting them twice
  // makes two meetings of the same two presidents look alike.
  const named = new Set([...a.names, ...b.names]);
  const event = cosine(a.terms.filter((t) => !named.has(t)), b.terms.filter((t) => !named.has(t)));
  const words = Math.max(event, signatureSimilarity(a, b));
  // Names only one side has: rewrites add a few (a spokesman, a ministry), different stories many; and a
  // story needs a few shared names before names say anything.
  const agreement = (names.shared.length + 1) / (names.shared.length + names.differing.length + 1);
  const nameScore = agreement * Math.min(1, names.shared.length / 3);
  let similarity = EVENT_WEIGHT * words + (1 - EVENT_WEIGHT) * nameScore;
  // Both name several people or places and not one agrees: a fire at another market, a quake elsewhere.
  if (names.shared.length === 0 && names.differing.length >= 3) similarity *= 0.6;
  for (const kind of numbers.conflicts) similarity *= kind === 'year' || kind === 'plain' ? 0.8 : 0.5;
  const decisive = numbers.conflicts.some((k) => DECISIVE.has(k));
  return {
    similarity: Math.round(similarity * 1000) / 1000,
    sharedNames: names.shared,
    differingNames: names.differing,
    sharedNumbers: numbers.shared,
    differingNumbers: numbers.differing,
    same: !decisive && similarity >= threshold,
  };
}
