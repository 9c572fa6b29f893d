/**
 * Text hygiene shared by every published format: characters no feed may carry, and the plain-text helpers the
 * renderers need (names, fallback titles).
 */

// Characters removed from everything we publish:
// - C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF: illegal in XML 1.0 (§2.2), so one of them
//   makes the whole document malformed;
// - DEL and C1 controls (U+007F–U+009F) and U+FFFD: legal XML, but the W3C validator warns "BadCharacters" on
//   U+0080–U+009F and U+FFFD in any text or attribute (feedvalidator base.py), and html5lib rejects DEL/C1 inside
//   HTML content ("invalid-codepoint");
// - Unicode noncharacters (U+FDD0–U+FDEF and U+nFFFE/U+nFFFF of every plane): html5lib "invalid-codepoint".
const UNPUBLISHABLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFDD0-\uFDEF\uFFFD\uFFFE\uFFFF]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu;

/** Removes characters that must not appear in a published document (see UNPUBLISHABLE above). */
export function cleanText(s: string): string {
  return s.replace(UNPUBLISHABLE, '');
}

/** Cleans, collapses runs of whitespace to one space and trims: for one-line fields (names, tags). */
export function oneLine(s: string): string {
  return cleanText(s).replace(/\s+/g, ' ').trim();
}

// "Jane Doe <jane@example.com>" and "jane@example.com (Jane Doe)" are the two shapes feeds use for an author.
const NAME_THEN_EMAIL = /^(.*?)\s*<[^<>\s@]+@[^<>\s]+>$/;
const EMAIL_THEN_NAME = /^[^\s()@]+@[^\s()]+\s*\((.+)\)$/;

/**
 * The display name of a person as feeds write it, without an email address in angle brackets: Atom's
 * atom:name draws "ContainsEmail" when it holds `<addr>` (feedvalidator author.py, validators.py nonemail).
 * Returns null when nothing printable is left.
 */
export function personName(raw: string | null): string | null {
  if (raw === null) return null;
  let name = oneLine(raw);
  const a = NAME_THEN_EMAIL.exec(name);
  if (a) name = a[1]!.trim();
  const b = EMAIL_THEN_NAME.exec(name);
  if (b) name = b[1]!.trim();
  name = name.replace(/^["']+|["']+$/g, '').trim();
  return name === '' ? null : name;
}

/** Cuts plain text to at most `max` characters at a word boundary, adding an ellipsis when it cut. */
export function excerpt(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
