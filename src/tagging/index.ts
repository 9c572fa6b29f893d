/**
 * Tagging: keyword rules over item text. A query language (terms, phrases, AND/OR/NOT, prefix*, NEAR/n,
 * field scopes, /regex/) is parsed once per rule and evaluated word-by-word on folded text.
 */
export type { TagRule, TagMatch, ItemText, Tagger, FieldName, ScannedField, ScannedText } from './types.js';
export { FIELD_NAMES } from './types.js';
export { QuerySyntaxError } from './query-error.js';
export type { QueryNode, QueryWord } from './query-ast.js';
export { formatQuery } from './query-ast.js';
export { parseQuery } from './query-parser.js';
export { compileTagger } from './tagger.js';
export { slugify } from './slug.js';
export { htmlToText } from '../base/html-text.js';
export { fieldTexts } from './fields.js';
export { foldWords } from './words.js';
