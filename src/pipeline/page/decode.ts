/**
 * Page bytes → text. The feed decoder's order of evidence (BOM, HTTP charset) and, where it found none, the
 * page's own `<meta charset>` or `http-equiv` declaration in its first 1024 bytes, as the HTML standard's
 * prescan does. UTF-8 otherwise.
 */
import { WartaError } from '../../base/errors.js';
import { decodeBody, detectEncoding, resolveCharset } from '../feed/decode.js';

const META_CHARSET = /<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i;

/** Whether a Content-Type is an HTML page (or absent, as some servers send). */
export function isHtmlType(contentType: string | null): boolean {
  if (contentType === null) return true;
  return /^\s*(?:text\/html|application\/xhtml\+xml)\s*(?:;|$)/i.test(contentType);
}

/** Decodes an HTML page; throws WartaError('decode_error') for binary bodies. */
export function decodePage(body: Uint8Array, contentType: string | null): string {
  const found = detectEncoding(body, contentType);
  if (found.source === 'default' || found.source === 'prolog') {
    const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, 1024)).toString('latin1');
    const label = META_CHARSET.exec(head)?.[1];
    const name = label === undefined ? null : resolveCharset(label);
    // A page declaring UTF-16 in ASCII bytes is not UTF-16 (HTML standard: treated as UTF-8).
    if (name !== null && !/^utf-?(16|32)/.test(name)) return decodeBody(body, `text/html; charset=${name}`);
  }
  return decodeBody(body, contentType);
}

/** The error for a body that is not an HTML page. */
export function notHtml(contentType: string | null): WartaError {
  return new WartaError('not_html', `the page is ${contentType ?? 'of no type'}, not HTML`);
}
