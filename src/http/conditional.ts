import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a conditional GET/HEAD may be answered 304 (RFC 9110 §13.2.2): If-None-Match decides when present
 * (weak comparison, lists, "*"); only without it is If-Modified-Since compared, at one-second precision.
 */
export function isNotModified(headers: IncomingHttpHeaders, etag: string, lastModified: Date): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    if (inm === etag) return true; // the usual case: a client sending back the one tag it was given
    if (inm.trim() === '*') return true;
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
    const mine = opaque(etag);
    return inm.split(',').some((t) => opaque(t) === mine);
  }
  const ims = headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    if (Number.isNaN(since)) return false;
    return Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
