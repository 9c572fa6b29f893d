/** Evidence for a match: which words (or regex hits) in which field made a matcher true. */
import { evaluate, sourceMatches, spans, type Span } from './evaluate.js';
import type { Matcher } from './matcher.js';
import type { ItemIndex } from './item-index.js';
import type { FieldName } from './types.js';
import { FIELD_NAMES } from './types.js';

// Explanations are stored with each tagged item; a few occurrences per query term say why as well as fifty.
const PER_TERM = 5;

/** One piece of evidence; offsets are into the field's plain text (see fieldTexts). */
export interface Evidence {
  field: FieldName;
  text: string;
  start: number;
  end: number;
}

/**
 * The occurrences that support `m` on this item (up to five per term, phrase, NEAR or regex), sorted by
 * field then position; empty when `m` is false or holds only through NOT (absence leaves nothing to point at).
 */
export function collectEvidence(m: Matcher, idx: ItemIndex): Evidence[] {
  const found = new Map<string, Evidence>();
  for (const e of supporting(m, idx)) found.set(`${e.field}:${e.start}:${e.end}`, e);
  return [...found.values()].sort(
    (a, b) => FIELD_NAMES.indexOf(a.field) - FIELD_NAMES.indexOf(b.field) || a.start - b.start || a.end - b.end,
  );
}

function supporting(m: Matcher, idx: ItemIndex): Evidence[] {
  if (!evaluate(m, idx)) return [];
  switch (m.kind) {
    case 'words':
    case 'near':
      return spans(m, idx, PER_TERM).map((s) => spanEvidence(s, idx));
    case 'or': // false children add nothing
    case 'and':
      return m.children.flatMap((c) => supporting(c, idx));
    case 'not':
      return [];
    case 'source': {
      const seg = idx.segments.find((s) => s.field === 'source');
      return seg && sourceMatches(m, idx) ? [{ field: 'source', text: seg.text, start: 0, end: seg.text.length }] : [];
    }
    case 'regex':
      return regexEvidence(m.re, m.mask, idx);
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
