import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import { WartaError } from '../../base/errors.js';
import { MAX_RETRY_AFTER_MS } from '../backoff.js';
import { cacheLifetimeMs } from '../hints.js';

/** What warta remembers from the last answer, for a conditional request (RFC 9110 §13). */
export interface FetchRequest {
  url: string;
  etag: string | null;
  lastModified: string | null;
  signal?: AbortSignal;
  /** The Accept header; feeds' by default. */
  accept?: string;
  /**
   * A host fetched without the address check, through its own dispatcher: an article page on its source's own
   * host (issue 12), which may be private when the source is (an intranet feed). Every other hop is checked.
   */
  trusted?: { hostname: string; dispatcher: Dispatcher };
}

/** Limits of one fetch. */
export interface FetchLimits {
  /** Deadline for the whole exchange, body included: a server dripping one byte at a time is cut here. */
  timeoutMs: number;
  /** Cap on the decoded body: a gzip bomb stops here without being inflated further. */
  maxBody: number;
  maxRedirects: number;
  userAgent: string;
  /** Refuse loopback, private and link-local addresses (after DNS, on every hop). */
  blockPrivateAddresses?: boolean;
  /**
   * With blockPrivateAddresses, still let loopback through (127.0.0.0/8, ::1, localhost) and nothing else that is
   * private. For tests only: they serve pages on 127.0.0.1, and must not lift the block on the rest.
   */
  allowLoopback?: boolean;
  /** Which rule refused an address, for the error message; `fetch.block_private_addresses` by default. */
  blockRule?: string;
  /**
   * With blockPrivateAddresses, a non-public address this says yes to is let through: an article page on its
   * source's own host, at an address the source's feed was read from (issue 12).
   */
  allowAddress?: (hostname: string, address: string) => boolean;
  /** Told of every DNS answer a connection is made with (which addresses a source's feed is read from). */
  resolved?: (hostname: string, addresses: readonly string[]) => void;
}

/** One redirect hop, kept so a later stage can tell permanent moves (301/308) from temporary ones. */
export interface RedirectHop {
  status: number;
  from: string;
  to: string;
}

/** The classified answer of a server. */
export type FetchResult =
  | { kind: 'not_modified'; status: 304; url: string; redirects: RedirectHop[]; cacheMs: number | null }
  | {
      kind: 'ok';
      status: number;
      url: string;
      redirects: RedirectHop[];
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** How long the server says the answer stays fresh (Cache-Control / Expires), a polling hint. */
      cacheMs: number | null;
    }
  | { kind: 'error'; status: number | null; url: string; redirects: RedirectHop[]; error: WartaError; retryAfter: Date | null };

// Addresses a source must not resolve to when fetch.block_private_addresses is on (SSRF protection).
const PRIVATE = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is loopback, private, link-local, multicast or otherwise not a public host. */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  const family = isIP(ip);
  return family === 0 ? false : PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether an IP address is loopback (127.0.0.0/8, ::1, or 127.x mapped into IPv6). */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = /^(?:::ffff:)?(\d+)\.\d+\.\d+\.\d+$/i.exec(ip);
  if (v4) return v4[1] === '127';
  return ip === '::1' || /^0{0,4}(?::0{0,4}){6}:0{0,3}1$/.test(ip);
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that fails for private addresses, so the check holds after resolution and on redirects. */
function checkedLookup(limits: FetchLimits): (hostname: string, options: object, callback: LookupCallback) => void {
  return (hostname, options, callback) => lookupChecked(hostname, options, callback, limits);
}

function lookupChecked(hostname: string, options: object, callback: LookupCallback, limits: FetchLimits): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    limits.resolved?.(hostname, list.map((a) => a.address));
    const refused = (address: string) =>
      isPrivateAddress(address) && !(limits.allowLoopback && isLoopbackAddress(address)) && !limits.allowAddress?.(hostname, address);
    const bad = limits.blockPrivateAddresses ? list.find((a) => refused(a.address)) : undefined;
    if (bad) return callback(new WartaError('blocked_address', `${hostname} resolves to ${bad.address}, a private address (${limits.blockRule ?? DEFAULT_RULE})`), []);
    if ((options as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
}

const DEFAULT_RULE = 'fetch.block_private_addresses';

/**
 * A test-only switch: with it set to 1, article pages (and `warta extract`) may be fetched from loopback
 * (127.0.0.0/8, ::1, localhost), so tests can serve pages on 127.0.0.1. Every other non-public address stays refused.
 */
export const PAGE_LOOPBACK_ENV = 'WARTA_TEST_ALLOW_LOOPBACK';

/** A connection pool shared by all fetches; timeouts on every phase so no socket hangs forever. */
export function makeFetchAgent(limits: FetchLimits): Agent {
  return new Agent({
    ...(limits.blockPrivateAddresses || limits.resolved ? { connect: { lookup: checkedLookup(limits) } } : {}),
    connectTimeout: Math.min(limits.timeoutMs, 10_000),
    headersTimeout: limits.timeoutMs,
    bodyTimeout: limits.timeoutMs,
    connections: 8,
    keepAliveTimeout: 10_000,
  });
}

/** Fetches a feed: conditional GET, redirects followed by hand, body decompressed under a size cap. */
export async function fetchFeed(agent: Dispatcher, req: FetchRequest, limits: FetchLimits, now: () => Date): Promise<FetchResult> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  const redirects: RedirectHop[] = [];
  const visited = new Set<string>();
  let url = req.url;
  // Credentials in the source URL (http://user:pass@host/) go as Basic auth to that origin only, also after a
  // redirect within it; a redirect to another origin never gets them (as curl and browsers do).
  const credentials = basicAuthOf(req.url);
  try {
    for (;;) {
      const trusted = req.trusted && hostnameOf(url) === req.trusted.hostname ? req.trusted : null;
      const parsed = checkUrl(url, trusted ? false : (limits.blockPrivateAddresses ?? false), limits.allowLoopback ?? false, limits.blockRule ?? DEFAULT_RULE);
      visited.add(parsed.href);
      const authorization = basicAuthOf(url)?.header ?? (credentials && credentials.origin === parsed.origin ? credentials.header : null);
      const headers: Record<string, string> = {
        'user-agent': limits.userAgent,
        accept: req.accept ?? 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
        'accept-encoding': 'gzip, deflate, br',
      };
      if (authorization !== null) headers.authorization = authorization;
      // Validators belong to the URL they came from; send them only to it.
      if (redirects.length === 0) {
        if (req.etag) headers['if-none-match'] = req.etag;
        if (req.lastModified) headers['if-modified-since'] = req.lastModified;
      }
      const res = await request(parsed, { method: 'GET', headers, dispatcher: trusted?.dispatcher ?? agent, signal });
      const status = res.statusCode;

      if (status >= 300 && status < 400 && status !== 304) {
        res.body.resume();
        const location = header(res.headers, 'location');
        if (!location) {
          return failure(status, url, redirects, new WartaError(`http_${status}`, `HTTP ${status} without a Location header`), null);
        }
        const next = new URL(location, url).href;
        redirects.push({ status, from: url, to: next });
        if (visited.has(next)) {
          return failure(status, url, redirects, new WartaError('redirect_loop', `redirect loop: ${next} was already visited`), null);
        }
        if (redirects.length > limits.maxRedirects) {
          return failure(status, url, redirects, new WartaError('too_many_redirects', `more than ${limits.maxRedirects} redirects`), null);
        }
        url = next;
        continue;
      }
      const cacheMs = cacheLifetimeMs(header(res.headers, 'cache-control'), header(res.headers, 'expires'), header(res.headers, 'date'), now());
      if (status === 304) {
        res.body.resume();
        return { kind: 'not_modified', status, url, redirects, cacheMs };
      }
      if (status < 200 || status >= 300) {
        res.body.resume();
        const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), now());
        return failure(status, url, redirects, statusError(status), retryAfter);
      }
      const body = await readBody(res.body, header(res.headers, 'content-encoding'), limits.maxBody);
      return {
        kind: 'ok',
        status,
        url,
        redirects,
        body,
        contentType: header(res.headers, 'content-type'),
        etag: header(res.headers, 'etag'),
        lastModified: header(res.headers, 'last-modified'),
        cacheMs,
      };
    }
  } catch (err) {
    return failure(null, url, redirects, classifyError(err, signal, req.signal, limits), null);
  }
}

/** `Authorization: Basic` from a URL's userinfo (percent-decoded), with the origin it belongs to; null without userinfo. */
function basicAuthOf(url: string): { origin: string; header: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.username === '' && u.password === '') return null;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { origin: u.origin, header: `Basic ${Buffer.from(`${decode(u.username)}:${decode(u.password)}`, 'utf8').toString('base64')}` };
}

function failure(status: number | null, url: string, redirects: RedirectHop[], error: WartaError, retryAfter: Date | null): FetchResult {
  return { kind: 'error', status, url, redirects, error, retryAfter };
}

/** The lower-case host name of a URL (IPv6 without brackets), or null for what is not a URL. */
export function hostnameOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

function checkUrl(url: string, blockPrivate: boolean, allowLoopback: boolean, rule: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new WartaError('bad_url', `not a URL: ${url}`, { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WartaError('bad_url', `only http and https are fetched, not ${parsed.protocol}`);
  }
  // An IP literal never reaches the DNS lookup, so it is checked here.
  const literal = parsed.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopbackAddress(literal) || parsed.hostname === 'localhost';
  if (blockPrivate && (isPrivateAddress(literal) || parsed.hostname === 'localhost') && !(allowLoopback && loopback)) {
    throw new WartaError('blocked_address', `${parsed.hostname} is a private address (${rule})`);
  }
  return parsed;
}

function statusError(status: number): WartaError {
  if (status === 410) return new WartaError('gone', 'HTTP 410 Gone: the publisher removed this feed');
  if (status === 429) return new WartaError('rate_limited', 'HTTP 429 Too Many Requests');
  return new WartaError(`http_${status}`, `HTTP ${status}`);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}


/**
 * Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3), capped at MAX_RETRY_AFTER_MS from now; null
 * when absent or unreadable. A date in the past means "now".
 */
export function parseRetryAfter(value: string | null, now: Date): Date | null {
  if (!value) return null;
  const v = value.trim();
  let ms: number;
  if (/^\d{1,12}$/.test(v)) ms = Number(v) * 1000;
  else {
    const t = Date.parse(v);
    if (Number.isNaN(t)) return null;
    ms = t - now.getTime();
  }
  return new Date(now.getTime() + Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS));
}

/** Reads the body, decompressing it, and stops at `max` decoded bytes. */
async function readBody(body: Dispatcher.ResponseData['body'], encoding: string | null, max: number): Promise<Buffer> {
  const enc = (encoding ?? '').trim().toLowerCase();
  let stream: NodeJS.ReadableStream = body;
  let decoder: Gunzip | null = null;
  if (enc === 'gzip' || enc === 'x-gzip') decoder = createGunzip();
  else if (enc === 'deflate') decoder = createInflate();
  else if (enc === 'br') decoder = createBrotliDecompress() as unknown as Gunzip;
  if (decoder) {
    body.on('error', (e) => decoder!.destroy(e));
    stream = body.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) throw new WartaError('too_large', `body larger than ${max} bytes (decoded)`);
      chunks.push(chunk);
    }
  } finally {
    if (size > max) {
      body.destroy();
      decoder?.destroy();
    }
  }
  return Buffer.concat(chunks, size);
}

function classifyError(err: unknown, signal: AbortSignal, callerSignal: AbortSignal | undefined, limits: FetchLimits): WartaError {
  if (err instanceof WartaError) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof WartaError) return cause;
  if (callerSignal?.aborted) return new WartaError('aborted', 'fetch aborted (shutting down)', { cause: err });
  const e = err as { code?: string; name?: string; message?: string };
  if (signal.aborted || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new WartaError('timeout', `no complete answer within ${limits.timeoutMs / 1000} s`, { cause: err });
  }
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
    return new WartaError('dns', `host not found (${e.code})`, { cause: err });
  }
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' || e.code === 'ERR__ERROR') {
    return new WartaError('decode_error', `corrupt compressed body: ${e.message}`, { cause: err });
  }
  return new WartaError('network', `${e.code ?? e.name ?? 'error'}: ${e.message ?? String(err)}`, { cause: err });
}
