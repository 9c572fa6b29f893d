/**
 * Skipping rules that cannot match. For each rule we derive up to two sets of words (anchors) such that any
 * item it matches contains a word of each: `(Rusia OR Moskow) AND (Belarus* OR Minsk)` is anchored on both
 * groups, so an article that names only Russia never evaluates it. An item then evaluates the rules all of
 * whose anchors it hits, plus the few rules with no anchor (pure NOT, regex, source:). Matching is
 * word-based, so the vocabulary positions recorded while tokenizing (words, stems and prefixes alike)
 * replace a substring automaton.
 */
import type { Matcher } from './matcher.js';
import type { ItemIndex } from './item-index.js';

// Anchors kept per rule: each costs the positions of its words in every item (common words among them).
// bench/tagging.ts's corpus (1,000 rules): 25.6 candidate rules per item with one anchor, 2.05 with two,
// 1.68 with three (for 29 % more anchor-word positions recorded per item), 1.68 with four.
const MAX_ANCHORS = 2;

/** Keys one of which occurs in every item the matcher accepts: vocabulary ids (words, stems, prefixes). */
export interface Anchor {
  ids: number[];
  /** Length of the shortest word behind the keys: short words are common, so they filter less. */
  shortest: number;
}

/**
 * Anchors that every item the matcher accepts hits, each of them; empty when it can match without any
 * particular word.
 */
export function anchorsOf(m: Matcher): Anchor[] {
  switch (m.kind) {
    case 'words':
      // Every word of a phrase must occur.
      return m.tests.map((t): Anchor => {
        switch (t.kind) {
          case 'word':
            return { ids: [t.id], shortest: t.word.length };
          case 'stem':
            return { ids: t.ids, shortest: t.word.length };
          case 'prefix':
            return { ids: [t.id], shortest: t.prefix.length };
        }
      });
    case 'and':
      return m.children.flatMap(anchorsOf);
    case 'near':
      return [...anchorsOf(m.left), ...anchorsOf(m.right)];
    case 'or': {
      const union = unionOf(m.children.map((c) => cheapest(anchorsOf(c))));
      return union === null ? [] : [union];
    }
    case 'not':
    case 'regex':
    case 'source':
      return [];
  }
}

/** The anchors of a rule that matches when any of `alternatives` (its query, its aliases) does. */
export function ruleAnchors(alternatives: Matcher[]): Anchor[] {
  if (alternatives.length === 1) return anchorsOf(alternatives[0]!);
  const union = unionOf(alternatives.map((m) => cheapest(anchorsOf(m))));
  return union === null ? [] : [union];
}

/** An anchor for "any of these matchers": all must be anchored. */
export function unionOf(anchors: (Anchor | null)[]): Anchor | null {
  const union: Anchor = { ids: [], shortest: Infinity };
  for (const a of anchors) {
    if (a === null) return null;
    union.ids.push(...a.ids);
    union.shortest = Math.min(union.shortest, a.shortest);
  }
  return union;
}

// Fewer keys first (each key is a list to walk), then longer words (short words are common).
function cheaper(a: Anchor, b: Anchor): number {
  return a.ids.length - b.ids.length || b.shortest - a.shortest;
}

function cheapest(anchors: Anchor[]): Anchor | null {
  let best: Anchor | null = null;
  for (const a of anchors) if (best === null || cheaper(a, best) < 0) best = a;
  return best;
}

/** Rule indexes by anchor key. */
export interface Prefilter {
  ruleCount: number;
  /**
   * Vocabulary id → pairs of (rule, bits): the rules anchored on it, and which of the rule's anchors
   * (bit k for anchor k) it belongs to.
   */
  byId: (number[] | undefined)[];
  /** Rules evaluated on every item. */
  always: number[];
  /** Per rule, the bits of all its anchors. */
  need: Int32Array;
  /** Per rule, the stamp of the last item that hit one of its anchors, and which anchors it hit (scratch). */
  seen: Int32Array;
  have: Int32Array;
  stamp: number;
  /** Scratch for candidateRules: room for every rule once. */
  found: Int32Array;
}

/** Indexes rules by their anchors (anchors[i] belongs to rule i); keeps each rule's cheapest few. */
export function buildPrefilter(anchors: Anchor[][]): Prefilter {
  const kept = anchors.map((list) => [...list].sort(cheaper).slice(0, MAX_ANCHORS));
  // Filled to the largest id up front: assigning far past the end of an empty array makes V8 store it as a
  // dictionary, and this is read for every id an item carries.
  const maxId = kept.flat().reduce((max, a) => a.ids.reduce((m, id) => Math.max(m, id), max), -1);
  const rules = anchors.length;
  const pf: Prefilter = {
    ruleCount: rules, byId: new Array<number[] | undefined>(maxId + 1).fill(undefined), always: [],
    need: new Int32Array(rules), seen: new Int32Array(rules), have: new Int32Array(rules), stamp: 0, found: new Int32Array(rules),
  };
  kept.forEach((list, rule) => {
    if (list.length === 0) return void pf.always.push(rule);
    list.forEach((a, k) => {
      pf.need[rule] = pf.need[rule]! | (1 << k);
      for (const id of a.ids) {
        const pairs = (pf.byId[id] ??= []);
        // One pair per rule and key, with the bits of every anchor the key is in (`Putin AND Putin*`).
        if (pairs.length > 0 && pairs[pairs.length - 2] === rule) pairs[pairs.length - 1] = pairs[pairs.length - 1]! | (1 << k);
        else pairs.push(rule, 1 << k);
      }
    });
  });
  return pf;
}

/**
 * The rules worth evaluating on this item, each once, in `pf.found[0, returned count)`, in no particular
 * order (callers order what matched: sorting every candidate cost more than evaluating it); the other rules
 * cannot match the item.
 */
export function candidateRules(pf: Prefilter, idx: ItemIndex): number {
  // Stamps instead of clearing per-rule state for every item.
  const stamp = nextStamp(pf);
  const { seen, have, need, byId, always, found } = pf;
  let n = 0;
  for (let k = 0; k < always.length; k++) found[n++] = always[k]!;
  for (let h = 0; h < idx.hitCount; h++) {
    const id = idx.hitIds[h]!;
    const pairs = id < byId.length ? byId[id] : undefined;
    if (pairs === undefined) continue;
    for (let k = 0; k < pairs.length; k += 2) {
      const rule = pairs[k]!;
      const before = seen[rule] === stamp ? have[rule]! : 0;
      const after = before | pairs[k + 1]!;
      seen[rule] = stamp;
      have[rule] = after;
      if (after === need[rule] && before !== after) found[n++] = rule;
    }
  }
  return n;
}

// A new mark for candidateRules; the marks are reset when the counter wraps.
function nextStamp(pf: Prefilter): number {
  if (pf.stamp === 0x7fffffff) {
    pf.seen.fill(0);
    pf.stamp = 0;
  }
  return ++pf.stamp;
}
