/**
 * A small XML writer for the RSS, Atom and OPML renderers.
 *
 * Every character that XML or the W3C Feed Validator treats specially is written as a hexadecimal character
 * reference, never as CDATA:
 * - `&` `<` `>` become `&#x26;` `&#x3C;` `&#x3E;`. The validator's RSS profile asks for exactly these in plain
 *   text (feedvalidator validators.py nonhtml, "CharacterData"), and it only accepts text that looks like an
 *   entity or a tag when the same source line holds a `&#x` reference (it scans lines: __init__.py rssCharData);
 * - line breaks become `&#xA;` / `&#xD;` so that an element always sits on one line (the line scan above sees
 *   the whole value) and so that a CR survives XML line-end normalization (XML 1.0 §2.11);
 * - in attributes `"` and tab/LF/CR are referenced too: attribute-value normalization (§3.3.3) would turn
 *   whitespace into spaces.
 * Characters XML forbids are removed first (cleanText). Element and attribute names are ours, never input.
 */
import { cleanText } from './text.js';

const TEXT_REFS: Record<string, string> = {
  '&': '&#x26;',
  '<': '&#x3C;',
  '>': '&#x3E;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
const ATTR_REFS: Record<string, string> = { ...TEXT_REFS, '"': '&#x22;', '\t': '&#x9;' };

/** Escapes character data for element content. */
export function escapeText(s: string): string {
  return cleanText(s).replace(/[&<>\n\r]/g, (c) => TEXT_REFS[c]!);
}

/** Escapes an attribute value written between double quotes. */
export function escapeAttr(s: string): string {
  return cleanText(s).replace(/[&<>"\n\r\t]/g, (c) => ATTR_REFS[c]!);
}

/** Attributes in the order they are written; a null value leaves the attribute out. */
export type Attrs = ReadonlyArray<readonly [name: string, value: string | null]>;

function attrs(list: Attrs | undefined): string {
  if (!list) return '';
  let out = '';
  for (const [name, value] of list) if (value !== null) out += ` ${name}="${escapeAttr(value)}"`;
  return out;
}

/**
 * Builds a document line by line, two spaces per nesting level. Text elements always go on one line (see the
 * module comment); output depends only on the calls made, so equal input gives equal bytes.
 */
export class XmlWriter {
  private readonly lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  private readonly open: string[] = [];

  /** Opens an element that will hold child elements. */
  start(name: string, list?: Attrs): this {
    this.lines.push(`${this.indent()}<${name}${attrs(list)}>`);
    this.open.push(name);
    return this;
  }

  /** Closes the innermost open element. */
  end(): this {
    const name = this.open.pop();
    if (name === undefined) throw new Error('xml: end() without an open element');
    this.lines.push(`${this.indent()}</${name}>`);
    return this;
  }

  /** Writes `<name attrs>text</name>`, or `<name attrs/>` when text is empty. */
  text(name: string, text: string, list?: Attrs): this {
    const body = escapeText(text);
    this.lines.push(
      body === '' ? `${this.indent()}<${name}${attrs(list)}/>` : `${this.indent()}<${name}${attrs(list)}>${body}</${name}>`,
    );
    return this;
  }

  /** Writes an element with attributes only. */
  empty(name: string, list: Attrs): this {
    this.lines.push(`${this.indent()}<${name}${attrs(list)}/>`);
    return this;
  }

  /** The finished document, ending in a newline. */
  toString(): string {
    if (this.open.length > 0) throw new Error(`xml: unclosed <${this.open.join('>, <')}>`);
    return `${this.lines.join('\n')}\n`;
  }

  private indent(): string {
    return '  '.repeat(this.open.length);
  }
}
