/**
 * The shapes the rest of warta sees: tag rules as configured, items as searched, and the explanations a
 * tagger gives back. Behaviour lives in the sibling files.
 */
import type { TaggableItem } from '../base/model.js';

/** One tag as configured: the tag `name`, a `match` query, optional literal `aliases`, optional stemming. */
export interface TagRule {
  name: string;
  match: string;
  aliases?: string[];
  stem?: 'id' | null;
}

/** The parts of an item a query can search; `field:` scopes use these names. */
export type FieldName = 'title' | 'summary' | 'content' | 'category' | 'source' | 'author' | 'link';

/** Every field name, in the order explanations list them. */
export const FIELD_NAMES: readonly FieldName[] = ['title', 'summary', 'content', 'category', 'source', 'author', 'link'];

/** An item as the tagger reads it: the stored text plus the source id, author and link for scoped queries. */
export interface ItemText extends TaggableItem {
  source?: string;
  author?: string | null;
  link?: string | null;
}

/**
 * Why a tag matched: `rule` is the query (or alias) that matched, `text` the matched words, and
 * `start`/`end` UTF-16 offsets into that field's plain text as `fieldTexts()` returns it.
 */
export interface TagMatch {
  tag: string;
  rule: string;
  field: FieldName;
  text: string;
  start: number;
  end: number;
}

/**
 * One field's words as tagging read them, for another reader of the same words (the story sketch): the field as
 * given (`source`: HTML for summary and content, '' for none), its plain text as tagging searches it (`text`:
 * htmlToText of summary and content, the title as it is), and per word its folded form and UTF-16 span in `text`.
 */
export interface ScannedField {
  source: string;
  text: string;
  words: string[];
  starts: Int32Array;
  ends: Int32Array;
}

/** The title, summary and content of an item as one tagging pass read them. */
export interface ScannedText {
  title: ScannedField;
  summary: ScannedField;
  content: ScannedField;
}

/** A compiled set of tag rules. */
export interface Tagger {
  /** Tag names this item carries, in rule order, each once. */
  tag(item: ItemText): string[];
  /**
   * Same, with one or more explanations per matched tag (which field, matched text, offsets into that field's
   * extracted plain text). `scanned`, when given, receives the words this call read (not called when there are
   * no rules: nothing is read then).
   */
  explain(item: ItemText, scanned?: (words: ScannedText) => void): TagMatch[];
}
