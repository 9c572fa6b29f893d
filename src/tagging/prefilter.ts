/**
 * Skipping rules that cannot match. For each rule we derive a set of words at least one of which must
 * occur in any item it matches (its anchor); an item then only evaluates rules anchored on words it
 * contains, plus the few rules with no anchor (pure NOT, regex, source:). Matching is word-based, so the
 * vocabulary positions recorded while tokenizing (words, stems and prefixes alike) replace a substring
 * automaton.
 */
import type { Matcher } from './matcher.js';
import type { ItemIndex } from './item-index.js';

/** Keys one of which occurs in every item the matcher accepts: vocabulary ids (words, stems, prefixes). */
export interface Anchor {
  ids: number[];
  /** Length of the shortest word behind the keys: short words are common, so they filter less. */
  shortest: number;
}

/** The cheapest anchor of a matcher, or null when it can match without any particular word. */
export function anchorOf(m: Matcher): Anchor | null {
  switch (m.kind) {
    case 'words':
      return cheapest(
        m.tests.map((t): Anchor => {
          switch (t.kind) {
            case 'word':
              return { ids: [t.id], shortest: t.word.length };
            case 'stem':
              return { ids: t.ids, shortest: t.word.length };
            case 'prefix':
              return { ids: [t.id], shortest: t.prefix.length };
          }
        }),
      ); // every word of a phrase must occur, so any one will do
    case 'and':
      return cheapest(m.children.map(anchorOf));
    case 'near':
      return cheapest([anchorOf(m.left), anchorOf(m.right)]);
    case 'or':
      return unionOf(m.children.map(anchorOf));
    case 'not':
    case 'regex':
    case 'source':
      return null;
  }
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

function cheapest(anchors: (Anchor | null)[]): Anchor | null {
  let best: Anchor | null = null;
  for (const a of anchors) {
    if (a === null) continue;
    if (best === null || a.ids.length < best.ids.length || (a.ids.length === best.ids.length && a.shortest > best.shortest)) best = a;
  }
  return best;
}

/** Rule indexes by anchor key. */
export interface Prefilter {
  ruleCount: number;
  /** Vocabulary id → the rules anchored on it. */
  byId: (number[] | undefined)[];
  /** Rules evaluated on every item. */
  always: number[];
  /** Per rule, the stamp of the last item that made it a candidate (scratch for candidateRules). */
  seen: Int32Array;
  stamp: number;
  /** Scratch for candidateRules: room for every rule once. */
  found: Int32Array;
}

/** Indexes rules by their anchors (anchors[i] belongs to rule i). */
export function buildPrefilter(anchors: (Anchor | null)[]): Prefilter {
  // Filled to the largest id up front: assigning far past the end of an empty array makes V8 store it as a
  // dictionary, and this is read for every id an item carries.
  const maxId = anchors.reduce((max, a) => (a ? a.ids.reduce((m, id) => Math.max(m, id), max) : max), -1);
  const byId = new Array<number[] | undefined>(maxId + 1).fill(undefined);
  const pf: Prefilter = { ruleCount: anchors.length, byId, always: [], seen: new Int32Array(anchors.length), stamp: 0, found: new Int32Array(anchors.length) };
  anchors.forEach((a, rule) => {
    if (a === null) return void pf.always.push(rule);
    for (const id of a.ids) {
      const rules = (pf.byId[id] ??= []);
      if (rules.at(-1) !== rule) rules.push(rule);
    }
  });
  return pf;
}

/**
 * The rules worth evaluating on this item, each once, in `pf.found[0, returned count)`, in no particular
 * order (callers order what matched: sorting every candidate cost more than evaluating it); the other rules
 * cannot match the item.
 */
export function candidateRules(pf: Prefilter, idx: ItemIndex): number {
  // Marks instead of de-duplicating a list: an item's words often name the same rule many times.
  const stamp = nextStamp(pf);
  const { seen, byId, always } = pf;
  const found = pf.found;
  let n = 0;
  for (let k = 0; k < always.length; k++) {
    seen[always[k]!] = stamp;
    found[n++] = always[k]!;
  }
  for (let h = 0; h < idx.hitCount; h++) {
    const id = idx.hitIds[h]!;
    const rules = id < byId.length ? byId[id] : undefined;
    if (rules === undefined) continue;
    for (let k = 0; k < rules.length; k++) {
      const rule = rules[k]!;
      if (seen[rule] === stamp) continue;
      seen[rule] = stamp;
      found[n++] = rule;
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
