/**
 * Skipping rules that cannot match. For each rule we derive a set of words at least one of which must
 * occur in any item it matches (its anchor); an item then only evaluates rules anchored on words it
 * contains, plus the few rules with no anchor (pure NOT, regex, source:). Matching is word-based, so the
 * vocabulary positions recorded while tokenizing replace a substring automaton.
 */
import type { Matcher } from './matcher.js';
import type { ItemIndex } from './item-index.js';

/** Keys one of which occurs in every item the matcher accepts: vocabulary ids (words, stems) or word prefixes. */
export interface Anchor {
  ids: number[];
  prefixes: string[];
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
              return { ids: [t.id], prefixes: [], shortest: t.word.length };
            case 'stem':
              return { ids: t.ids, prefixes: [], shortest: t.word.length };
            case 'prefix':
              return { ids: [], prefixes: [t.prefix], shortest: t.prefix.length };
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
  const union: Anchor = { ids: [], prefixes: [], shortest: Infinity };
  for (const a of anchors) {
    if (a === null) return null;
    union.ids.push(...a.ids);
    union.prefixes.push(...a.prefixes);
    union.shortest = Math.min(union.shortest, a.shortest);
  }
  return union;
}

function cheapest(anchors: (Anchor | null)[]): Anchor | null {
  let best: Anchor | null = null;
  for (const a of anchors) {
    if (a === null) continue;
    if (best === null || cost(a) < cost(best) || (cost(a) === cost(best) && a.shortest > best.shortest)) best = a;
  }
  return best;
}

// A prefix costs a lookup per prefix length per item word.
function cost(a: Anchor): number {
  return a.ids.length + 2 * a.prefixes.length;
}

/** Rule indexes by anchor key. */
export interface Prefilter {
  ruleCount: number;
  byId: Map<number, number[]>;
  byPrefix: Map<string, number[]>;
  /** Distinct prefix lengths, ascending. */
  prefixLengths: number[];
  /** Rules evaluated on every item. */
  always: number[];
}

/** Indexes rules by their anchors (anchors[i] belongs to rule i). */
export function buildPrefilter(anchors: (Anchor | null)[]): Prefilter {
  const pf: Prefilter = { ruleCount: anchors.length, byId: new Map(), byPrefix: new Map(), prefixLengths: [], always: [] };
  const add = <K>(map: Map<K, number[]>, key: K, rule: number): void => {
    const rules = map.get(key);
    if (!rules) map.set(key, [rule]);
    else if (rules.at(-1) !== rule) rules.push(rule);
  };
  anchors.forEach((a, rule) => {
    if (a === null) return void pf.always.push(rule);
    for (const id of a.ids) add(pf.byId, id, rule);
    for (const p of a.prefixes) add(pf.byPrefix, p, rule);
  });
  pf.prefixLengths = [...new Set([...pf.byPrefix.keys()].map((p) => p.length))].sort((a, b) => a - b);
  return pf;
}

/** The rules worth evaluating on this item, ascending, each once; the others cannot match it. */
export function candidateRules(pf: Prefilter, idx: ItemIndex): number[] {
  // Few rules survive per item, so collecting with duplicates and sorting beats a per-item mark array.
  const found: number[] = [...pf.always];
  for (const id of idx.hits.keys()) {
    const rules = pf.byId.get(id);
    if (rules !== undefined) for (const rule of rules) found.push(rule);
  }
  if (pf.prefixLengths.length > 0) {
    for (const word of idx.words) {
      for (const len of pf.prefixLengths) {
        if (len > word.length) break;
        const rules = pf.byPrefix.get(word.slice(0, len));
        if (rules !== undefined) for (const rule of rules) found.push(rule);
      }
    }
  }
  found.sort((a, b) => a - b);
  let unique = 0;
  for (let i = 0; i < found.length; i++) if (i === 0 || found[i] !== found[i - 1]) found[unique++] = found[i]!;
  found.length = unique;
  return found;
}
