/**
 * Parsed queries → matchers. Field scopes are resolved here into a field mask on each leaf, and words into
 * vocabulary ids (or stem candidate ids), so evaluation (evaluate.ts) only looks positions up.
 */
import type { QueryNode } from './query-ast.js';
import { DEFAULT_FIELDS, FIELD_BIT } from './fields.js';
import { prefixId, stemId, wordId, type StemFn, type Vocabulary } from './vocabulary.js';

/** How one query word is compared with an item word; `id`/`ids` are vocabulary ids. */
export type WordTest =
  | { kind: 'word'; word: string; id: number }
  | { kind: 'prefix'; prefix: string; id: number }
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

// A rough evaluation cost: vocabulary lookups (words, stems, prefixes) are cheap, regexes are not.
function effort(m: Matcher): number {
  switch (m.kind) {
    case 'words':
      return m.tests.length;
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
  if (prefix) return { kind: 'prefix', prefix: word, id: prefixId(vocab, word) };
  if (stem === null) return { kind: 'word', word, id: wordId(vocab, word) };
  return { kind: 'stem', word, ids: stem(word).map((key) => stemId(vocab, key)) };
}

/**
 * The vocabulary ids whose positions evaluating `m` looks up (evaluate.ts): a phrase's first word, and
 * every stem and prefix (compared by position). Later plain words of a phrase are compared by id at the
 * position, so "dengan" in "Hubungan Rusia dengan Belarusia" need not be recorded in every item.
 */
export function positionKeys(m: Matcher, out: Set<number>): Set<number> {
  switch (m.kind) {
    case 'words':
      m.tests.forEach((t, k) => {
        if (t.kind === 'stem') for (const id of t.ids) out.add(id);
        else if (k === 0 || t.kind === 'prefix') out.add(t.id);
      });
      break;
    case 'and':
    case 'or':
      for (const c of m.children) positionKeys(c, out);
      break;
    case 'not':
      positionKeys(m.child, out);
      break;
    case 'near':
      positionKeys(m.left, out);
      positionKeys(m.right, out);
      break;
    case 'source':
    case 'regex':
      break;
  }
  return out;
}
