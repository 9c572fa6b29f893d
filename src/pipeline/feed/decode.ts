import iconv from 'iconv-lite';
import { WartaError } from '../../base/errors.js';

/**
 * Bytes → text. The order of evidence follows XML 1.0 Appendix F and RFC 7303 §3: a byte order mark, then the
 * layout of the first bytes (UTF-16/32 without a BOM), then the HTTP charset, then the XML declaration's
 * `encoding=`, then UTF-8. Decoding uses iconv-lite: Node 20's TextDecoder('windows-1252') decodes as Latin-1.
 */

/** The encoding a document will be decoded with, and which piece of evidence chose it. */
export interface DetectedEncoding {
  /** An iconv-lite encoding name, lower case ('utf-8', 'windows-1252', 'utf-16le', 'gb18030' …). */
  name: string;
  source: 'bom' | 'layout' | 'http' | 'prolog' | 'default';
}

const BOMS: [bytes: number[], name: string][] = [
  [[0x00, 0x00, 0xfe, 0xff], 'utf-32be'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32le'], // before UTF-16LE: same first two bytes
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xfe, 0xff], 'utf-16be'],
  [[0xff, 0xfe], 'utf-16le'],
];

/** "<?" (or "<" alone) in UTF-16/32 without a BOM: XML 1.0 Appendix F. */
const LAYOUTS: [bytes: number[], name: string][] = [
  [[0x00, 0x00, 0x00, 0x3c], 'utf-32be'],
  [[0x3c, 0x00, 0x00, 0x00], 'utf-32le'],
  [[0x00, 0x3c, 0x00, 0x3f], 'utf-16be'],
  [[0x3c, 0x00, 0x3f, 0x00], 'utf-16le'],
];

/**
 * Labels as servers and feeds write them → the decoder to use. Following the WHATWG Encoding Standard,
 * ISO-8859-1 and US-ASCII are read as windows-1252 (feeds so labelled are full of cp1252 quotes), GB2312 as its
 * superset GB18030, EUC-KR as cp949 and TIS-620 as windows-874.
 */
const ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252', iso8859_1: 'windows-1252', 'iso_8859-1': 'windows-1252', latin1: 'windows-1252',
  'l1': 'windows-1252', 'us-ascii': 'windows-1252', ascii: 'windows-1252', 'ansi_x3.4-1968': 'windows-1252',
  cp819: 'windows-1252', 'x-cp1252': 'windows-1252',
  gb2312: 'gb18030', gbk: 'gb18030', 'x-gbk': 'gb18030', 'gb_2312-80': 'gb18030', 'euc-cn': 'gb18030',
  'euc-kr': 'cp949', 'ks_c_5601-1987': 'cp949', 'tis-620': 'windows-874', 'iso-8859-11': 'windows-874',
  utf8: 'utf-8', 'unicode-1-1-utf-8': 'utf-8',
  'ucs-2': 'utf-16', 'iso-10646-ucs-2': 'utf-16', unicode: 'utf-16', csunicode: 'utf-16',
  'ucs-4': 'utf-32', 'iso-10646-ucs-4': 'utf-32',
};

/** The decoder for a charset label, or null for a label we cannot decode (a bogus label is ignored, not fatal). */
export function resolveCharset(label: string): string | null {
  const key = label.trim().replace(/^["']|["']$/g, '').trim().toLowerCase();
  if (key === '') return null;
  const name = ALIASES[key] ?? key;
  return iconv.encodingExists(name) ? name : null;
}

/** The charset parameter of a Content-Type header, if any (quoted or not). */
export function httpCharset(contentType: string | null): string | null {
  const m = /;\s*charset\s*=\s*("[^"]*"|'[^']*'|[^;\s]+)/i.exec(contentType ?? '');
  return m ? m[1]!.replace(/^["']|["']$/g, '') : null;
}

function startsWith(body: Uint8Array, bytes: number[]): boolean {
  return body.length >= bytes.length && bytes.every((b, i) => body[i] === b);
}

const isWide = (name: string) => /^utf-?(16|32)/.test(name);

/** Chooses the encoding of a fetched document. */
export function detectEncoding(body: Uint8Array, contentType: string | null): DetectedEncoding {
  for (const [bytes, name] of BOMS) if (startsWith(body, bytes)) return { name, source: 'bom' };
  for (const [bytes, name] of LAYOUTS) if (startsWith(body, bytes)) return { name, source: 'layout' };
  // From here a UTF-16/32 label is believed only when NUL bytes show the text really is wide.
  const fromHttp = httpCharset(contentType);
  const http = fromHttp === null ? null : resolveCharset(fromHttp);
  const hasNul = body.subarray(0, 4).includes(0);
  if (http && isWide(http) === hasNul) return { name: http, source: 'http' };
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, 1024)).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']/.exec(head)?.[1];
  const prolog = declared === undefined ? null : resolveCharset(declared);
  if (prolog && isWide(prolog) === hasNul) return { name: prolog, source: 'prolog' };
  return { name: 'utf-8', source: 'default' };
}

/** Decodes a fetched document to text ready for parsing; throws WartaError('decode_error') for binary bodies. */
export function decodeBody(body: Uint8Array, contentType: string | null): string {
  const binary = SIGNATURES.find(([bytes]) => startsWith(body, bytes));
  if (binary) throw new WartaError('decode_error', `decode: the body is ${binary[1]}, not text (${binary[2]})`);
  const { name } = detectEncoding(body, contentType);
  let text: string;
  try {
    text = name === 'utf-8' ? decodeUtf8Lenient(body) : iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.length), name);
  } catch (err) {
    throw new WartaError('decode_error', `decode: cannot decode the body as ${name}`, { cause: err });
  }
  return cleanText(text);
}

const COMPRESSED = 'the server compressed it without saying so in Content-Encoding';
const NOT_A_FEED_URL = 'check the source URL';
/** Magic numbers of bodies that are not text at all. */
const SIGNATURES: [bytes: number[], kind: string, hint: string][] = [
  [[0x1f, 0x8b], 'gzip-compressed', COMPRESSED],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed', COMPRESSED],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive', NOT_A_FEED_URL],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image', NOT_A_FEED_URL],
  [[0xff, 0xd8, 0xff], 'a JPEG image', NOT_A_FEED_URL],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image', NOT_A_FEED_URL],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document', NOT_A_FEED_URL],
];

// ---------------------------------------------------------------------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const CP1252 = iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), 'windows-1252');

/**
 * UTF-8 where every byte that is not part of a valid sequence is read as windows-1252: feeds labelled UTF-8 often
 * carry a few cp1252 bytes (a pasted quote), and whole-document fallback would garble every other character.
 */
export function decodeUtf8Lenient(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // some bytes are not UTF-8: fall through
  }
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > start) parts.push(strictUtf8.decode(bytes.subarray(start, i)));
    parts.push(CP1252[bytes[i]!]!);
    start = ++i;
  }
  if (start < bytes.length) parts.push(strictUtf8.decode(bytes.subarray(start)));
  return parts.join('');
}

/** Length of the well-formed UTF-8 sequence at i (Unicode Table 3-7), or 0 when there is none. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * After decoding: drop the BOM; map C1 controls to the cp1252 characters they stand for (cp1252 text transcoded as
 * Latin-1, "don\u0092t"); remove characters XML 1.0 §2.2 forbids (a parser would reject the whole feed for one
 * of them); and drop the prolog's encoding= (the text is no longer in that encoding).
 */
function cleanText(text: string): string {
  // Nearly every document has no C1 control, forbidden character or lone surrogate: one scan for the characters
  // the replacements below look for (and a native check for lone surrogates) saves their three passes over it.
  // The BOM first, as before the scan: a BOM behind a removed control character stays text, as it did.
  const t = text.replace(/^\uFEFF/, '');
  const clean = !SUSPECT.test(t) && (t as WellFormedCheck).isWellFormed();
  return (clean ? t : t
    .replace(/[\u0080-\u009F]/g, (c) => {
      const mapped = CP1252[c.charCodeAt(0)]!;
      return mapped === '\uFFFD' ? '' : mapped;
    })
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ''))
    .replace(/^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/, '$1');
}

/** The characters cleanText replaces or removes, surrogates aside (String.prototype.isWellFormed finds lone ones). */
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0080-\u009F\uFFFE\uFFFF]/;

// ES2024 (Node ≥ 20, V8 11.1): not in the ES2023 lib this project compiles against.
type WellFormedCheck = string & { isWellFormed(): boolean };
