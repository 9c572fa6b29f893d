/** Evidence for a match: which words (or regex hits) in which field made a matcher true. */
import { evaluate, sourceMatches, spans, type Span } from './evaluate.js';
import type { Matcher } from './matcher.js';
import type { ItemIndex } from './item-index.js';
import type { FieldName } from './types.js';
import { FIELD_NAMES } from './types.js';

// Explanations are stored with each tagged item; two occurrences per query term say why as well as fifty, and a
// rule of many terms is cut at ten. Uncapped, a 120-word article about Putin and Lukashenko stored 3 KB per tag,
// and writing those rows was the largest cost of ingest (bench/ingest.ts profile).
const PER_TERM = 2;
const FIELD_ORDER = Object.fromEntries(FIELD_NAMES.map((f, k) => [f, k])) as Record<FieldName, number>;
const PER_RULE = 10;

/** One piece of evidence; offsets are into the field's plain text (see fieldTexts). */
export interface Evidence {
  field: FieldName;
  text: string;
  start: number;
  end: number;
}

/**
 * The occurrences that support `m` on this item (up to two per term, phrase, NEAR or regex, ten in all), sorted by
 * field then position; empty when `m` is false or holds only through NOT (absence leaves nothing to point at).
 */
export function collectEvidence(m: Matcher, idx: ItemIndex): Evidence[] {
  const found: Evidence[] = [];
  // Round by round, the first occurrence of every term before any term's second, so the cap cuts repeats.
  const groups = supporting(m, idx);
  for (let round = 0; round < PER_TERM && found.length < PER_RULE; round++) {
    for (const group of groups) {
      const e = group[round];
      // Two terms may point at the same words (`Putin OR Putin*`): one entry (at most ten to compare).
      if (e === undefined || found.some((f) => f.field === e.field && f.start === e.start && f.end === e.end)) continue;
      found.push(e);
      if (found.length === PER_RULE) break;
    }
  }
  return found.sort((a, b) => FIELD_ORDER[a.field] - FIELD_ORDER[b.field] || a.start - b.start || a.end - b.end);
}

// The occurrences behind `m`, one list per term (word, phrase, NEAR, regex or source: test) that holds.
function supporting(m: Matcher, idx: ItemIndex): Evidence[][] {
  if (!evaluate(m, idx)) return [];
  switch (m.kind) {
    case 'words':
    case 'near':
      return [spans(m, idx, PER_TERM).map((s) => spanEvidence(s, idx))];
    case 'or': // false children add nothing
    case 'and':
      return m.children.flatMap((c) => supporting(c, idx));
    case 'not':
      return [];
    case 'source': {
      const seg = idx.segments.find((s) => s.field === 'source');
      return seg && sourceMatches(m, idx) ? [[{ field: 'source', text: seg.text, start: 0, end: seg.text.length }]] : [];
    }
    case 'regex':
      return [regexEvidence(m.re, m.mask, idx)];
  }
}

function spanEvidence(span: Span, idx: ItemIndex): Evidence {
  const seg = idx.segments[span.seg]!;
  const start = idx.starts[span.from]!;
  const end = idx.ends[span.to]!;
  return { field: seg.field, text: seg.text.slice(start, end), start: seg.offset + start, end: seg.offset + end };
}

function regexEvidence(re: RegExp, mask: number, idx: ItemIndex): Evidence[] {
  // A global copy for matchAll; the compiled regex stays non-global so test() keeps no state.
  const all = new RegExp(re.source, re.flags + 'g');
  const out: Evidence[] = [];
  for (const s of idx.segments) {
    if ((s.bit & mask) === 0) continue;
    for (const hit of s.text.matchAll(all)) {
      if (out.length >= PER_TERM) return out;
      out.push({ field: s.field, text: hit[0], start: s.offset + hit.index, end: s.offset + hit.index + hit[0].length });
    }
  }
  return out;
}
