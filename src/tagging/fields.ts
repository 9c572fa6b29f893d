/**
 * Which plain text each field of an item contributes to matching. Offsets in explanations point into
 * exactly these strings, so callers highlight with `fieldTexts()` rather than recomputing them.
 */
import { htmlToText } from '../base/html-text.js';
import type { FieldName, ItemText } from './types.js';

/** Bit per field, so a compiled query can say "these fields" in one number. */
export const FIELD_BIT: Readonly<Record<FieldName, number>> = {
  title: 1,
  summary: 2,
  content: 4,
  category: 8,
  source: 16,
  author: 32,
  link: 64,
};

/** Fields searched by a query without a `field:` scope. */
export const DEFAULT_FIELDS = FIELD_BIT.title | FIELD_BIT.summary | FIELD_BIT.content | FIELD_BIT.category;

/**
 * One searchable run of text: a field, or one category (a phrase never spans two categories).
 * `offset` is where `text` starts in the field's plain text.
 */
export interface Segment {
  field: FieldName;
  bit: number;
  text: string;
  offset: number;
}

// Categories are one field for explanations; joined by newlines so each keeps its own offsets.
const CATEGORY_SEPARATOR = '\n';

/** The segments of the fields in `mask`, in field order; HTML fields are converted to text here, once. */
export function itemSegments(item: ItemText, mask: number): Segment[] {
  const segments: Segment[] = [];
  pushSegment(segments, mask, 'title', item.title, 0);
  pushSegment(segments, mask, 'summary', item.summary == null || (mask & FIELD_BIT.summary) === 0 ? null : htmlToText(item.summary), 0);
  pushSegment(segments, mask, 'content', item.content == null || (mask & FIELD_BIT.content) === 0 ? null : htmlToText(item.content), 0);
  let offset = 0;
  for (const category of item.categories) {
    pushSegment(segments, mask, 'category', category, offset);
    offset += category.length + CATEGORY_SEPARATOR.length;
  }
  pushSegment(segments, mask, 'source', item.source, 0);
  pushSegment(segments, mask, 'author', item.author, 0);
  pushSegment(segments, mask, 'link', item.link, 0);
  return segments;
}

// A function, not a closure made per item: tag() calls itemSegments for every item.
function pushSegment(segments: Segment[], mask: number, field: FieldName, text: string | null | undefined, offset: number): void {
  const bit = FIELD_BIT[field];
  if (mask & bit && text) segments.push({ field, bit, text, offset });
}

/** The plain text of every field, as explanation offsets count: HTML stripped, categories joined by "\n". */
export function fieldTexts(item: ItemText): Record<FieldName, string> {
  return {
    title: item.title,
    summary: item.summary == null ? '' : htmlToText(item.summary),
    content: item.content == null ? '' : htmlToText(item.content),
    category: item.categories.join(CATEGORY_SEPARATOR),
    source: item.source ?? '',
    author: item.author ?? '',
    link: item.link ?? '',
  };
}
