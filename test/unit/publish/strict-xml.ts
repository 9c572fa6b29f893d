/**
 * A strict, non-validating XML 1.0 parser for tests: throws on anything not well-formed (XML 1.0 §2–§4, plus
 * Namespaces in XML §5: every prefix declared), and also on CDATA sections, which warta never writes. Returns a
 * small tree with decoded text and, per element, the raw source of its content and its line number.
 * Names are limited to ASCII, which is all our documents use.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Content exactly as written between the start and end tag ('' for an empty element). */
  raw: string;
  line: number;
}
export type XmlNode = XmlElement | string;

const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;
const SPACE = /[ \t\r\n]*/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

export class XmlSyntaxError extends Error {}

/** Parses `src`; throws XmlSyntaxError with a line number on the first well-formedness error. */
export function parseXml(src: string): XmlElement {
  let pos = 0;
  const lineAt = (p: number) => src.slice(0, p).split('\n').length;
  const fail = (msg: string): never => {
    throw new XmlSyntaxError(`line ${lineAt(pos)}: ${msg}`);
  };

  for (const ch of src) {
    const cp = ch.codePointAt(0)!;
    if (!isXmlChar(cp)) fail(`character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);
  }

  const skipSpace = () => {
    SPACE.lastIndex = pos;
    SPACE.exec(src);
    pos = SPACE.lastIndex;
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(src);
    if (!m) return fail('expected a name');
    pos = NAME.lastIndex;
    return m[0];
  };
  // Decodes references in text or an attribute value; rejects bare '&' and '<'.
  const decode = (s: string, where: string): string =>
    s.replace(/&([^;]*);|[&<]/g, (whole, ref: string | undefined) => {
      if (ref === undefined) return fail(`bare '${whole}' in ${where}`);
      if (ref in PREDEFINED) return PREDEFINED[ref]!;
      const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
      if (!m) return fail(`undefined entity &${ref}; in ${where}`);
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      if (!isXmlChar(cp)) return fail(`reference &${ref}; to a character XML forbids`);
      return String.fromCodePoint(cp);
    });

  const misc = () => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<!--', pos)) {
        const end = src.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        if (src.slice(pos + 4, end).includes('--')) fail("'--' inside a comment");
        pos = end + 3;
      } else if (src.startsWith('<?', pos) && !src.startsWith('<?xml ', pos)) {
        const end = src.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else return;
    }
  };

  const element = (scope: ReadonlyMap<string, string>): XmlElement => {
    const line = lineAt(pos);
    if (src[pos] !== '<') fail('expected an element');
    pos += 1;
    const tag = name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (src.startsWith('/>', pos) || src[pos] === '>') break;
      if (pos === before) fail('expected whitespace before an attribute');
      const attr = name();
      skipSpace();
      if (src[pos] !== '=') fail(`expected '=' after attribute ${attr}`);
      pos += 1;
      skipSpace();
      const quote = src[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} is not quoted`);
      const end = src.indexOf(quote!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      if (attr in attrs) fail(`duplicate attribute ${attr}`);
      attrs[attr] = decode(src.slice(pos + 1, end), `attribute ${attr}`);
      pos = end + 1;
    }
    const inner = new Map(scope);
    for (const [a, v] of Object.entries(attrs)) if (a.startsWith('xmlns:')) inner.set(a.slice(6), v);
    const checkPrefix = (n: string) => {
      const colon = n.indexOf(':');
      if (colon < 0) return;
      const prefix = n.slice(0, colon);
      if (prefix !== 'xml' && prefix !== 'xmlns' && !inner.has(prefix)) fail(`undeclared namespace prefix in ${n}`);
    };
    checkPrefix(tag);
    Object.keys(attrs).forEach(checkPrefix);

    const el: XmlElement = { name: tag, attrs, children: [], raw: '', line };
    if (src.startsWith('/>', pos)) {
      pos += 2;
      return el;
    }
    pos += 1;
    const contentStart = pos;
    for (;;) {
      const lt = src.indexOf('<', pos);
      if (lt < 0) fail(`unclosed <${tag}>`);
      const text = src.slice(pos, lt);
      if (text.includes(']]>')) fail("']]>' in character data");
      if (text !== '') el.children.push(decode(text, `<${tag}>`));
      pos = lt;
      if (src.startsWith('</', pos)) {
        el.raw = src.slice(contentStart, pos);
        pos += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        if (src[pos] !== '>') fail(`malformed end tag </${closing}`);
        pos += 1;
        return el;
      }
      if (src.startsWith('<![CDATA[', pos)) fail('CDATA section (warta never writes CDATA)');
      if (src.startsWith('<!--', pos) || src.startsWith('<?', pos)) {
        misc();
        continue;
      }
      el.children.push(element(inner));
    }
  };

  if (src.startsWith('\uFEFF')) pos = 1;
  if (src.startsWith('<?xml', pos)) {
    const end = src.indexOf('?>', pos);
    if (end < 0) fail('unterminated XML declaration');
    const decl = src.slice(pos, end + 2);
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>$/i.test(decl)) fail(`unexpected XML declaration ${decl}`);
    pos = end + 2;
  }
  misc();
  const root = element(new Map());
  misc();
  if (pos !== src.length) fail('content after the root element');
  return root;
}

/** Child elements of `el` named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/** The one child named `name`, or undefined. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return childrenNamed(el, name)[0];
}

/** Decoded text content of an element (its text children only). */
export function textOf(el: XmlElement | undefined): string {
  return el === undefined ? '' : el.children.filter((c): c is string => typeof c === 'string').join('');
}
