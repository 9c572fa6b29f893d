/**
 * The article of a page: @mozilla/readability over linkedom picks the main content, with the Indonesian
 * boilerplate of boilerplate.ts removed before and after it. An admin's `content_selector` replaces the automatic
 * choice (sites where it fails), and `remove` selectors drop parts inside the article.
 */
import { createRequire } from 'node:module';
import { dropPageBoilerplate, dropRelated } from './boilerplate.js';
import type { PageDocument, PageElement } from './dom.js';
import { findArticleLinks } from './links.js';

// Loaded at the first article read (as linkedom in dom.ts): a daemon that reads no pages never needs it.
const requireLazily = createRequire(import.meta.url);
let readability: typeof import('@mozilla/readability') | undefined;

/** Where the article is, when an admin says so. */
export interface ExtractOptions {
  /** CSS selector of the article's container; null: found automatically. */
  contentSelector?: string | null;
  /** CSS selectors of parts to drop inside the article. */
  remove?: readonly string[];
  /** Collect the page's article links (for a listing page); default true. */
  collectLinks?: boolean;
}

/** The article as warta stores it. */
export interface ExtractedArticle {
  /** Article HTML, unsanitized (sanitize it on output). '' when nothing was found. */
  html: string;
  /** Plain text, paragraphs separated by blank lines. */
  text: string;
  /** True when `contentSelector` was given and matched nothing. */
  selectorEmpty: boolean;
  /** Article links of the same site outside navigation, ads and boxes of other stories (what a listing lists). */
  links: string[];
}

// Readability gives up below this many characters and retries with fewer cleanups (a second and third pass over
// the whole page, each re-serializing it): warta's pages are news pages, and a short one is still an article.
const CHAR_THRESHOLD = 250;

/** Extracts the article from a parsed page; the document is changed in place. */
export function extractArticle(doc: PageDocument, pageUrl: string, options: ExtractOptions = {}): ExtractedArticle {
  const selector = options.contentSelector ?? null;
  let root: PageElement | null = null;
  if (selector !== null) {
    root = doc.querySelector(selector);
    if (!root) return { html: '', text: '', selectorEmpty: true, links: [] };
  }
  for (const sel of options.remove ?? []) for (const el of [...doc.querySelectorAll(sel)]) el.remove();
  dropPageBoilerplate(doc, root);
  const links = options.collectLinks === false ? [] : findArticleLinks(doc, pageUrl);
  let container: PageElement;
  if (root) {
    container = root;
  } else {
    readability ??= requireLazily('@mozilla/readability') as typeof import('@mozilla/readability');
    const parsed = new readability.Readability(doc as never, { charThreshold: CHAR_THRESHOLD, disableJSONLD: true, keepClasses: false }).parse();
    if (!parsed?.content) return { html: '', text: '', selectorEmpty: false, links };
    container = doc.createElement('div');
    container.innerHTML = parsed.content;
  }
  dropRelated(container);
  dropEmpty(container);
  return { html: container.innerHTML.trim(), text: articleText(container), selectorEmpty: false, links };
}

// Blocks whose text makes a paragraph of the plain text.
const BLOCKS = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'BLOCKQUOTE', 'FIGCAPTION', 'PRE', 'TD', 'TH', 'DT', 'DD', 'CAPTION', 'DIV', 'SECTION', 'ARTICLE', 'FIGURE', 'TABLE', 'TR', 'UL', 'OL', 'DL', 'HEADER', 'MAIN', 'BR', 'HR']);

/** Plain text of an article container: one paragraph per block, blank lines between, whitespace collapsed. */
export function articleText(container: PageElement): string {
  const paragraphs: string[] = [];
  let line = '';
  const flush = () => {
    const t = line.replace(/\s+/g, ' ').trim();
    if (t) paragraphs.push(t);
    line = '';
  };
  // Iterative walk: nesting is bounded by dom.ts, but recursion per element is still the wrong shape here.
  const stack: { node: PageElement; exit: boolean }[] = [{ node: container, exit: false }];
  while (stack.length) {
    const { node, exit } = stack.pop()!;
    if (node.nodeType === 3) {
      line += node.textContent ?? '';
      continue;
    }
    if (node.nodeType !== 1) continue;
    const block = BLOCKS.has(node.tagName);
    if (exit) {
      if (block) flush();
      continue;
    }
    if (block) flush();
    stack.push({ node, exit: true });
    const children = node.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] as PageElement, exit: false });
  }
  flush();
  return paragraphs.join('\n\n');
}

// Paragraphs and list items left empty by the removals above.
function dropEmpty(container: PageElement): void {
  for (const el of [...container.querySelectorAll('p, li, ul, ol, div, section, figure, h2, h3, h4')]) {
    if ((el.textContent ?? '').trim() === '' && !el.querySelector('img')) el.remove();
  }
}
