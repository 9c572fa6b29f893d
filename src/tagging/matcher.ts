/**
 * Parsed queries → matchers. Field scopes are resolved here into a field mask on each leaf, and words into
 * vocabulary ids (or stem candidate ids), so evaluation (evaluate.ts) only looks positions up.
 */
import type { QueryNode } from './query-ast.js';
import { DEFAULT_FIELDS, FIELD_BIT } from './fields.js';
import type { StemFn } from './item-index.js';
import { stemId, wordId, type Vocabulary } from './vocabulary.js';

/** How one query word is compared with an item word; `id`/`ids` are vocabulary ids. */
export type WordTest =
  | { kind: 'word'; word: string; id: number }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'stem'; word: string; ids: number[] };

/** A query ready to evaluate. */
export type Matcher =
  | { kind: 'words'; tests: WordTest[]; mask: number }
  | { kind: 'source'; id: string; prefix: boolean }
  | { kind: 'regex'; re: RegExp; mask: number }
  | { kind: 'and'; children: Matcher[] }
  | { kind: 'or'; children: Matcher[] }
  | { kind: 'not'; child: Matcher }
  | { kind: 'near'; distance: number; left: Matcher; right: Matcher };

/** What compiling needs: the tagger's vocabulary, and the stemmer for `stem: 'id'` rules. */
export interface CompileContext {
  vocab: Vocabulary;
  stem: StemFn | null;
}

/** Compiles a parsed query, adding its words to the vocabulary. */
export function compileQuery(node: QueryNode, ctx: CompileContext, mask = DEFAULT_FIELDS): Matcher {
  switch (node.kind) {
    case 'field':
      // The innermost scope wins: title:(Rusia OR content:Minsk) looks for Minsk in content.
      return compileQuery(node.child, ctx, FIELD_BIT[node.field]);
    case 'words':
      if (mask === FIELD_BIT.source) {
        return { kind: 'source', id: node.raw.toLowerCase(), prefix: node.words.at(-1)?.prefix ?? false };
      }
      return { kind: 'words', tests: node.words.map((w) => wordTest(w.word, w.prefix, ctx)), mask };
    case 'regex':
      return { kind: 'regex', re: node.re, mask };
    case 'and':
    case 'or': {
      // Cheap children first, so `belarus* AND Minsk` usually stops at the Minsk lookup.
      const children = node.children.map((c) => compileQuery(c, ctx, mask));
      return { kind: node.kind, children: children.sort((a, b) => effort(a) - effort(b)) };
    }
    case 'not':
      return { kind: 'not', child: compileQuery(node.child, ctx, mask) };
    case 'near':
      return {
        kind: 'near',
        distance: node.distance,
        left: compileQuery(node.left, ctx, mask),
        right: compileQuery(node.right, ctx, mask),
      };
  }
}

// A rough evaluation cost: vocabulary lookups are cheap, token scans (prefixes) and regexes are not.
function effort(m: Matcher): number {
  switch (m.kind) {
    case 'words':
      return m.tests.reduce((sum, t) => sum + (t.kind === 'prefix' ? 10 : 1), 0);
    case 'source':
      return 1;
    case 'regex':
      return 50;
    case 'not':
      return effort(m.child);
    case 'near':
      return 5 + effort(m.left) + effort(m.right);
    case 'and':
    case 'or':
      return m.children.reduce((sum, c) => sum + effort(c), 0);
  }
}

/** A literal phrase (an alias) as a matcher over the default fields. */
export function compilePhrase(words: string[], ctx: CompileContext): Matcher {
  return { kind: 'words', tests: words.map((w) => wordTest(w, false, ctx)), mask: DEFAULT_FIELDS };
}

function wordTest(word: string, prefix: boolean, { vocab, stem }: CompileContext): WordTest {
  if (prefix) return { kind: 'prefix', prefix: word };
  if (stem === null) return { kind: 'word', word, id: wordId(vocab, word) };
  return { kind: 'stem', word, ids: stem(word).map((key) => stemId(vocab, key)) };
}
