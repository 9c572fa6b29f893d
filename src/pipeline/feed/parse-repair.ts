import { decodeHTMLStrict } from 'entities';

/**
 * Text repairs before XML parsing. A strict XML parser rejects a whole feed for one bare "&", one HTML entity
 * such as &nbsp; or one stray "<" — all common in real feeds — so these are fixed first, outside CDATA
 * sections, comments and processing instructions.
 *
 * The DOCTYPE is removed. Entities it declares inline are expanded here, within a size budget; external
 * entities (SYSTEM/PUBLIC: XXE) and parameter entities are never read, and references to them expand to
 * nothing. No parser downstream ever sees an entity declaration.
 */
export function repairXml(text: string): string {
  const start = documentStart(text);
  const { rest, entities } = removeDoctype(start === 0 ? text : text.slice(start));
  const repaired = repairMarkup(rest, makeEntityResolver(entities, Math.max(1 << 20, text.length)));
  // A document whose very last ">" is missing ("…</rss") is complete in every other way.
  return /<\/[\w:.-]+\s*$/.test(repaired) ? `${repaired.trimEnd()}>` : repaired;
}

/** Junk before the document (blank lines, a PHP notice) makes strict parsers fail: start at the prolog. */
function documentStart(text: string): number {
  const prolog = text.slice(0, 4096).search(/<\?xml[\s?]/);
  if (prolog >= 0) return prolog;
  const first = text.indexOf('<');
  return first < 0 ? 0 : first;
}

interface Declared {
  value: string | null; // null: external or otherwise not expandable
}

/** Cuts the DOCTYPE (with its internal subset) out of the prolog and collects its general entity declarations. */
function removeDoctype(text: string): { rest: string; entities: Map<string, Declared> } {
  const entities = new Map<string, Declared>();
  // The DOCTYPE can only follow the XML declaration, comments and processing instructions.
  const prolog = /\s*(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->)/y;
  let at = 0;
  while (prolog.exec(text) !== null && prolog.lastIndex > at) at = prolog.lastIndex;
  const doctype = /\s*<!DOCTYPE/iy;
  doctype.lastIndex = at;
  if (!doctype.test(text)) return { rest: text, entities };
  let i = doctype.lastIndex;
  at = i - '<!DOCTYPE'.length;
  let quote: string | null = null;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '>' && depth === 0) break;
  }
  const declarations = text.slice(at, i + 1);
  const decl = /<!ENTITY\s+(%\s+)?([^\s%;&]+)\s+(?:("[^"]*"|'[^']*')|(SYSTEM|PUBLIC)\b)/g;
  for (let m = decl.exec(declarations); m; m = decl.exec(declarations)) {
    const name = m[2]!;
    if (m[1] || entities.has(name)) continue; // parameter entities are not ours; the first declaration binds (XML §4.2)
    entities.set(name, { value: m[3] === undefined ? null : m[3].slice(1, -1) });
  }
  return { rest: text.slice(0, at) + text.slice(i + 1), entities };
}

type EntityResolver = (name: string) => string | null;

const MAX_ENTITY_LENGTH = 64 * 1024;

/**
 * Expands declared internal entities to escaped text (markup inside a value stays text). Nested references are
 * followed once each (memoized; recursion is refused); a value that grows past 64 KiB, or expansions that
 * together pass the budget, expand to nothing — so "billion laughs" costs microseconds.
 */
function makeEntityResolver(declared: Map<string, Declared>, budget: number): EntityResolver {
  const done = new Map<string, string | null>();
  const active = new Set<string>();
  let spent = 0;
  const expand = (name: string): string | null => {
    if (done.has(name)) return done.get(name)!;
    const d = declared.get(name);
    if (!d || d.value === null || active.has(name)) return null; // external, undeclared, or recursive
    active.add(name);
    let out = '';
    let last = 0;
    let failed = false;
    const ref = /&(#x[0-9a-f]+|#\d+|[^\s&;]+);/gi;
    for (let m = ref.exec(d.value); m; m = ref.exec(d.value)) {
      const r = m[1]!;
      let inner: string | null;
      if (r.startsWith('#')) inner = String.fromCodePoint(validCode(charRefCode(r)) ?? 0xfffd);
      else inner = XML_PREDEFINED[r] ?? (declared.has(r) ? expand(r) : htmlEntity(r));
      out += d.value.slice(last, m.index) + (inner ?? '');
      last = m.index + m[0].length;
      if (inner === null || out.length > MAX_ENTITY_LENGTH) {
        failed = true;
        break;
      }
    }
    out += d.value.slice(last);
    const result = failed || out.length > MAX_ENTITY_LENGTH ? null : out;
    active.delete(name);
    done.set(name, result);
    return result;
  };
  return (name) => {
    if (!declared.has(name)) return null;
    const value = expand(name);
    if (value === null || spent + value.length > budget) return '';
    spent += value.length;
    return escapeXmlText(value);
  };
}

const XML_PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function escapeXmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An HTML named entity's text ("nbsp" → U+00A0), or null when HTML has no such entity. */
function htmlEntity(name: string): string | null {
  const ref = `&${name};`;
  const decoded = decodeHTMLStrict(ref);
  return decoded === ref ? null : decoded;
}

function validCode(code: number | null): number | null {
  return code !== null && code <= 0x10ffff ? code : null;
}

function charRefCode(ref: string): number | null {
  const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
  return Number.isFinite(code) ? code : null;
}

/** Windows-1252's characters at 0x80–0x9F, which feeds write as &#146; and mean ’ (HTML does the same). */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

function toCharRefs(text: string): string {
  return Array.from(text, (c) => `&#${c.codePointAt(0)};`).join('');
}

const MARKUP =
  /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|<\?[\s\S]*?(?:\?>|$)|<(?=[\s\d=<]|$)|&(#[xX][0-9a-fA-F]{1,8}|#\d{1,9}|[A-Za-z_][\w.:-]{0,63})?(;?)/g;

function repairMarkup(text: string, resolve: EntityResolver): string {
  return text.replace(MARKUP, (match: string, ref: string | undefined, semicolon: string) => {
    if (match === '<') return '&lt;'; // "a < b": no tag starts with a space, digit or "="
    if (match[0] !== '&') return match; // CDATA, comment, processing instruction: untouched
    if (ref === undefined) return '&amp;';
    if (ref[0] === '#') {
      const code = charRefCode(ref);
      if (code === null || !isXmlChar(code)) return '';
      return code >= 0x80 && code <= 0x9f ? c1Ref(code) : `&${ref};`;
    }
    if (!semicolon) return `&amp;${ref}`;
    if (XML_PREDEFINED[ref]) return match;
    const declared = resolve(ref);
    if (declared !== null) return declared;
    const html = htmlEntity(ref);
    return html === null ? `&amp;${ref};` : toCharRefs(html);
  });
}

function c1Ref(code: number): string {
  const c = CP1252_C1[code - 0x80]!;
  return c.charCodeAt(0) < 0xa0 ? '' : `&#${c.charCodeAt(0)};`;
}
