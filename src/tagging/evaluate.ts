/** Evaluating matchers against one item's index: true/false for tag(), and where, for NEAR and explain(). */
import { FIELD_BIT } from './fields.js';
import { hasKeyAt, tokensOf, type ItemIndex } from './item-index.js';
import type { Matcher, WordTest } from './matcher.js';

/** A run of consecutive tokens [from, to] (inclusive) in one segment. */
export interface Span {
  seg: number;
  from: number;
  to: number;
}

/** Whether the item satisfies the matcher. */
export function evaluate(m: Matcher, idx: ItemIndex): boolean {
  switch (m.kind) {
    case 'words': {
      // tag() asks this for every leaf of every candidate rule: no arrays, just the first hit.
      const first = m.tests[0]!;
      if (first.kind !== 'stem') return phraseFrom(m.tests, m.mask, first.id, idx);
      for (const key of first.ids) if (phraseFrom(m.tests, m.mask, key, idx)) return true;
      return false;
    }
    case 'near':
      return nearSpans(m, idx, 1).length > 0;
    case 'source':
      return sourceMatches(m, idx);
    case 'regex':
      for (const s of idx.segments) if ((s.bit & m.mask) !== 0 && m.re.test(s.text)) return true;
      return false;
    case 'and':
      for (const c of m.children) if (!evaluate(c, idx)) return false;
      return true;
    case 'or':
      for (const c of m.children) if (evaluate(c, idx)) return true;
      return false;
    case 'not':
      return !evaluate(m.child, idx);
  }
}

/** The source segment when the matcher's id matches it (source: compares whole ids, case-insensitively). */
export function sourceMatches(m: Extract<Matcher, { kind: 'source' }>, idx: ItemIndex): boolean {
  const source = idx.segments.find((s) => s.bit === FIELD_BIT.source)?.text.toLowerCase();
  if (source === undefined) return false;
  return m.prefix ? source.startsWith(m.id) : source === m.id;
}

/**
 * Where a positional matcher (words, NEAR, OR of those) occurs, up to `limit` spans. NEAR yields the
 * span covering both sides, so it can itself be an operand of NEAR.
 */
export function spans(m: Matcher, idx: ItemIndex, limit = Infinity): Span[] {
  switch (m.kind) {
    case 'words':
      return phraseSpans(m.tests, m.mask, idx, limit);
    case 'or': {
      const out: Span[] = [];
      for (const child of m.children) {
        if (out.length >= limit) break;
        out.push(...spans(child, idx, limit - out.length));
      }
      return out;
    }
    case 'near':
      return nearSpans(m, idx, limit);
    default:
      return []; // the parser only lets positional matchers under NEAR
  }
}

function phraseSpans(tests: WordTest[], mask: number, idx: ItemIndex, limit: number): Span[] {
  const out: Span[] = [];
  for (const id of firstTokens(tests[0]!, idx)) {
    if (!phraseAt(tests, mask, id, idx)) continue;
    out.push({ seg: idx.segs[id]!, from: id, to: id + tests.length - 1 });
    if (out.length >= limit) break;
  }
  return out;
}

// Whether the phrase occurs starting at a token carrying vocabulary id `key` (its first word's, or one of
// that word's stem keys).
function phraseFrom(tests: WordTest[], mask: number, key: number, idx: ItemIndex): boolean {
  if (key >= idx.head.length) return false;
  for (let p = idx.head[key]!; p >= 0; p = idx.next[p]!) if (phraseAt(tests, mask, idx.token[p]!, idx)) return true;
  return false;
}

// Whether the phrase occurs starting at token `id` (whose first word is already known to match): the
// other words follow in the same segment, in a field the matcher searches.
function phraseAt(tests: WordTest[], mask: number, id: number, idx: ItemIndex): boolean {
  const seg = idx.segs[id]!;
  if ((idx.segBits[seg]! & mask) === 0) return false;
  for (let k = 1; k < tests.length; k++) {
    if (id + k >= idx.count || idx.segs[id + k] !== seg || !tokenPasses(tests[k]!, id + k, idx)) return false;
  }
  return true;
}

// Where a phrase's first word occurs, ascending: words, stems and prefixes all come from the positions
// recorded while tokenizing.
function firstTokens(test: WordTest, idx: ItemIndex): readonly number[] {
  if (test.kind !== 'stem') return tokensOf(idx, test.id);
  if (test.ids.length === 1) return tokensOf(idx, test.ids[0]!);
  return [...new Set(test.ids.flatMap((key) => tokensOf(idx, key)))].sort((a, b) => a - b);
}

function tokenPasses(test: WordTest, token: number, idx: ItemIndex): boolean {
  switch (test.kind) {
    case 'word':
      return idx.wordIds[token] === test.id;
    case 'prefix':
      return hasKeyAt(idx, test.id, token);
    case 'stem':
      return test.ids.some((id) => hasKeyAt(idx, id, token));
  }
}

// Two spans are within `distance` words when at most that many words separate them; they must not
// overlap, so "Putin NEAR/3 Putin" needs two mentions.
function nearSpans(m: Extract<Matcher, { kind: 'near' }>, idx: ItemIndex, limit: number): Span[] {
  const out: Span[] = [];
  const left = spans(m.left, idx);
  if (left.length === 0) return out;
  const right = spans(m.right, idx);
  for (const a of left) {
    for (const b of right) {
      if (a.seg !== b.seg) continue;
      const gap = a.to < b.from ? b.from - a.to - 1 : b.to < a.from ? a.from - b.to - 1 : -1;
      if (gap < 0 || gap > m.distance) continue;
      out.push({ seg: a.seg, from: Math.min(a.from, b.from), to: Math.max(a.to, b.to) });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
