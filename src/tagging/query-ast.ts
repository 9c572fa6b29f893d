/** The parsed form of a tag query, and a compact printout of it for tests and the CLI. */
import type { FieldName } from './types.js';

/** One word of a term or phrase, folded; `prefix` when written with a trailing `*`. */
export interface QueryWord {
  word: string;
  prefix: boolean;
}

/**
 * A parsed query. `words` is a bare term or a quoted phrase (a bare term with punctuation inside is a
 * phrase of its words); `raw` keeps the text as written for `source:`, which compares whole ids.
 */
export type QueryNode =
  | { kind: 'words'; words: QueryWord[]; raw: string; quoted: boolean; offset: number }
  | { kind: 'regex'; re: RegExp; offset: number }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  | { kind: 'near'; distance: number; left: QueryNode; right: QueryNode }
  | { kind: 'field'; field: FieldName; child: QueryNode };

/** A one-line, fully parenthesised rendering, e.g. `(and rusia (or "rusia belarus" belarus*))`; `source:` shows raw ids. */
export function formatQuery(node: QueryNode, inSource = false): string {
  switch (node.kind) {
    case 'words': {
      if (inSource) return JSON.stringify(node.raw) + (node.words.at(-1)?.prefix ? '*' : '');
      const text = node.words.map((w) => w.word + (w.prefix ? '*' : '')).join(' ');
      return node.words.length > 1 ? `"${text}"` : text;
    }
    case 'regex':
      return String(node.re);
    case 'and':
    case 'or':
      return `(${node.kind} ${node.children.map((c) => formatQuery(c, inSource)).join(' ')})`;
    case 'not':
      return `(not ${formatQuery(node.child, inSource)})`;
    case 'near':
      return `(near/${node.distance} ${formatQuery(node.left, inSource)} ${formatQuery(node.right, inSource)})`;
    case 'field':
      return `${node.field}:${formatQuery(node.child, node.field === 'source')}`;
  }
}
