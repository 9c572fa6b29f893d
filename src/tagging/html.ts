/**
 * HTML as published in feeds → the plain text tag rules search. Only text a reader sees counts: markup,
 * attribute values (an href full of keywords) and script/style bodies must never match a rule.
 */
import { Parser } from 'htmlparser2';
import { decodeHTML } from 'entities';

// Elements whose contents are not article text.
const SKIPPED = new Set(['script', 'style', 'template', 'noscript', 'svg', 'math', 'iframe', 'object', 'head']);

// Inline elements do not separate words: feeds write drop caps and datelines as "<b>J</b>AKARTA".
// Every other element (p, div, li, br, img, unknown tags …) ends the current line.
const INLINE = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'big', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'font', 'i', 'ins',
  'kbd', 'label', 'mark', 'nobr', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup',
  'time', 'tt', 'u', 'var', 'wbr',
]);

// After one pass, text that still looks like tags or entities was escaped twice by the publisher
// ("&lt;p&gt;Rusia&lt;/p&gt;" is common in description fields): one more pass recovers the text.
const LEFTOVER_TAG = /<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>/i;
const LEFTOVER_ENTITY = /&(?:[a-z][a-z0-9]{1,31}|#[0-9]{1,7}|#x[0-9a-f]{1,6});/i;

/**
 * Visible text of an HTML fragment: entities decoded, markup and script/style dropped, block elements
 * turned into line breaks, other whitespace runs collapsed to one space, trimmed.
 */
export function htmlToText(html: string): string {
  const text = extractText(html);
  return LEFTOVER_TAG.test(text) || LEFTOVER_ENTITY.test(text) ? extractText(text) : text;
}

function extractText(html: string): string {
  if (!html.includes('<') && !html.includes('&')) return tidyWhitespace(html);
  const parts: string[] = [];
  let skipDepth = 0;
  const parser = new Parser(
    {
      ontext(data) {
        if (skipDepth === 0) parts.push(data.includes('&') ? decodeHTML(data) : data);
      },
      onopentag(name) {
        if (SKIPPED.has(name)) skipDepth++;
        else if (!INLINE.has(name)) parts.push('\n');
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) skipDepth = Math.max(0, skipDepth - 1);
        else if (!INLINE.has(name)) parts.push('\n');
      },
    },
    // Entities are decoded per text run below: with decodeEntities the tokenizer walks text char by char,
    // without it it jumps from '<' to '<', which is several times faster on feed-sized fragments.
    { decodeEntities: false, recognizeCDATA: true },
  );
  parser.end(html);
  return tidyWhitespace(parts.join(''));
}

// Whitespace runs (as JS \s counts them) become one space, or one newline when they contain a line break;
// ends are trimmed. A char loop: regex replaces with these classes cost more than parsing the HTML.
function tidyWhitespace(text: string): string {
  let out = '';
  let wordStart = -1; // start of the current non-space run
  let pending = 0; // 0 nothing, 1 a space, 2 a newline waiting to be written before the next run
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isSpace(c)) {
      if (wordStart < 0) {
        if (out !== '' && pending !== 0) out += pending === 2 ? '\n' : ' ';
        wordStart = i;
        pending = 0;
      }
      continue;
    }
    if (wordStart >= 0) {
      out += text.slice(wordStart, i);
      wordStart = -1;
    }
    if (c === 0x0a) pending = 2;
    else if (pending === 0) pending = 1;
  }
  return wordStart >= 0 ? out + text.slice(wordStart) : out;
}

function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}
