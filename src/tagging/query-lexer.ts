/**
 * Tag query text → tokens. Operators are upper-case keywords so that ordinary words ("and", "or" in
 * English headlines) stay searchable; every position is kept for error messages.
 */
import { forEachWord } from './words.js';
import { QuerySyntaxError } from './query-error.js';
import type { QueryWord } from './query-ast.js';
import { FIELD_NAMES, type FieldName } from './types.js';

/** One lexical unit of a query; `offset` is where it starts (0-based, UTF-16). */
export type Token =
  | { type: '(' | ')' | 'AND' | 'OR' | 'NOT' | 'end'; offset: number }
  | { type: 'NEAR'; distance: number; offset: number }
  | { type: 'field'; field: FieldName; offset: number }
  | { type: 'words'; words: QueryWord[]; raw: string; quoted: boolean; offset: number }
  | { type: 'regex'; re: RegExp; offset: number };

const FIELD_PREFIX = /^([A-Za-z]+):/;
const NEAR = /^NEAR\/([0-9]{1,4})$/;
// A bare token ends at whitespace, a parenthesis or a quote.
const BARE_END = /[\s()"]/;

/** Splits `src` into tokens, ending with an 'end' token; throws QuerySyntaxError. */
export function lexQuery(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c, offset: i });
      i++;
    } else if (c === '"') {
      i = lexPhrase(src, i, tokens);
    } else if (c === '/') {
      i = lexRegex(src, i, tokens);
    } else {
      i = lexBare(src, i, tokens);
    }
  }
  tokens.push({ type: 'end', offset: src.length });
  return tokens;
}

function lexBare(src: string, start: number, tokens: Token[]): number {
  let end = start;
  while (end < src.length && !BARE_END.test(src[end]!)) end++;
  const raw = src.slice(start, end);

  const field = FIELD_PREFIX.exec(raw);
  const name = field?.[1]?.toLowerCase() as FieldName | undefined;
  if (field && name !== undefined && FIELD_NAMES.includes(name)) {
    // Lexing resumes right after the colon, so `title:/a b/` and `title:"a b"` read their operand whole.
    tokens.push({ type: 'field', field: name, offset: start });
    return start + field[0].length;
  }
  if (raw === 'AND' || raw === 'OR' || raw === 'NOT') {
    tokens.push({ type: raw, offset: start });
    return end;
  }
  const near = NEAR.exec(raw);
  if (near) {
    tokens.push({ type: 'NEAR', distance: Number(near[1]), offset: start });
    return end;
  }
  if (raw === 'NEAR' || raw.startsWith('NEAR/')) {
    throw new QuerySyntaxError('NEAR needs a distance in words, e.g. NEAR/5', src, start);
  }
  tokens.push({ type: 'words', words: termWords(src, start, raw), raw: raw.replace(/\*$/, ''), quoted: false, offset: start });
  return end;
}

// A bare term: its words in order; a trailing '*' makes the last word a prefix (belarus* → Belarusia).
function termWords(src: string, start: number, raw: string): QueryWord[] {
  const prefix = raw.endsWith('*');
  const body = prefix ? raw.slice(0, -1) : raw;
  const star = body.indexOf('*');
  if (star >= 0) throw new QuerySyntaxError("'*' is only allowed at the end of a word", src, start + star);
  const words: QueryWord[] = [];
  let lastEnd = -1;
  forEachWord(body, (word, _s, e) => {
    words.push({ word, prefix: false });
    lastEnd = e;
  });
  if (words.length === 0) throw new QuerySyntaxError(`"${raw}" has no letters or digits to search for`, src, start);
  if (prefix) {
    if (lastEnd !== body.length) throw new QuerySyntaxError("'*' must directly follow a word", src, start + body.length);
    words[words.length - 1]!.prefix = true;
  }
  return words;
}

function lexPhrase(src: string, start: number, tokens: Token[]): number {
  let raw = '';
  let i = start + 1;
  for (;;) {
    if (i >= src.length) throw new QuerySyntaxError('unterminated quote', src, start);
    const c = src[i]!;
    if (c === '"') break;
    if (c === '\\' && i + 1 < src.length) {
      raw += src[i + 1];
      i += 2;
    } else {
      raw += c;
      i++;
    }
  }
  const words: QueryWord[] = [];
  forEachWord(raw, (word) => words.push({ word, prefix: false }));
  if (words.length === 0) throw new QuerySyntaxError('empty phrase', src, start);
  tokens.push({ type: 'words', words, raw, quoted: true, offset: start });
  return i + 1;
}

function lexRegex(src: string, start: number, tokens: Token[]): number {
  let i = start + 1;
  let inClass = false; // a '/' inside [...] does not end the regex, as in JS literals
  for (;;) {
    if (i >= src.length) throw new QuerySyntaxError('unterminated /regex/', src, start);
    const c = src[i]!;
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
    i++;
  }
  const pattern = src.slice(start + 1, i);
  if (pattern === '') throw new QuerySyntaxError('empty /regex/', src, start);
  let end = i + 1;
  while (end < src.length && /[A-Za-z]/.test(src[end]!)) end++;
  const flags = src.slice(i + 1, end);
  // g and y make RegExp stateful (lastIndex), which would make one item's result depend on the previous one.
  const bad = flags.search(/[gy]/);
  if (bad >= 0) throw new QuerySyntaxError(`regex flag "${flags[bad]}" is not allowed`, src, i + 1 + bad);
  if (end < src.length && !BARE_END.test(src[end]!)) {
    throw new QuerySyntaxError('unexpected character after /regex/', src, end);
  }
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new QuerySyntaxError(`invalid regex (${reason})`, src, start, { cause: err });
  }
  tokens.push({ type: 'regex', re, offset: start });
  return end;
}
