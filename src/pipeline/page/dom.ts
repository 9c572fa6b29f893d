/**
 * One article page → a DOM (linkedom: a fast DOM without a browser, the one @mozilla/readability runs on here).
 * Hostile pages are bounded before the tree is built: script/style/svg bodies and comments are cut from the text
 * first (they are most of a news page's bytes and none of its article), and elements nested deeper than
 * MAX_DEPTH are flattened, so every later walk over the tree stays shallow; past MAX_ELEMENTS elements or
 * MAX_MARKUP characters the rest of a page is not read.
 */
import { createRequire } from 'node:module';
import { pruneBoilerplate } from './prune.js';

// linkedom is loaded at the first page read, not when the daemon starts: with its HTML and CSS tables it cost
// ~20 MB of a daemon's resident memory, which one with no full_text or html source paid for nothing.
// (Synchronous through require(): parsePage stays a plain function; linkedom ships a CommonJS build.)
const requireLazily = createRequire(import.meta.url);
let linkedom: typeof import('linkedom') | undefined;
function parseHTML(html: string): unknown {
  linkedom ??= requireLazily('linkedom') as typeof import('linkedom');
  return linkedom.parseHTML(html);
}

/**
 * The part of the DOM the page stages use. Declared here because the project compiles without the DOM lib and
 * linkedom's own declarations are mostly `any`.
 */
export interface PageNode {
  readonly nodeType: number;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<PageNode> & Iterable<PageNode>;
  readonly parentElement: PageElement | null;
  readonly isConnected: boolean;
  remove(): void;
}

/** An element of a parsed page. */
export interface PageElement extends PageNode {
  readonly tagName: string;
  readonly children: ArrayLike<PageElement>;
  readonly nextElementSibling: PageElement | null;
  innerHTML: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  closest(selector: string): PageElement | null;
  contains(other: PageNode): boolean;
}

/** A parsed page. */
export interface PageDocument {
  readonly body: PageElement | null;
  readonly documentElement: PageElement;
  createElement(name: string): PageElement;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
}

/** No real article nests deeper; past this, elements are unwrapped (their text kept). */
export const MAX_DEPTH = 64;

// Raw-text and invisible elements whose bodies are dropped before parsing. JSON-LD is read from the raw text first.
const DROPPED_START = /<(script|style|svg|noscript|template|iframe|object|math)\b|<!--/gi;
const LD_JSON = /<script\b[^>]*type\s*=\s*["']?application\/ld\+json["']?[^>]*>([\s\S]*?)<\/script\s*>/gi;

/** The JSON-LD blocks of a page, parsed; unreadable blocks are skipped. */
export function readJsonLd(html: string): unknown[] {
  const out: unknown[] = [];
  for (const m of html.matchAll(LD_JSON)) {
    try {
      out.push(JSON.parse(m[1]!.trim()));
    } catch {
      // Publishers ship broken JSON-LD (trailing commas, raw newlines in strings): it is a hint, not the article.
    }
    if (out.length >= 20) break;
  }
  return out;
}

/**
 * Parses a page into a document with its scripts, styles and comments gone and its nesting bounded; with `prune`,
 * boilerplate subtrees are cut from the markup first (prune.ts).
 */
export function parsePage(html: string, prune = false): PageDocument {
  const visible = dropInvisible(html);
  const bounded = boundMarkup(prune ? pruneBoilerplate(visible) : visible);
  // Markup without <html> (a fragment, or a page that is one unclosed attribute) still gets a document element.
  const doc = (parseHTML(/<html[\s>]/i.test(bounded) ? bounded : `<!DOCTYPE html><html><body>${bounded}</body></html>`) as unknown as { document: PageDocument }).document;
  return doc.documentElement ? doc : (parseHTML('<!DOCTYPE html><html><body></body></html>') as unknown as { document: PageDocument }).document;
}

/**
 * Cuts script/style/svg… elements and comments out of the text, each up to its own end (an unclosed one runs to
 * the end of the page, as in a browser). indexOf/regex from a moving position: linear on any input.
 */
export function dropInvisible(html: string): string {
  const start = new RegExp(DROPPED_START.source, 'gi');
  let out = '';
  let from = 0;
  for (let m = start.exec(html); m; m = start.exec(html)) {
    let end: number;
    if (m[1] === undefined) {
      const close = html.indexOf('-->', m.index + 4);
      end = close < 0 ? html.length : close + 3;
    } else {
      const close = new RegExp(`</${m[1]}\\s*>`, 'gi');
      close.lastIndex = m.index + m[0].length;
      const c = close.exec(html);
      end = c ? c.index + c[0].length : html.length;
    }
    out += html.slice(from, m.index) + ' ';
    from = start.lastIndex = end;
  }
  return from === 0 ? html : out + html.slice(from);
}

// Start and end tags of elements that can nest (void elements never do).
// Attribute text stops at '<' and quoted values are bounded, so a page of unclosed tags costs one short look each.
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b(?:[^<>"']|"[^"<>]{0,4096}"|'[^'<>]{0,4096}')*?(\/?)>/g;
// How far back an end tag looks for its start tag: misnested markup is common, unbounded search is quadratic.
const END_TAG_REACH = 32;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/** More elements than a real news page has (a 150 KB page has 2,000–6,000): the rest of the page is not read. */
export const MAX_ELEMENTS = 15_000;
/** Markup left after scripts and styles are cut, past which the rest of the page is not read. */
export const MAX_MARKUP = 1_500_000;

/**
 * Bounds the markup linkedom and readability will walk, in one pass over the tags:
 * - start and end tags of elements nested deeper than MAX_DEPTH are removed (text kept), counting as a simple
 *   stack would (an end tag closes back to its nearest open namesake): 100,000 nested <div>s become 64;
 * - end tags that close nothing open are removed: the HTML parser turns each stray </p> into a new empty <p>,
 *   and 2.5 million of them fit in 10 MiB;
 * - the page is cut at the MAX_ELEMENTS-th start tag or past MAX_MARKUP characters (articles come first).
 * A page within every bound is returned unchanged.
 */
export function boundMarkup(html: string): string {
  const open: string[] = [];
  let depth = 0;
  let elements = 0;
  let out = '';
  let from = 0;
  let changed = false;
  let cutAt = -1;
  const drop = (m: RegExpMatchArray) => {
    out += html.slice(from, m.index);
    from = m.index! + m[0].length;
    changed = true;
  };
  for (const m of html.matchAll(TAG)) {
    if (m.index! > MAX_MARKUP || elements >= MAX_ELEMENTS) {
      cutAt = m.index!;
      break;
    }
    const name = m[2]!.toLowerCase();
    if (m[1] === '' && depth < MAX_DEPTH) elements++;
    if (VOID.has(name) || m[3] === '/') continue;
    if (m[1] === '') {
      // Too deep: the start tag goes, and is remembered so its end tag goes too.
      if (depth >= MAX_DEPTH) drop(m);
      open[depth++] = name;
    } else {
      let at = depth - 1;
      while (at >= 0 && at >= depth - END_TAG_REACH && open[at] !== name) at--;
      if (at < 0 || open[at] !== name) {
        drop(m);
        continue;
      }
      if (at >= MAX_DEPTH) drop(m);
      depth = at;
    }
  }
  if (cutAt < 0 && html.length > MAX_MARKUP) cutAt = MAX_MARKUP;
  if (cutAt >= 0) return out + html.slice(from, Math.max(from, cutAt));
  return changed ? out + html.slice(from) : html;
}
