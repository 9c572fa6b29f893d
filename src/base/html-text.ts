/**
 * HTML as published in feeds → the plain text tag rules search. Only text a reader sees counts: markup,
 * attribute values (an href full of keywords) and script/style bodies must never match a rule.
 *
 * A hand-written scanner rather than htmlparser2: tagging only needs text runs and element names, and this
 * was the largest single cost of tag() (bench/tagging.ts: htmlparser2 builds attribute objects and walks
 * callbacks for every tag). It follows the HTML tokenizer's rules for what starts a tag, comment or CDATA
 * section and where raw-text elements end, and keeps a stack of open elements so an unclosed <noscript>
 * inside a closed <div> ends with it, as a browser's tree would.
 */
import { decodeHTML } from 'entities';

// Elements whose contents are not article text.
const SKIPPED = new Set([
  'script', 'style', 'template', 'noscript', 'svg', 'math', 'iframe', 'object', 'head', 'noembed', 'noframes',
]);

// Elements whose content is raw text up to their own end tag: markup inside them is not markup.
const RAW_TEXT = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'textarea', 'title', 'plaintext']);

// Elements with no content and no end tag: never pushed on the open-element stack.
const VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source',
  'track', 'wbr',
]);

// Inline elements do not separate words: feeds write drop caps and datelines as "<b>J</b>AKARTA".
// Every other element (p, div, li, br, img, unknown tags …) ends the current line.
const INLINE = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'big', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'font', 'i', 'ins',
  'kbd', 'label', 'mark', 'nobr', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup',
  'time', 'tt', 'u', 'var', 'wbr',
]);

// Deeper nesting than this is hostile input; past it elements are no longer tracked (text still is).
const MAX_OPEN = 512;

// After one pass, text that still looks like tags or entities was escaped twice by the publisher
// ("&lt;p&gt;Rusia&lt;/p&gt;" is common in description fields): one more pass recovers the text.
const LEFTOVER_TAG = /<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>/i;
const LEFTOVER_ENTITY = /&(?:[a-z][a-z0-9]{1,31}|#[0-9]{1,7}|#x[0-9a-f]{1,6});/iy;

/**
 * Visible text of an HTML fragment: entities decoded, markup and script/style dropped, block elements
 * turned into line breaks, other whitespace runs collapsed to one space, trimmed.
 */
export function htmlToText(html: string): string {
  const text = extractText(html);
  const leftover = (text.includes('<') && LEFTOVER_TAG.test(text)) || hasLeftoverEntity(text);
  return leftover ? extractText(text) : text;
}

// LEFTOVER_ENTITY tried at each '&' only: text about "PT A & B" would otherwise run the regex over all of it.
function hasLeftoverEntity(text: string): boolean {
  for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', amp + 1)) {
    LEFTOVER_ENTITY.lastIndex = amp;
    if (LEFTOVER_ENTITY.test(text)) return true;
  }
  return false;
}

function extractText(html: string): string {
  const out = new TidyText();
  if (!html.includes('<')) {
    addDecoded(out, html, 0, html.length);
    return out.text;
  }
  // open[0, depth): a count rather than open.length, which costs a runtime call each time it shrinks.
  const open: string[] = [];
  let depth = 0;
  let skipped = 0; // how many elements on `open` are SKIPPED ones
  const n = html.length;
  let i = 0; // scanning position
  let textFrom = 0; // start of the pending text run
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const c = html.charCodeAt(lt + 1);
    if (isAsciiLetter(c)) {
      // Start tag: its name, then attributes up to the '>' that is not inside a quoted value.
      if (skipped === 0) addDecoded(out, html, textFrom, lt);
      const nameEnd = tagNameEnd(html, lt + 1);
      const name = html.slice(lt + 1, nameEnd).toLowerCase();
      const gt = startTagEnd(html, nameEnd);
      i = textFrom = gt < 0 ? n : gt + 1;
      if (!INLINE.has(name)) out.lineBreak();
      if (RAW_TEXT.has(name)) {
        // Everything up to </name is this element's text, dropped for script, style and iframe.
        const close = findEndTag(html, i, name);
        if (!SKIPPED.has(name) && skipped === 0) addDecoded(out, html, i, close < 0 ? n : close);
        i = textFrom = close < 0 ? n : skipTag(html, close);
        out.lineBreak();
      } else if (!VOID.has(name) && html.charCodeAt(gt - 1) !== 0x2f /* "/>" */ && depth < MAX_OPEN) {
        // "/>" closes any element here, not only svg and math as in HTML: feeds carry XHTML, and an
        // unclosed <noscript/> would otherwise hide the rest of the article.
        open[depth++] = name;
        if (SKIPPED.has(name)) skipped++;
      }
    } else if (c === 0x2f /* / */ && isAsciiLetter(html.charCodeAt(lt + 2))) {
      // End tag: closes the nearest open element of that name and everything opened inside it.
      if (skipped === 0) addDecoded(out, html, textFrom, lt);
      const nameEnd = tagNameEnd(html, lt + 2);
      const name = html.slice(lt + 2, nameEnd).toLowerCase();
      let at = depth - 1;
      while (at >= 0 && open[at] !== name) at--;
      if (at >= 0) {
        for (let k = at; k < depth; k++) if (SKIPPED.has(open[k]!)) skipped--;
        depth = at;
      }
      if (!INLINE.has(name)) out.lineBreak();
      i = textFrom = skipTag(html, nameEnd);
    } else if (c === 0x21 /* ! */ || c === 0x3f /* ? */ || c === 0x2f) {
      if (skipped === 0) addDecoded(out, html, textFrom, lt);
      if (html.startsWith('<![CDATA[', lt)) {
        // Feeds put CDATA inside HTML often enough; its content is text, not markup. Entities in it are
        // decoded all the same: publishers who wrap escaped markup in CDATA meant it escaped once.
        const end = html.indexOf(']]>', lt + 9);
        if (skipped === 0) addDecoded(out, html, lt + 9, end < 0 ? n : end);
        i = textFrom = end < 0 ? n : end + 3;
      } else if (html.startsWith('<!--', lt)) {
        const end = html.indexOf('-->', lt + 4);
        i = textFrom = end < 0 ? n : end + 3;
      } else {
        // <!DOCTYPE …>, <?xml …?>, </ 3>: bogus comments up to the next '>'.
        i = textFrom = skipTag(html, lt + 1);
      }
    } else {
      i = lt + 1; // a literal '<', as in "suhu < 5 derajat"
    }
  }
  if (skipped === 0) addDecoded(out, html, textFrom, n);
  return out.text;
}

// One candidate character reference: named (decodeHTML knows which legacy names may omit the ';') or numeric.
const ENTITY = /&(?:#[xX][0-9a-fA-F]{1,8};?|#[0-9]{1,10};?|[a-zA-Z][a-zA-Z0-9]{0,31};?)/y;

// Adds html[from, to) with character references decoded. Each reference is decoded on its own and the
// text between them added as slices of `html`: decodeHTML over the whole run returns a concatenated
// string, and scanning that char by char in TidyText cost twice as much as the rest of the extraction.
function addDecoded(out: TidyText, html: string, from: number, to: number): void {
  let i = from;
  for (let amp = html.indexOf('&', i); amp >= 0 && amp < to; amp = html.indexOf('&', i)) {
    if (amp > i) out.add(html.slice(i, amp));
    ENTITY.lastIndex = amp;
    const ref = ENTITY.exec(html)?.[0];
    if (ref === undefined || amp + ref.length > to) {
      out.add('&');
      i = amp + 1;
    } else {
      out.add(decodeHTML(ref));
      i = amp + ref.length;
    }
  }
  if (to > i) out.add(html.slice(i, to));
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

// A tag name runs to whitespace, '/' or '>'.
function tagNameEnd(html: string, from: number): number {
  let i = from;
  for (; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === 0x3e || c === 0x2f || c === 0x20 || (c >= 0x09 && c <= 0x0d)) break;
  }
  return i;
}

// The index of the '>' ending a start tag whose attributes begin at `from`, or -1 if the input ends first.
// Quotes only count where an attribute value starts (after '='), so an apostrophe in a bare attribute name
// cannot swallow the rest of the document.
function startTagEnd(html: string, from: number): number {
  for (let i = from; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === 0x3e) return i;
    if (c === 0x3d /* = */) {
      let j = i + 1;
      while (j < html.length && isSpaceAscii(html.charCodeAt(j))) j++;
      const q = html.charCodeAt(j);
      if (q === 0x22 || q === 0x27) {
        const close = html.indexOf(q === 0x22 ? '"' : "'", j + 1);
        if (close < 0) return -1;
        i = close;
      } else {
        i = j - 1;
      }
    }
  }
  return -1;
}

function isSpaceAscii(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

// The index after the next '>' from `from` (end tags and bogus comments), or the end of input.
function skipTag(html: string, from: number): number {
  const gt = html.indexOf('>', from);
  return gt < 0 ? html.length : gt + 1;
}

// Where a raw-text element's end tag `</name` starts (case-insensitive, followed by a name delimiter), or -1.
function findEndTag(html: string, from: number, name: string): number {
  for (let i = html.indexOf('</', from); i >= 0; i = html.indexOf('</', i + 2)) {
    if (html.slice(i + 2, i + 2 + name.length).toLowerCase() !== name) continue;
    const after = html.charCodeAt(i + 2 + name.length);
    if (Number.isNaN(after) || after === 0x3e || after === 0x2f || isSpaceAscii(after)) return i;
  }
  return -1;
}

/**
 * Text collected run by run with whitespace tidied on the way: every whitespace run (as JS \s counts them,
 * including the breaks that block elements add) becomes one space, or one newline when it contains a line
 * break; the ends are trimmed. Tidying each run as it arrives keeps the scans on flat strings: a second pass
 * over the concatenated result walked a V8 cons-string and cost more than the HTML scan itself. Stretches
 * already separated by single spaces are copied whole.
 */
class TidyText {
  text = '';
  // The separator owed before the next visible character: 0 none, 1 a space, 2 a newline.
  private pending = 0;

  lineBreak(): void {
    this.pending = 2;
  }

  add(run: string): void {
    // Most runs are words separated by single spaces: one native regex scan, then the run (less a leading or
    // trailing space) is appended whole instead of walked character by character.
    if (!run.includes('  ') && !UNTIDY.test(run)) return this.addTidy(run);
    const n = run.length;
    let i = 0;
    while (i < n) {
      let c = run.charCodeAt(i);
      if (isSpace(c)) {
        for (; i < n && isSpace((c = run.charCodeAt(i))); i++) if (c === 0x0a) this.pending = 2;
        if (this.pending === 0) this.pending = 1;
        if (i === n) return;
      }
      const from = i;
      for (; i < n; i++) {
        c = run.charCodeAt(i);
        if (!isSpace(c)) continue;
        if (c !== 0x20 || i + 1 === n || isSpace(run.charCodeAt(i + 1))) break;
      }
      if (this.pending !== 0 && this.text !== '') this.text += this.pending === 2 ? '\n' : ' ';
      this.pending = 0;
      this.text += run.slice(from, i);
    }
  }

  // A run whose only whitespace is single spaces (U+0020).
  private addTidy(run: string): void {
    let from = 0;
    let to = run.length;
    if (to > 0 && run.charCodeAt(0) === 0x20) {
      from = 1;
      if (this.pending === 0) this.pending = 1;
    }
    const trailing = to > from && run.charCodeAt(to - 1) === 0x20;
    if (trailing) to--;
    if (to > from) {
      if (this.pending !== 0 && this.text !== '') this.text += this.pending === 2 ? '\n' : ' ';
      this.pending = 0;
      this.text += from === 0 && to === run.length ? run : run.slice(from, to);
    }
    if (trailing) this.pending = 1;
  }
}

// Whitespace that TidyText.add must rewrite, besides two spaces in a row: any but U+0020 (isSpace's set). A
// plain character class: with the two spaces as an alternative, this regex took a fifth of htmlToText.
const UNTIDY = /[\t-\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

function isSpace(c: number): boolean {
  if (c > 0x20 && c < 0xa0) return false;
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}
