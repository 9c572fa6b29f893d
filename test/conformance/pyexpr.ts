/**
 * A small evaluator for the Python expressions in feedparser's test headers ("not bozo and
 * entries[0]['title'] == u'Example'"): literals, subscripts, attribute access, ord()/len(), chained ==, !=, in,
 * and, not. Anything else — or a field warta's model does not have — is Unsupported, and the check is skipped.
 */

export class Unsupported extends Error {}

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'name'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const str = /^[uUbBrR]{0,2}(['"])/.exec(src.slice(i, i + 3));
    if (str) {
      const quote = str[1]!;
      const raw = /r/i.test(str[0].slice(0, -1));
      i += str[0].length;
      let v = '';
      while (i < src.length && src[i] !== quote) {
        if (src[i] === '\\' && !raw) {
          const e = src[i + 1]!;
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          if (e === 'x') v += String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16)), (i += 4);
          else if (e === 'u') v += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16)), (i += 6);
          else if (e === 'U') v += String.fromCodePoint(parseInt(src.slice(i + 2, i + 10), 16)), (i += 10);
          else if (simple[e] !== undefined) v += simple[e], (i += 2);
          else v += '\\' + e, (i += 2);
        } else v += src[i++];
      }
      if (i >= src.length) throw new Unsupported('unterminated string');
      i++;
      out.push({ t: 'str', v });
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num && !(out.length && out[out.length - 1]!.t !== 'op')) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = /^(==|!=|[()[\]{},:.])/.exec(src.slice(i));
    if (!op) throw new Unsupported(`cannot read "${src.slice(i, i + 10)}"`);
    out.push({ t: 'op', v: op[0] });
    i += op[0].length;
  }
  return out;
}

export type Env = Record<string, unknown>;

/** A value that decides equality itself (a lenient title, an encoding compared by what it decodes to). */
export interface Comparable {
  equals(other: unknown): boolean;
}

function isComparable(v: unknown): v is Comparable {
  return typeof v === 'object' && v !== null && typeof (v as Comparable).equals === 'function';
}

export function pyEquals(a: unknown, b: unknown): boolean {
  if (isComparable(a)) return a.equals(b);
  if (isComparable(b)) return b.equals(a);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) === Number(b);
  return a === b;
}

/** Evaluates an expression; throws Unsupported when it touches something outside the environment. */
export function evaluate(src: string, env: Env, fns: Record<string, (...args: unknown[]) => unknown>): boolean {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const eat = (v: string) => {
    const t = tokens[pos];
    if (!t || t.v !== v) throw new Unsupported(`expected ${v}`);
    pos++;
  };
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const isName = (v: string) => peek()?.t === 'name' && peek()!.v === v;

  function andExpr(): boolean {
    // "bozo" is feedparser's well-formedness flag; warta has none, so bozo conjuncts are not checked.
    const ends = (k: number) => tokens[k] === undefined || tokens[k]!.v === 'and';
    let result = true;
    let checked = false;
    do {
      if (isName('not') && tokens[pos + 1]?.v === 'bozo' && ends(pos + 2)) pos += 2;
      else if (isName('bozo') && ends(pos + 1)) pos += 1;
      else {
        result = truthy(notExpr()) && result;
        checked = true;
      }
    } while (isName('and') && ++pos);
    if (!checked) throw new Unsupported('only bozo');
    return result;
  }
  function notExpr(): unknown {
    if (isName('not')) {
      pos++;
      return !truthy(notExpr());
    }
    return comparison();
  }
  function comparison(): unknown {
    let left = postfix();
    let result: boolean | undefined;
    while (isOp('==') || isOp('!=') || isName('in')) {
      const op = tokens[pos++]!.v;
      const right = postfix();
      const r = op === '==' ? pyEquals(left, right) : op === '!=' ? !pyEquals(left, right) : contains(right, left);
      result = (result ?? true) && r;
      left = right;
    }
    return result ?? left;
  }
  function postfix(): unknown {
    let v = primary();
    for (;;) {
      if (isOp('[')) {
        pos++;
        const key = comparison();
        eat(']');
        v = subscript(v, key);
      } else if (isOp('.')) {
        pos++;
        const name = tokens[pos++];
        if (name?.t !== 'name') throw new Unsupported('attribute');
        v = subscript(v, name.v);
      } else if (isOp('(')) {
        pos++;
        const args: unknown[] = [];
        while (!isOp(')')) {
          args.push(comparison());
          if (isOp(',')) pos++;
        }
        eat(')');
        if (typeof v !== 'function') throw new Unsupported('call');
        v = (v as (...a: unknown[]) => unknown)(...args);
      } else return v;
    }
  }
  function primary(): unknown {
    const t = tokens[pos++];
    if (!t) throw new Unsupported('end of expression');
    if (t.t === 'str' || t.t === 'num') return t.v;
    if (t.t === 'name') {
      if (t.v === 'None') return null;
      if (t.v === 'True') return true;
      if (t.v === 'False') return false;
      if (t.v in fns) return fns[t.v];
      if (t.v in env) return env[t.v];
      throw new Unsupported(t.v);
    }
    if (t.v === '(' || t.v === '[') {
      const close = t.v === '(' ? ')' : ']';
      const items: unknown[] = [];
      while (!isOp(close)) {
        items.push(comparison());
        if (isOp(',')) pos++;
      }
      pos++;
      return t.v === '(' && items.length === 1 && tokens[pos - 2]?.v !== ',' ? items[0] : items;
    }
    if (t.v === '{') {
      const obj: Record<string, unknown> = {};
      while (!isOp('}')) {
        const k = comparison();
        eat(':');
        obj[String(k)] = comparison();
        if (isOp(',')) pos++;
      }
      pos++;
      return obj;
    }
    throw new Unsupported(`token ${t.v}`);
  }

  const value = andExpr();
  if (pos !== tokens.length) throw new Unsupported('trailing tokens');
  return value;
}

function subscript(v: unknown, key: unknown): unknown {
  if (Array.isArray(v) && typeof key === 'number') {
    if (key >= v.length) return new Missing(); // IndexError in Python: the check fails
    return v[key < 0 ? v.length + key : key];
  }
  if (typeof v === 'object' && v !== null && typeof key === 'string') {
    if (v instanceof Missing) {
      if (!MODEL_FIELDS.has(key)) throw new Unsupported(`field ${key}`);
      return v;
    }
    if (!(key in v)) throw new Unsupported(`field ${key}`);
    return (v as Record<string, unknown>)[key];
  }
  throw new Unsupported('subscript');
}

/** The fields an absent entry may be asked for without making the check unsupported. */
const MODEL_FIELDS = new Set(['title', 'link', 'id', 'guid', 'published_parsed', 'updated_parsed', 'description', 'summary']);

/** A value that does not exist (an entry past the end): equal to nothing. */
export class Missing implements Comparable {
  equals(): boolean {
    return false;
  }
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string' && typeof item === 'string') return container.includes(item);
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  throw new Unsupported('in');
}

function truthy(v: unknown): boolean {
  if (v instanceof Missing) return false;
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}
