/**
 * URLs as the published documents may carry them: absolute, of an allowed scheme, and spelled only with the
 * characters the W3C validator accepts in a URI (feedvalidator validators.py rfc2396_full:
 * `[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]`; anything else draws InvalidUriChar / UriNotIri).
 */
import { cleanText } from './text.js';

/** Schemes a link in a published feed may use. */
export const WEB_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);
/** Schemes an `<a href>` inside published HTML may use. */
export const LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

const URI_CHAR = /[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]/;

/**
 * Resolves `raw` against `base` (when given) and returns it in WHATWG-serialized form with every remaining
 * character outside the validator's URI set percent-encoded as UTF-8. Returns null when it cannot be made
 * absolute or its scheme is not in `schemes` (this is also what rejects `javascript:`, `vbscript:`, `data:`
 * and the like: WHATWG parsing has already stripped the tabs and newlines used to disguise them).
 */
export function publishableUrl(
  raw: string,
  base: string | null,
  schemes: ReadonlySet<string> = WEB_SCHEMES,
): string | null {
  const text = cleanText(raw).trim();
  if (text === '') return null;
  let url: URL;
  try {
    url = base === null ? new URL(text) : new URL(text, base);
  } catch {
    return null;
  }
  if (!schemes.has(url.protocol)) return null;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname === '') return null;
  const href = url.href;
  // The authority is left alone: WHATWG has punycoded the host, and IPv6 brackets must stay brackets.
  const authorityEnd = url.protocol === 'mailto:' ? url.protocol.length : href.indexOf('/', url.protocol.length + 2);
  if (authorityEnd < 0) return href;
  return href.slice(0, authorityEnd) + encodeOutsideUriSet(href.slice(authorityEnd));
}

function encodeOutsideUriSet(s: string): string {
  let out = '';
  for (const ch of s) {
    if (URI_CHAR.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
