/**
 * Tokens → QueryNode, by recursive descent. Precedence, loosest first: OR, AND (also implied between
 * adjacent operands), NOT, NEAR/n, field scope. Errors name the operator or parenthesis at fault.
 */
import { lexQuery, type Token } from './query-lexer.js';
import { QuerySyntaxError } from './query-error.js';
import type { QueryNode } from './query-ast.js';

/** Parses a tag query; throws QuerySyntaxError with the column of the problem. */
export function parseQuery(src: string): QueryNode {
  const tokens = lexQuery(src);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const fail = (detail: string, offset: number): never => {
    throw new QuerySyntaxError(detail, src, offset);
  };
  // Parsing (and every later walk of the tree) recurses per level: a hostile query of thousands of '(' or
  // NOTs would overflow the stack instead of failing as a syntax error.
  let depth = 0;
  const deeper = (offset: number) => {
    if (++depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`, offset);
  };

  const parseOr = (after: Token | null): QueryNode => {
    const children = [parseAnd(after)];
    while (peek().type === 'OR') {
      const op = next();
      children.push(parseAnd(op));
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  };

  const parseAnd = (after: Token | null): QueryNode => {
    const children = [parseUnary(after)];
    for (;;) {
      const t = peek();
      if (t.type === 'AND') {
        next();
        children.push(parseUnary(t));
      } else if (startsOperand(t)) {
        children.push(parseUnary(null));
      } else {
        break;
      }
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  };

  const parseUnary = (after: Token | null): QueryNode => {
    if (peek().type !== 'NOT') return parseNear(after);
    const op = next();
    deeper(op.offset);
    const child = parseUnary(op);
    depth--;
    return { kind: 'not', child };
  };

  const parseNear = (after: Token | null): QueryNode => {
    let left = parsePrimary(after);
    for (let op = peek(); op.type === 'NEAR'; op = peek()) {
      next();
      const right = parsePrimary(op);
      if (!isPositional(left) || !isPositional(right)) {
        fail(`${label(op)} needs words or phrases on both sides`, op.offset);
      }
      left = { kind: 'near', distance: op.distance, left, right };
    }
    return left;
  };

  const parsePrimary = (after: Token | null): QueryNode => {
    const t = peek();
    switch (t.type) {
      case 'words':
        next();
        return { kind: 'words', words: t.words, raw: t.raw, quoted: t.quoted, offset: t.offset };
      case 'regex':
        next();
        return { kind: 'regex', re: t.re, offset: t.offset };
      case 'field': {
        next();
        deeper(t.offset);
        const child = parsePrimary(t);
        depth--;
        return { kind: 'field', field: t.field, child };
      }
      case '(': {
        next();
        deeper(t.offset);
        const inner = peek().type;
        if (inner === ')') fail('empty parentheses', t.offset);
        if (inner === 'end') fail("'(' is never closed", t.offset);
        const node = parseOr(t);
        if (peek().type !== ')') fail("'(' is never closed", t.offset);
        next();
        depth--;
        return node;
      }
      default:
        if (after !== null) return fail(`${label(after)} needs a term after it`, after.offset);
        if (t.type === ')') return fail("')' has no matching '('", t.offset);
        if (t.type === 'end') return fail('empty query', 0);
        return fail(`${label(t)} needs a term before it`, t.offset);
    }
  };

  const root = parseOr(null);
  const rest = peek();
  if (rest.type === ')') fail("')' has no matching '('", rest.offset);
  if (rest.type !== 'end') fail(`unexpected ${label(rest)}`, rest.offset); // unreachable by the grammar; kept as a guard
  return root;
}

/** How deep parentheses, NOT and field scopes may nest. */
export const MAX_DEPTH = 100;

function startsOperand(t: Token): boolean {
  return t.type === 'words' || t.type === 'regex' || t.type === 'field' || t.type === '(' || t.type === 'NOT';
}

// NEAR measures word distance, so both sides must stand for runs of words in a field.
function isPositional(node: QueryNode): boolean {
  switch (node.kind) {
    case 'words':
    case 'near':
      return true;
    case 'or':
      return node.children.every(isPositional);
    case 'field':
      return node.field !== 'source' && isPositional(node.child);
    default:
      return false;
  }
}

function label(t: Token): string {
  switch (t.type) {
    case 'NEAR':
      return `NEAR/${t.distance}`;
    case 'field':
      return `${t.field}:`;
    case 'words':
      return JSON.stringify(t.raw);
    case 'regex':
      return String(t.re);
    case 'end':
      return 'end of query';
    default:
      return t.type === '(' || t.type === ')' ? `'${t.type}'` : t.type;
  }
}
