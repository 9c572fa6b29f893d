/**
 * A feed document cut into its raw item elements without parsing them, so that a refresh can recognise the
 * items it has read before by their bytes and parse only the others (issue 15: a changed feed costs in
 * proportion to what changed).
 *
 * The cut is a scan of the markup only: tags, comments, CDATA sections and processing instructions are stepped
 * over, text is skipped with indexOf. Anything it is not sure about — a DOCTYPE (its entities change how text
 * reads), items in two places, an element closed out of order, a document that does not end — gives null, and
 * the caller parses the whole document as before.
 */

/** The document as alternating pieces: `between[0] items[0] between[1] … items[n-1] between[n]`. */
export interface SplitDocument {
  /** The text outside the items (the channel's own elements, whitespace, the closing tags). */
  between: string[];
  /** Each item element's text, start tag to end tag, in document order. */
  items: string[];
  /**
   * What the reading of an item depends on besides its own text: the prolog and the start tags of the root and
   * the channel (namespace declarations, xml:base).
   */
  context: string;
}

const ITEM_OF: Record<string, string> = { rss: 'item', RDF: 'item', feed: 'entry' };

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** Cuts an RSS 0.9x/1.0/2.0 or Atom document into its items; null when the document is not plainly one. */
export function splitItems(text: string): SplitDocument | null {
  const stack: string[] = [];
  const starts: string[] = [];
  const cuts: number[] = [];
  let itemName: string | null = null;
  let rootEnd = -1;
  let itemsUnderRoot = false;
  let itemsUnderChannel = false;
  let channels = 0;
  let itemStart = -1;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    if (rootEnd >= 0) {
      // After the root: only comments, processing instructions and whitespace may follow.
      if (text.startsWith('<!--', i) || text.startsWith('<?', i)) {
        const end = text.indexOf(text[i + 1] === '!' ? '-->' : '?>', i);
        if (end < 0) return null;
        i = text.indexOf('<', end);
        continue;
      }
      return null;
    }
    let end: number;
    // Dispatched on the character after '<' (most tags are start and end tags): comments, CDATA sections and
    // processing instructions are told apart only when it is '!' or '?'.
    const next = text.charCodeAt(i + 1);
    if (next === 33 /* ! */) {
      if (text.startsWith('<!--', i)) {
        end = text.indexOf('-->', i + 4);
        if (end < 0) return null;
        end += 3;
      } else if (text.startsWith('<![CDATA[', i)) {
        end = text.indexOf(']]>', i + 9);
        if (end < 0) return null;
        end += 3;
      } else return null; // a DOCTYPE, or markup this scan does not know
    } else if (next === 63 /* ? */) {
      end = text.indexOf('?>', i + 2);
      if (end < 0) return null;
      end += 2;
    } else if (next === 47 /* / */) {
      end = text.indexOf('>', i + 2);
      if (end < 0) return null;
      const open = stack.pop();
      // The usual "</name>" compared in place; anything else (whitespace before '>') as before.
      if (open === undefined || !(end - i - 2 === open.length && text.startsWith(open, i + 2)) && text.slice(i + 2, end).trim() !== open) return null;
      end++;
      if (itemStart >= 0 && stack.length === (itemsUnderChannel ? 2 : 1)) {
        cuts.push(itemStart, end);
        itemStart = -1;
      }
      if (stack.length === 0) rootEnd = end;
    } else if (isNameStart(next)) {
      end = tagEnd(text, i);
      if (end < 0) return null;
      const name = tagName(text, i + 1, Math.min(end, i + 256));
      const empty = text.charCodeAt(end - 2) === 47; // '/>'
      const depth = stack.length;
      if (depth === 0) {
        if (starts.length > 0) return null;
        itemName = ITEM_OF[localName(name)] ?? null;
        if (itemName === null) return null;
        starts.push(text.slice(0, end));
      } else if (itemStart < 0 && localName(name) === itemName && (depth === 1 || (depth === 2 && localName(stack[1]!) === 'channel'))) {
        if (depth === 1) itemsUnderRoot = true;
        else itemsUnderChannel = true;
        if (itemsUnderRoot && itemsUnderChannel) return null; // the extractor reads channel items first
        if (empty) cuts.push(i, end);
        else itemStart = i;
      } else if (depth === 1 && itemStart < 0 && localName(name) === 'channel') {
        if (++channels > 1) return null;
        starts.push(text.slice(i, end));
      }
      if (!empty) stack.push(name);
    } else {
      // "a < b" in text: the repair stage escapes it; the scan steps over it.
      end = i + 1;
    }
    i = text.indexOf('<', end);
  }
  if (rootEnd < 0) return null;
  const between: string[] = [];
  const items: string[] = [];
  let at = 0;
  for (let k = 0; k < cuts.length; k += 2) {
    between.push(text.slice(at, cuts[k]));
    items.push(text.slice(cuts[k], cuts[k + 1]));
    at = cuts[k + 1]!;
  }
  between.push(text.slice(at));
  return { between, items, context: starts.join('\n') };
}

// A-Z, a-z, _
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The element name of a start tag from `from` (after its '<'): up to whitespace, '/' or '>', at most to `limit`. */
function tagName(text: string, from: number, limit: number): string {
  let j = from;
  for (; j < limit; j++) {
    const c = text.charCodeAt(j);
    // \t \n \v \f \r, space, '/', '>', and the other characters \s matches (rare in markup: read by the regex).
    if (c === 32 || (c >= 9 && c <= 13) || c === 47 || c === 62) break;
    if (c > 127) return /^[^\s/>]+/.exec(text.slice(from, limit))![0];
  }
  return text.slice(from, j);
}

/** The end of a start tag (index after its '>'), stepping over quoted attribute values; -1 when it never ends. */
function tagEnd(text: string, from: number): number {
  let quote = 0;
  for (let j = from + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c; // " '
    else if (c === 62) return j + 1; // >
    else if (c === 60) return -1; // <
  }
  return -1;
}

/** The document with only the items `keep` says yes to (the channel's own elements all stay). */
export function joinItems(doc: SplitDocument, keep: (index: number) => boolean): string {
  let out = doc.between[0]!;
  for (let k = 0; k < doc.items.length; k++) out += (keep(k) ? doc.items[k]! : '') + doc.between[k + 1]!;
  return out;
}
