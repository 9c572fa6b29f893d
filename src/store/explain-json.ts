/**
 * The `item_tags.explain` column: why a tag applies, as JSON. Written compactly, each rule's text once:
 * `{"rules": [rule, …], "m": [[rule index, field, text, start, end], …]}`. With the rule repeated in every
 * match, a long rule's ten matches made a 1.3 KB row and writing them was the largest cost of ingest. Rows
 * written before this format (a JSON array of match objects) are read as they are.
 */
import type { StoredMatch } from './store.js';

interface Compact {
  rules: string[];
  m: [number, string, string, number, number][];
}

/** The column's text for a tag's matches. */
export function encodeExplain(matches: readonly StoredMatch[]): string {
  const rules: string[] = [];
  const m: Compact['m'] = matches.map((x) => {
    let r = rules.indexOf(x.rule);
    if (r < 0) r = rules.push(x.rule) - 1;
    return [r, x.field, x.text, x.start, x.end];
  });
  return JSON.stringify({ rules, m } satisfies Compact);
}

/** The column's text for a tag's matches, or the text itself when they came encoded (AppliedTag.explain). */
export const explainColumn = (explain: readonly StoredMatch[] | string): string => (typeof explain === 'string' ? explain : encodeExplain(explain));

/** The matches in the column's text (either format); [] for NULL. */
export function decodeExplain(text: string | null): StoredMatch[] {
  if (text === null) return [];
  const parsed = JSON.parse(text) as StoredMatch[] | Compact;
  if (Array.isArray(parsed)) return parsed;
  return parsed.m.map(([r, field, matched, start, end]) => ({ rule: parsed.rules[r]!, field, text: matched, start, end }));
}
