/**
 * A minimal HTML tree for the second sanitizing pass: parse sanitize-html's output, reshape it so that an HTML5
 * parser reads it without parse errors, and serialize it. Also turns HTML into plain text.
 *
 * The reshaping follows the HTML5 tree-construction rules that make html5lib (the W3C validator's HTML parser,
 * run in strict mode) report an error on markup an htmlparser2 tree can hold (WHATWG HTML §13.2.6.4.7):
 * - a block start tag inside an open `<p>` closes it, and our later `</p>` is then an error → such a `<p>`
 *   becomes a `<div>`;
 * - `<a>` inside `<a>`, a heading directly inside a heading → the inner one is unwrapped;
 * - `<li>` outside `<ul>/<ol>`, `<dt>/<dd>` outside `<dl>`, table parts outside their table → unwrapped;
 * - anything but table parts inside a table is moved before the table, as an HTML parser would ("foster
 *   parenting").
 */
import { Parser } from 'htmlparser2';
import { cleanText } from './text.js';

interface HtmlElement {
  tag: string;
  attrs: [string, string][];
  children: HtmlNode[];
}
type HtmlNode = HtmlElement | string;

const VOID = new Set(['br', 'hr', 'img', 'wbr']);
// Start tags that close an open <p> ("has a p element in button scope"), restricted to the tags we keep.
const CLOSES_P = new Set([
  'blockquote', 'details', 'div', 'dl', 'figcaption', 'figure', 'ol', 'p', 'summary', 'ul', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'pre', 'table', 'hr', 'li', 'dd', 'dt',
]);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const TABLE_SECTIONS = new Set(['thead', 'tbody', 'tfoot']);
// Elements after which plain text needs a line break.
const BLOCKS = new Set([...CLOSES_P, 'br', 'tr', 'td', 'th', 'caption', 'thead', 'tbody', 'tfoot', 'table']);

function parseTree(html: string): HtmlElement {
  const root: HtmlElement = { tag: '#root', attrs: [], children: [] };
  const stack: HtmlElement[] = [root];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const el: HtmlElement = { tag: name, attrs: Object.entries(attribs), children: [] };
        stack[stack.length - 1]!.children.push(el);
        stack.push(el);
      },
      ontext(text) {
        const siblings = stack[stack.length - 1]!.children;
        const last = siblings[siblings.length - 1];
        if (typeof last === 'string') siblings[siblings.length - 1] = last + text;
        else siblings.push(text);
      },
      onclosetag() {
        if (stack.length > 1) stack.pop();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  );
  parser.write(html);
  parser.end();
  return root;
}

const isElement = (n: HtmlNode): n is HtmlElement => typeof n !== 'string';
const isBlank = (n: HtmlNode) => typeof n === 'string' && n.trim() === '';
const attr = (el: HtmlElement, name: string) => el.attrs.find(([n]) => n === name)?.[1];

/** Moves whatever may not stand inside a table's structure to just before the table. */
function fosterTable(table: HtmlElement): HtmlNode[] {
  const displaced: HtmlNode[] = [];
  const keep = (parent: HtmlElement, allowed: (child: HtmlElement) => boolean, then: (child: HtmlElement) => void) => {
    parent.children = parent.children.filter((child) => {
      if (isBlank(child)) return true;
      if (isElement(child) && allowed(child)) {
        then(child);
        return true;
      }
      displaced.push(child);
      return false;
    });
  };
  const row = (tr: HtmlElement) => keep(tr, (c) => c.tag === 'td' || c.tag === 'th', () => {});
  keep(
    table,
    (c) => c.tag === 'caption' || c.tag === 'tr' || TABLE_SECTIONS.has(c.tag),
    (c) => {
      if (c.tag === 'tr') row(c);
      else if (TABLE_SECTIONS.has(c.tag)) keep(c, (r) => r.tag === 'tr', row);
    },
  );
  return [...displaced, table];
}

/** True when `el` is out of place under `parent` and must be replaced by its children. */
function misplaced(el: HtmlElement, parent: HtmlElement, insideLink: boolean): boolean {
  switch (el.tag) {
    case 'li':
      return parent.tag !== 'ul' && parent.tag !== 'ol';
    case 'dt':
    case 'dd':
      return parent.tag !== 'dl';
    case 'td':
    case 'th':
      return parent.tag !== 'tr';
    case 'tr':
      return parent.tag !== 'table' && !TABLE_SECTIONS.has(parent.tag);
    case 'thead':
    case 'tbody':
    case 'tfoot':
    case 'caption':
      return parent.tag !== 'table';
    case 'a':
      return insideLink || attr(el, 'href') === undefined;
    default:
      return HEADINGS.has(el.tag) && HEADINGS.has(parent.tag);
  }
}

/** Top-down pass: unwraps misplaced elements (re-examining what they held) and drops images without a source. */
function fixChildren(parent: HtmlElement, insideLink: boolean): void {
  const out: HtmlNode[] = [];
  // Nodes still to place, last one first (so taking the next is a pop, not a quadratic shift).
  const pending = [...parent.children].reverse();
  const putBack = (nodes: HtmlNode[]) => {
    for (let i = nodes.length - 1; i >= 0; i--) pending.push(nodes[i]!);
  };
  let fostered: HtmlNode[];
  while (pending.length > 0) {
    const child = pending.pop()!;
    if (!isElement(child)) {
      out.push(child);
    } else if (child.tag === 'img' && attr(child, 'src') === undefined) {
      continue;
    } else if (misplaced(child, parent, insideLink)) {
      putBack(child.children);
    } else if (child.tag === 'table' && (fostered = fosterTable(child)).length > 1) {
      putBack(fostered); // the displaced nodes first, then the (now clean) table again
    } else {
      // Table cells and captions start a new formatting scope (HTML's "marker"): a link may open again inside.
      const cellScope = child.tag === 'td' || child.tag === 'th' || child.tag === 'caption';
      fixChildren(child, cellScope ? false : insideLink || child.tag === 'a');
      out.push(child);
    }
  }
  parent.children = out;
}

/** Bottom-up pass: a <p> that holds a block (outside a nested table) becomes a <div>. Returns "holds a block". */
function demoteParagraphs(el: HtmlElement): boolean {
  let holdsBlock = false;
  for (const child of el.children) {
    if (!isElement(child)) continue;
    const inner = demoteParagraphs(child);
    if (CLOSES_P.has(child.tag)) holdsBlock = true;
    else if (child.tag !== 'td' && child.tag !== 'th' && child.tag !== 'caption' && inner) holdsBlock = true;
  }
  if (el.tag === 'p' && holdsBlock) el.tag = 'div';
  return holdsBlock;
}

const escapeHtmlText = (s: string) => cleanText(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeHtmlAttr = (s: string) => escapeHtmlText(s).replace(/"/g, '&quot;');

function serialize(nodes: HtmlNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (!isElement(node)) {
      out += escapeHtmlText(node);
      continue;
    }
    out += `<${node.tag}`;
    for (const [name, value] of node.attrs) out += ` ${name}="${escapeHtmlAttr(value)}"`;
    out += '>';
    if (VOID.has(node.tag)) continue;
    // A newline right after <pre> is written back as read: htmlparser2 keeps the one an HTML parser drops.
    out += `${serialize(node.children)}</${node.tag}>`;
  }
  return out;
}

/** Reshapes sanitize-html output so that a strict HTML5 parser accepts it; '' when only whitespace is left. */
export function normalizeHtml(html: string): string {
  const root = parseTree(html);
  fixChildren(root, false);
  demoteParagraphs(root);
  const out = serialize(root.children).trim();
  return out;
}

/** The text of an HTML fragment, whitespace collapsed, with a space where blocks and line breaks were. */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  const walk = (nodes: HtmlNode[]) => {
    for (const node of nodes) {
      if (!isElement(node)) parts.push(node);
      else {
        if (node.tag === 'img') {
          const alt = attr(node, 'alt');
          if (alt) parts.push(` ${alt} `);
        }
        walk(node.children);
        if (BLOCKS.has(node.tag)) parts.push(' ');
      }
    }
  };
  walk(parseTree(html).children);
  return cleanText(parts.join('')).replace(/\s+/g, ' ').trim();
}
