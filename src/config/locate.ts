/** Where a problem sits in the config's YAML, and what to tell the admin about it. */
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { configJsonSchema } from './json-schema.js';
import type { ConfigProblem } from './load.js';
import { didYouMean } from './suggest.js';

const INDENT_HINT =
  'check the indentation here and on the lines above: the keys of one entry line up, the items of one list ' +
  'start with "- " at one column, and a value containing ": " needs quotes';

/** What the admin should check for the YAML parser's terse errors (codes from the yaml package). */
export function yamlHint(code: string, message: string): string {
  switch (code) {
    case 'BAD_INDENT':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return INDENT_HINT;
    case 'MISSING_CHAR':
      return message.includes('without - indicator') ? INDENT_HINT : '';
    case 'TAB_AS_INDENT':
      return 'indent with spaces; YAML does not allow tabs';
    case 'DUPLICATE_KEY':
      return 'a key appears twice in one mapping; keep one (or check the indentation: the second may belong to another entry)';
    default:
      return '';
  }
}

/** Where a zod issue points in the YAML: the offending key for unknown keys, else the value (or its parent). */
export function locateIssue(doc: Document, issue: z.core.$ZodIssue, at: (offset: number, message: string) => ConfigProblem): ConfigProblem {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const label = path.length ? path.join('.') : 'config';
  if (issue.code === 'unrecognized_keys') {
    const parent = nodeAt(doc, path);
    const key = issue.keys[0]!;
    let offset = nodeLocation(doc, path).offset;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    const known = knownKeys(path);
    const hint = issue.keys.length === 1 ? didYouMean(key, known) : '';
    return at(offset, `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${label}${hint}`);
  }
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    const exists = nodeAt(doc, path) !== undefined;
    message = exists ? `must be ${issue.expected}` : `is required (${issue.expected})`;
  }
  return at(nodeLocation(doc, path).offset, `${label}: ${message}`);
}

/** The keys the schema allows in the mapping at `path` (list indexes step into the list's items). */
function knownKeys(path: (string | number)[]): string[] {
  type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema };
  let node: JsonSchema | undefined = configJsonSchema() as JsonSchema;
  for (const step of path) node = typeof step === 'number' ? node?.items : node?.properties?.[step];
  return Object.keys(node?.properties ?? {});
}

function nodeAt(doc: Document, path: (string | number)[]): Node | undefined {
  return doc.getIn(path, true) as Node | undefined;
}

/**
 * Where the node at `path` starts, or its nearest existing ancestor. `exact` says the node itself was found;
 * `quote` is 1 for a quoted scalar, whose text starts one column after its opening quote.
 */
export function nodeLocation(doc: Document, path: (string | number)[]): { offset: number; exact: boolean; quote: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : nodeAt(doc, path.slice(0, n));
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range) {
      const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      return { offset: node.range[0], exact: n === path.length, quote: quoted ? 1 : 0 };
    }
  }
  return { offset: 0, exact: false, quote: 0 };
}
