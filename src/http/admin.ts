/**
 * Who is the admin. With `server.admin_token` set: a request carrying `Authorization: Bearer <token>` (or, on the
 * page, the `warta_admin` cookie a `/?token=` visit sets). Without it: a loopback client, unless the request came
 * through a proxy (it carries Forwarded / X-Forwarded-For), since a reverse proxy on this machine would otherwise
 * make every visitor loopback.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** The cookie a `/?token=` visit sets so a browser can see the admin page. */
export const ADMIN_COOKIE = 'warta_admin';
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;

/** What a request proves about its sender. */
export interface Caller {
  admin: boolean;
  /** A credential was presented and is wrong (401), as opposed to absent. */
  wrongToken: boolean;
  /** The client address rate limits are counted by. */
  address: string;
}

/** The admin check for one config. */
export interface AdminAuth {
  /** Whether an admin token is configured (else: loopback clients are the admin). */
  readonly tokenRequired: boolean;
  /** Identifies the caller; `cookie` says whether the warta_admin cookie counts (only the page accepts it). */
  identify(req: IncomingMessage, opts?: { cookie?: boolean }): Caller;
  /** Whether `token` is the admin token (false when none is configured). */
  isToken(token: string): boolean;
  /** The Set-Cookie header value for a browser that presented the right token. */
  cookie(): string;
}

/**
 * The admin check. `remoteForTests` are loopback addresses treated as remote, so tests on one machine can play
 * a client from elsewhere (env WARTA_TEST_REMOTE_ADDRESSES, test-only: it can only take admin rights away).
 */
export function makeAdminAuth(opts: { token: string | null; secureCookie: boolean; remoteForTests?: ReadonlySet<string>; trustedProxies?: readonly string[] }): AdminAuth {
  const { token } = opts;
  const proxies = trustedProxyList(opts.trustedProxies ?? []);
  const remoteForTests = opts.remoteForTests ?? new Set<string>();
  // The cookie carries a value derived from the token, never the token: a leaked cookie does not give the
  // bearer token, and a new token ends every cookie issued for the old one.
  const cookieValue = token === null ? null : createHmac('sha256', token).update('warta_admin cookie v1').digest('base64url');

  const isToken = (given: string) => token !== null && sameSecret(given, token);

  return {
    tokenRequired: token !== null,
    isToken,
    identify(req, { cookie = false } = {}) {
      const peer = clientAddress(req);
      // Rate limits count the client a trusted proxy names; admin rights never come from a header.
      const address = proxies === null ? peer : forwardedClient(req, peer, proxies);
      const auth = req.headers.authorization;
      if (token === null) {
        const proxied = req.headers.forwarded !== undefined || req.headers['x-forwarded-for'] !== undefined || req.headers['x-real-ip'] !== undefined;
        return { admin: isLoopbackAddress(peer) && !remoteForTests.has(peer) && !proxied, wrongToken: false, address };
      }
      // Only a Bearer credential is warta's: a proxy in front may add its own Basic auth, which must not make
      // the public page answer 401.
      if (auth !== undefined && /^Bearer\b/i.test(auth)) {
        const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
        const ok = m !== null && isToken(m[1]!);
        return { admin: ok, wrongToken: !ok, address };
      }
      if (cookie && cookieValue !== null) {
        const given = readCookie(req.headers.cookie, ADMIN_COOKIE);
        // A stale cookie (the token changed) is no credential: the browser gets the public page.
        if (given !== null && sameSecret(given, cookieValue)) return { admin: true, wrongToken: false, address };
      }
      return { admin: false, wrongToken: false, address };
    },
    cookie() {
      return `${ADMIN_COOKIE}=${cookieValue}; Path=/; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Strict${opts.secureCookie ? '; Secure' : ''}`;
    },
  };
}

/** The peer's address, IPv4-mapped IPv6 written as IPv4. */
export function clientAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** A BlockList of `server.trusted_proxies` (validated by the config schema), or null when none. */
export function trustedProxyList(entries: readonly string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const e of entries) {
    const [addr, prefix] = e.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  return list;
}

const isTrusted = (list: BlockList, address: string) => {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
};

/**
 * The client behind trusted proxies: walking X-Forwarded-For (or Forwarded's `for=`, or X-Real-IP) from the
 * right, the first address that is not itself a trusted proxy. A peer that is not a trusted proxy is the client
 * whatever it sends (anyone can write these headers); an unreadable entry stops the walk at the last proxy.
 */
export function forwardedClient(req: IncomingMessage, peer: string, proxies: BlockList): string {
  if (!isTrusted(proxies, peer)) return peer;
  const hops = forwardedHops(req);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break;
    client = hop.startsWith('::ffff:') && hop.includes('.') ? hop.slice(7) : hop;
    if (!isTrusted(proxies, client)) break;
  }
  return client;
}

/** The addresses a request's forwarding headers list, client first. */
function forwardedHops(req: IncomingMessage): string[] {
  const xff = req.headers['x-forwarded-for'];
  if (xff !== undefined) return (Array.isArray(xff) ? xff.join(',') : xff).split(',').map((s) => s.trim());
  const fwd = req.headers.forwarded;
  if (fwd !== undefined) {
    // Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]:4711" (RFC 7239)
    return fwd.split(',').map((element) => {
      const pair = element.split(';').map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('for='));
      let v = pair ? pair.slice(4).trim().replace(/^"|"$/g, '') : '';
      if (v.startsWith('[')) v = v.slice(1, v.indexOf(']'));
      else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
      return v;
    });
  }
  const real = req.headers['x-real-ip'];
  return typeof real === 'string' ? [real.trim()] : [];
}

/** 127.0.0.0/8 or ::1. */
export function isLoopbackAddress(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1';
}

/** Compares secrets in time independent of where they differ (hashing first equalizes the lengths). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
