/**
 * Finds what a browser or feed reader could execute or be steered by in a fragment of published HTML. The
 * fragment is parsed twice: by parse5 (the WHATWG algorithm, so exactly the tree a browser builds, including its
 * error recovery) when it is installed, and by htmlparser2 (what warta itself parses with). A regex pass over the
 * raw text catches anything both parsers might hide.
 */
import { parseDocument } from 'htmlparser2';
import type { ChildNode, Element } from 'domhandler';

/** One dangerous thing found. */
export interface Danger {
  kind: string;
  detail: string;
}

const DANGEROUS_TAGS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'style', 'base', 'meta', 'link', 'form',
  'input', 'button', 'textarea', 'select', 'isindex', 'svg', 'math', 'template', 'xml', 'import', 'portal', 'xss',
  'bgsound', 'layer', 'ilayer', 'param', 'noscript', 'noembed', 'noframes', 'plaintext', 'xmp', 'listing', 'title', 'head', 'html', 'body',
]);
// Every attribute that holds a URL a browser may load or navigate to.
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite', 'action', 'formaction', 'background', 'poster', 'data', 'codebase', 'dynsrc', 'lowsrc', 'longdesc', 'usemap', 'xlink:href', 'srcset', 'ping', 'manifest', 'profile', 'classid', 'archive']);
const SAFE_SCHEMES: Record<string, Set<string>> = { href: new Set(['http:', 'https:', 'mailto:']) };
const WEB = new Set(['http:', 'https:']);
// Raw text that must not survive anywhere in published HTML (after entity decoding by a parser it would be live).
// (Serialized HTML escapes "<" in text, so a raw "<script" is a tag; the attribute patterns may also hit quoted
// text, which is why raw hits are reported apart, for a look, and not counted as dangerous.)
const RAW = [/<\s*script/i, /<\s*iframe/i, /<\s*object/i, /<\s*embed/i, /<\s*style/i, /<\s*base[\s>/]/i, /<\s*meta[\s>/]/i, /<\s*link[\s>/]/i, /<\s*form[\s>/]/i, /<[^>]*\son[a-z]+\s*=/i, /<[^>]*expression\s*\(/i, /<[^>]*-moz-binding/i, /<[^>]*(java|vb)script:/i];

/** Kinds that are worth a look but not dangerous in themselves. */
export const HARMLESS_KINDS = new Set(['style attribute', 'relative URL', 'comment']);
/** Whether a finding counts as dangerous (parser-found and not merely untidy). */
export const isDangerous = (d: Danger) => !HARMLESS_KINDS.has(d.kind) && !d.kind.startsWith('raw ');

/** Analyses one element's name and attributes. */
function checkElement(name: string, attrs: { name: string; value: string }[], out: Danger[]): void {
  if (DANGEROUS_TAGS.has(name)) out.push({ kind: `<${name}>`, detail: `element <${name}>` });
  for (const a of attrs) {
    const n = a.name.toLowerCase();
    if (/^on/.test(n)) out.push({ kind: 'event handler', detail: `<${name} ${n}="${a.value.slice(0, 60)}">` });
    if (n === 'style') out.push({ kind: /expression|binding|behavior|url\s*\(|javascript/i.test(a.value) ? 'style: script' : 'style attribute', detail: `<${name} style="${a.value.slice(0, 60)}">` });
    if (n === 'formaction' || n === 'srcdoc' || n === 'http-equiv') out.push({ kind: n, detail: `<${name} ${n}>` });
    if (URL_ATTRIBUTES.has(n)) {
      // What a browser does first: strip leading/trailing C0 controls and spaces, remove tabs and newlines.
      const v = a.value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
      let scheme: string | null = null;
      try {
        scheme = new URL(v).protocol;
      } catch {
        out.push({ kind: 'relative URL', detail: `<${name} ${n}="${a.value.slice(0, 60)}"> (published URLs should be absolute)` });
        continue;
      }
      const allowed = SAFE_SCHEMES[n] ?? WEB;
      if (!allowed.has(scheme)) out.push({ kind: `${scheme} URL`, detail: `<${name} ${n}="${a.value.slice(0, 80)}">` });
    }
  }
}

function walkHtmlparser2(nodes: ChildNode[], out: Danger[]): void {
  for (const node of nodes) {
    if (node.type === 'comment') out.push({ kind: 'comment', detail: `<!--${String((node as unknown as { data: string }).data).slice(0, 60)}-->` });
    if (node.type === 'tag' || node.type === 'script' || node.type === 'style') {
      const el = node as Element;
      checkElement(el.name.toLowerCase(), Object.entries(el.attribs).map(([name, value]) => ({ name, value })), out);
      walkHtmlparser2(el.children, out);
    }
  }
}

type P5Node = { nodeName: string; attrs?: { name: string; value: string }[]; childNodes?: P5Node[]; content?: P5Node; data?: string; tagName?: string };
type Parse5 = { parseFragment(html: string): P5Node };
let parse5: Parse5 | null | undefined;

/** parse5 when installed (`npm install --no-save parse5`), else null. */
export async function loadParse5(): Promise<boolean> {
  if (parse5 === undefined) {
    try {
      parse5 = (await import('parse5' as string)) as Parse5;
    } catch {
      parse5 = null;
    }
  }
  return parse5 !== null;
}

function walkParse5(node: P5Node, out: Danger[]): void {
  for (const child of node.childNodes ?? []) {
    if (child.nodeName === '#comment') out.push({ kind: 'comment', detail: `<!--${String(child.data).slice(0, 60)}-->` });
    if (child.tagName) checkElement(child.tagName.toLowerCase(), child.attrs ?? [], out);
    walkParse5(child, out);
    if (child.content) walkParse5(child.content, out);
  }
}

/** Everything dangerous in `html`, deduplicated by kind and detail. */
export function findDangers(html: string): Danger[] {
  const out: Danger[] = [];
  walkHtmlparser2(parseDocument(html, { decodeEntities: true, lowerCaseAttributeNames: true }).children, out);
  if (parse5) walkParse5(parse5.parseFragment(html), out);
  for (const re of RAW) {
    const m = re.exec(html);
    if (m) out.push({ kind: `raw ${re.source}`, detail: html.slice(Math.max(0, m.index - 20), m.index + 60) });
  }
  const seen = new Set<string>();
  return out.filter((d) => {
    const key = `${d.kind}\u0000${d.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
