import { Parser as HtmlParser } from 'htmlparser2';

/**
 * A small namespace-aware XML element tree, the one shape the field extractor reads. It is built either from
 * the document rss-parser parsed (xml2js objects) or, in the fallback, by htmlparser2 in XML mode.
 */
export interface XmlElement {
  /** The qualified name as written ("dc:date"). */
  name: string;
  /** The local part ("date"). */
  local: string;
  /** The namespace URI, '' for none. */
  ns: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** In-scope namespace prefixes (shared between elements that declare none). */
  scope: ReadonlyMap<string, string>;
  /** xml2js groups children by name and joins text runs, so their order is unknown: see OrderLost. */
  unordered?: boolean;
}
export type XmlNode = XmlElement | string;

/** Thrown when markup content must be read from an element whose child order the source did not keep. */
export class OrderLost extends Error {
  constructor(element: string) {
    super(`xml2js did not keep the order of mixed content in <${element}>`);
    this.name = 'OrderLost';
  }
}

export const NS = {
  atom10: 'http://www.w3.org/2005/Atom',
  atom03: 'http://purl.org/atom/ns#',
  rss10: 'http://purl.org/rss/1.0/',
  rss090: 'http://my.netscape.com/rdf/simple/0.9/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  sy: 'http://purl.org/rss/1.0/modules/syndication/',
  xhtml: 'http://www.w3.org/1999/xhtml',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Prefixes feeds use without declaring them (undeclared dc: is common): read them as their usual namespace. */
const CONVENTIONAL: ReadonlyMap<string, string> = new Map([
  ['xml', NS.xml],
  ['dc', NS.dc],
  ['dcterms', NS.dcterms],
  ['content', NS.content],
  ['atom', NS.atom10],
  ['rdf', NS.rdf],
]);

function splitName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function makeElement(name: string, attrs: Record<string, string>, parentScope: ReadonlyMap<string, string>): XmlElement {
  let scope = parentScope;
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      (scope as Map<string, string>).set(key === 'xmlns' ? '' : key.slice(6), value.trim());
    }
  }
  const [prefix, local] = splitName(name);
  const ns = scope.get(prefix) ?? (prefix === '' ? '' : CONVENTIONAL.get(prefix) ?? prefix);
  return { name, local, ns, attrs, children: [], scope };
}

const ROOT_SCOPE: ReadonlyMap<string, string> = new Map();

/** Builds the tree with htmlparser2, which never rejects input; `complete` is false when the root never closed. */
export function treeFromText(xml: string): { root: XmlElement | null; complete: boolean } {
  let root: XmlElement | null = null;
  let complete = false;
  const stack: XmlElement[] = [];
  const parser = new HtmlParser(
    {
      onopentag(name, attribs) {
        const parent = stack[stack.length - 1];
        const el = makeElement(name, attribs, parent?.scope ?? ROOT_SCOPE);
        if (parent) parent.children.push(el);
        else if (!root) root = el;
        else return void stack.push(el); // a second root: parsed, but not part of the document
        stack.push(el);
      },
      ontext(text) {
        const parent = stack[stack.length - 1];
        if (!parent) return;
        const last = parent.children[parent.children.length - 1];
        if (typeof last === 'string') parent.children[parent.children.length - 1] = last + text;
        else parent.children.push(text);
      },
      onclosetag(_name, isImplied) {
        const el = stack.pop();
        if (el && el === root && stack.length === 0) complete = !isImplied;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return { root, complete };
}

type Xml2jsNode = string | { [key: string]: unknown };

/** Converts the xml2js document rss-parser parsed ({ rss: { $: …, channel: [ … ] } }) into the tree. */
export function treeFromXml2js(doc: Record<string, unknown>): XmlElement | null {
  const name = Object.keys(doc)[0];
  return name === undefined ? null : convert(name, doc[name] as Xml2jsNode, ROOT_SCOPE);
}

function convert(name: string, node: Xml2jsNode, parentScope: ReadonlyMap<string, string>): XmlElement {
  if (typeof node !== 'object' || node === null) {
    const el = makeElement(name, {}, parentScope);
    if (typeof node === 'string' && node !== '') el.children.push(node);
    return el;
  }
  const el = makeElement(name, (node.$ as Record<string, string> | undefined) ?? {}, parentScope);
  const text = typeof node._ === 'string' ? node._ : '';
  if (text !== '') el.children.push(text);
  let names = 0;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$' || key === '_' || !Array.isArray(value)) continue;
    names++;
    for (const child of value as Xml2jsNode[]) el.children.push(convert(key, child, el.scope));
  }
  if (names > 1 || (names === 1 && text.trim() !== '')) el.unordered = true;
  return el;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the tree.

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return typeof node === 'object' && node !== null;
}

/**
 * Child elements with one of the given namespaces and the local name. Names match case-insensitively, as
 * feedparser and iTunes do: <pubdate> and <TiTlE> are real feeds' spellings.
 */
export function childrenOf(el: XmlElement, ns: readonly string[], local: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => matches(c, ns, local));
}

export function childOf(el: XmlElement, ns: readonly string[], local: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => matches(c, ns, local));
}

function matches(node: XmlNode, ns: readonly string[], local: string): boolean {
  return isElement(node) && ns.includes(node.ns) && (node.local === local || node.local.toLowerCase() === local.toLowerCase());
}

/** An attribute by namespace and local name (rdf:about under any prefix), or by plain name when ns is ''. */
export function attrOf(el: XmlElement, ns: string, local: string): string | undefined {
  if (ns === '') return el.attrs[local];
  if (ns === NS.xml) return el.attrs[`xml:${local}`];
  for (const [key, value] of Object.entries(el.attrs)) {
    const [prefix, name] = splitName(key);
    if (prefix !== '' && name === local && (el.scope.get(prefix) ?? CONVENTIONAL.get(prefix)) === ns) return value;
  }
  return undefined;
}

/** The text content of an element (all descendant text, in order). */
export function textOf(el: XmlElement): string {
  if (el.unordered && el.children.some(isElement)) throw new OrderLost(el.name);
  return el.children.map((c) => (isElement(c) ? textOf(c) : c)).join('');
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** The children serialized as HTML (inline XHTML content of Atom, markup embedded unescaped in RSS). */
export function innerHtml(el: XmlElement): string {
  if (el.unordered) throw new OrderLost(el.name);
  return el.children.map((c) => (isElement(c) ? outerHtml(c) : escapeText(c))).join('');
}

function outerHtml(el: XmlElement): string {
  const attrs = Object.entries(el.attrs)
    .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
    .map(([k, v]) => ` ${splitName(k)[1]}="${escapeText(v).replace(/"/g, '&quot;')}"`)
    .join('');
  if (VOID.has(el.local) && el.children.length === 0) return `<${el.local}${attrs}>`;
  return `<${el.local}${attrs}>${innerHtml(el)}</${el.local}>`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
