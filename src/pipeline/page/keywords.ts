/**
 * The publisher's own keywords for an article. From the head (`keywords`, `news_keywords`, `article:tag`, site
 * variants such as detik's `dtk:keywords`), JSON-LD `keywords`, and the visible "KEYWORD :" / "Tags:" block
 * at the foot of the article (Jurnas, Republika). Split on commas, trimmed, de-duplicated case-insensitively
 * with the page's first spelling kept. Some sites fill `keywords` with the title's words one by one: such a
 * list says nothing the title does not, and is ignored.
 */
import type { PageDocument, PageElement } from './dom.js';

const META_NAMES = /^(?:keywords|news_keywords|article:tag|[a-z]+:keywords|[a-z]+:tags?|parsely-tags|sailthru\.tags)$/i;
const VISIBLE_LABEL = /^\s*(?:keywords?|tags?|topik(?:\s+terkait)?|label)\s*:?\s*$/i;
const VISIBLE_INLINE = /^\s*(?:keywords?|tags?|topik)\s*:\s*(.+)$/is;
const MAX_KEYWORDS = 50;
const LABEL_TAGS = new Set(['H2', 'H3', 'H4', 'H5', 'STRONG', 'B', 'SPAN', 'DIV', 'P', 'DT', 'LABEL']);
const MAX_LENGTH = 100;

/** Keyword lists of a page, in the order found: head, JSON-LD, visible block. */
export function keywordSources(doc: PageDocument, jsonLd: unknown[]): string[][] {
  const lists: string[][] = [];
  // One list per meta name: a title-words `keywords` must not hide a real `news_keywords` beside it.
  const byName = new Map<string, string[]>();
  for (const m of doc.querySelectorAll('meta[content]')) {
    const name = (m.getAttribute('name') ?? m.getAttribute('property') ?? m.getAttribute('itemprop') ?? '').toLowerCase();
    if (META_NAMES.test(name)) byName.set(name, [...(byName.get(name) ?? []), m.getAttribute('content') ?? '']);
  }
  lists.push(...byName.values());
  const fromLd = ldKeywords(jsonLd);
  if (fromLd.length) lists.push(fromLd);
  const visible = visibleKeywords(doc);
  if (visible.length) lists.push(visible);
  return lists;
}

/** The page's keywords, merged from every source and cleaned; title-word lists left out. */
export function findKeywords(doc: PageDocument, jsonLd: unknown[], title: string | null): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const list of keywordSources(doc, jsonLd)) {
    const words = splitKeywords(list);
    if (isTitleWords(words, title)) continue;
    for (const w of words) {
      const key = w.toLocaleLowerCase('id');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(w);
      if (out.length >= MAX_KEYWORDS) return out;
    }
  }
  return out;
}

/** Comma-separated values → trimmed, non-empty keywords with inner whitespace collapsed. */
export function splitKeywords(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(/[,;]|\s·\s/))
    .map((k) => k.replace(/\s+/g, ' ').trim().replace(/^#/, ''))
    .filter((k) => k !== '' && k.length <= MAX_LENGTH);
}

/** Whether a list is the title cut into single words (every entry one word, and all of them from the title). */
export function isTitleWords(words: readonly string[], title: string | null): boolean {
  if (!title || words.length < 3) return false;
  const titleWords = new Set(title.toLocaleLowerCase('id').split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  return words.every((w) => !/\s/.test(w) && titleWords.has(w.toLocaleLowerCase('id').replace(/[^\p{L}\p{N}]+/gu, '')));
}

function ldKeywords(jsonLd: unknown[]): string[] {
  const out: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 4 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, depth + 1));
    const o = node as Record<string, unknown>;
    const k = o.keywords;
    if (typeof k === 'string') out.push(k);
    else if (Array.isArray(k)) out.push(...k.filter((x): x is string => typeof x === 'string'));
    if (o['@graph']) visit(o['@graph'], depth + 1);
  };
  jsonLd.forEach((n) => visit(n, 0));
  return out;
}

// The visible block: a label element ("KEYWORD :", "Tags:") followed by links, or "Tags: a, b, c" in one line.
function visibleKeywords(doc: PageDocument): string[] {
  // One '*' walk with a tag check: a selector list of eleven names costs css-select several times more.
  for (const el of doc.querySelectorAll('*')) {
    if (!LABEL_TAGS.has(el.tagName)) continue;
    const own = ownText(el);
    if (own === '') continue;
    // "Tags: <a>a</a>, <a>b</a>": the separators between the links are the label's own text too.
    if (VISIBLE_LABEL.test(own.replace(/[,·|]+/g, ' '))) {
      const box = el.querySelector('a') ? el : el.parentElement;
      if (!box) continue;
      const links = [...box.querySelectorAll('a')].map((a) => (a.textContent ?? '').trim()).filter(Boolean);
      if (links.length > 0 && links.length <= MAX_KEYWORDS) return links;
    }
    const inline = VISIBLE_INLINE.exec(own);
    if (inline && el.children.length === 0 && inline[1]!.length < 600) return [inline[1]!];
  }
  return [];
}

// Text of the element itself, without its element children (a label's "KEYWORD :" but not the links after it).
function ownText(el: PageElement): string {
  let s = '';
  for (const n of el.childNodes) if (n.nodeType === 3) s += n.textContent ?? '';
  return s.replace(/\s+/g, ' ').trim();
}
