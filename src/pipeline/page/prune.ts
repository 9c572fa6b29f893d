/**
 * Boilerplate cut out of the markup before it is parsed: parsing is most of the cost of reading a page (linkedom
 * takes ~60 ms for 150 KB here), and most of a news page's markup is menus, sidebars, footers and boxes of other
 * stories. The rule is boilerplate.ts's, applied to the text: navigation, footers, asides, forms, and elements
 * whose class or id names them junk (ads, share bars, "terpopuler" …) when they hold under 1,500 characters of
 * text or are mostly links, go,
 * unless they hold what the metadata stages read from the visible page — a date line, a keyword label, a
 * next-page or "all pages" link — which stays for the DOM stages to find (they remove it after reading).
 */
import { JUNK_WORD } from './boilerplate.js';
import { hasDateLine } from './dates.js';
import { ALL_PAGES_TEXT, NEXT_TEXT } from './links.js';

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^<>"']|"[^"<>]{0,4096}"|'[^'<>]{0,4096}')*?)(\/?)>/g;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const DROPPED_TAGS = new Set(['nav', 'footer', 'aside', 'form', 'select', 'header']);
const CLASS_OR_ID = /\b(?:class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const KEYWORD_LABEL = /^\s*(?:keywords?|tags?|topik|label)\b/i;
const REL_NEXT = /\brel\s*=\s*["']?[^"'>]*\bnext\b/i;
const END_TAG_REACH = 32;
const MAX_TEXT = 1500;

interface Open {
  name: string;
  start: number;
  /** Why it would go: its tag (nav, footer …) or its class/id. */
  junk: 'tag' | 'name' | null;
  keep: boolean;
  /** Characters of text inside, and how many of them are inside links. */
  text: number;
  linked: number;
}

/** The markup with unprotected boilerplate subtrees removed; unchanged when there is none. */
export function pruneBoilerplate(html: string): string {
  const stack: Open[] = [];
  const cuts: [number, number][] = [];
  let articles = 0;
  let anchors = 0;
  let textFrom = 0;
  const addText = (from: number, to: number) => {
    if (to <= from || stack.length === 0) return;
    const top = stack[stack.length - 1]!;
    top.text += to - from;
    if (anchors > 0) top.linked += to - from;
    if (to - from < 300) {
      const text = html.slice(from, to);
      if (/\S/.test(text) && (KEYWORD_LABEL.test(text) || NEXT_TEXT.test(text) || ALL_PAGES_TEXT.test(text) || hasDateLine(text))) top.keep = true;
    }
  };
  for (const m of html.matchAll(TAG)) {
    addText(textFrom, m.index);
    textFrom = m.index + m[0].length;
    const name = m[2]!.toLowerCase();
    const attrs = m[3]!;
    if (m[1] === '') {
      if (REL_NEXT.test(attrs) && stack.length) stack[stack.length - 1]!.keep = true;
      if (VOID.has(name) || m[4] === '/') continue;
      if (name === 'article') articles++;
      if (name === 'a') anchors++;
      const byTag = DROPPED_TAGS.has(name) && !(name === 'header' && articles > 0);
      stack.push({ name, start: m.index, junk: byTag ? 'tag' : isJunkNamed(attrs) ? 'name' : null, keep: false, text: 0, linked: 0 });
    } else {
      let at = stack.length - 1;
      while (at >= 0 && at >= stack.length - END_TAG_REACH && stack[at]!.name !== name) at--;
      if (at < 0 || stack[at]!.name !== name) continue;
      // Close everything opened inside it, passing text counts and protection up.
      while (stack.length > at) {
        const el = stack.pop()!;
        const parent = stack[stack.length - 1];
        if (el.name === 'article') articles--;
        if (el.name === 'a') anchors--;
        if (stack.length === at && !el.keep && isBoilerplate(el)) cuts.push([el.start, m.index + m[0].length]);
        if (parent) {
          parent.text += el.text;
          parent.linked += el.linked;
          parent.keep ||= el.keep;
        }
      }
    }
  }
  if (cuts.length === 0) return html;
  // Inner cuts were pushed before the outer ones containing them: keep only the outermost.
  cuts.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let from = 0;
  for (const [start, end] of cuts) {
    if (start < from) continue;
    out += html.slice(from, start);
    from = end;
  }
  return out + html.slice(from);
}

/** boilerplate.ts's rule: any nav/footer/aside/form; a junk-named element when short or mostly links. */
export function isBoilerplate(el: { junk: 'tag' | 'name' | null; text: number; linked: number }): boolean {
  if (el.junk === 'tag') return true;
  return el.junk === 'name' && (el.text < MAX_TEXT || el.linked > el.text / 2);
}

function isJunkNamed(attrs: string): boolean {
  if (!/\b(?:class|id)\s*=/i.test(attrs)) return false;
  let words = '';
  for (const m of attrs.matchAll(CLASS_OR_ID)) words += ` ${m[1] ?? m[2] ?? m[3] ?? ''}`;
  return JUNK_WORD.test(words);
}
