import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { WartaError } from '../base/errors.js';
import type { FeedFormat } from '../publish/index.js';
import { isNotModified } from './conditional.js';
import { parseTarget } from './target.js';
import type { FeedRenderer, Rendered } from '../publish/catalogue.js';
import type { SourceStatus } from '../daemon/source-status.js';
import { routeLabel, type Metrics } from '../base/metrics.js';
import { INDEX_PAGE_CONTENT_TYPE, INDEX_PAGE_CSP } from './index-page.js';
import type { ApiResponse, ItemsApi } from './api-items.js';
import type { AdminAuth } from './admin.js';
import { makeRateLimiter, makeRenderGate, type RateLimitSettings } from './rate-limit.js';
import { keepTickShape } from './tick-shape.js';

// At import, before the daemon's first full GC (tick-shape.ts): every request's nextTicks stay on V8's fast path.
keepTickShape();

/** What the HTTP server reads from. `feeds` is a function because a config reload replaces the renderer. */
export interface ServerDeps {
  feeds: () => FeedRenderer;
  /** Every configured source's status, URLs and errors already redacted (GET /api/sources). */
  sources: () => Promise<SourceStatus[]>;
  /** GET /api/items and /api/items/{id}; a function because a reload replaces it. */
  items: () => ItemsApi;
  /** The HTML page at `/` (rendered per request); source health only for the admin, private things never for others. */
  indexPage: (admin: boolean) => Promise<string>;
  /** Who is the admin, and the public routes' limits; a function because a reload replaces them. */
  access: () => { auth: AdminAuth; rateLimit: RateLimitSettings };
  /** Prometheus metrics; requests are counted here too. */
  metrics: Metrics;
  /** Readiness: the database answers, a config is loaded, the event loop is not lagging. */
  ready: () => Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  log: Logger;
}

const FEED_PATH = /^\/(tags|feeds)\/([^/]+)\.(rss|atom|json)$/;

/**
 * Builds the request handler (no socket: tests can call it through a real server on port 0).
 *
 * Who may see what: /healthz, /readyz, feeds, /opml and the page are public (feeds and /opml never carry a
 * private source's items); /api/* and /metrics are the admin's (admin.ts). Public callers are rate-limited per
 * address and share a cap on renders in progress (rate-limit.ts); the admin is not limited.
 *
 * The handler is not an async function: what it answers from memory (a current cached feed above all) is answered
 * before it returns, with no promise made; it returns a promise only for what it has to wait for (a render, the
 * database), and that promise rejects when the answer failed. An async handler cost every cached feed two promises
 * and a microtask (BENCHMARKS.md, branch serve15b).
 */
export function makeHandler(deps: ServerDeps) {
  const limiter = makeRateLimiter(() => deps.access().rateLimit);
  const renders = makeRenderGate(() => deps.access().rateLimit.concurrentRenders);

  /** `work` under the cap on renders in progress (the admin is not capped); undefined once a full cap sent a 503. */
  async function underRenderCap<T>(res: ServerResponse, admin: boolean, work: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (!admin && !renders.enter()) return void sendBusy(res);
    try {
      return { value: await work() };
    } finally {
      if (!admin) renders.leave();
    }
  }

  async function sendIndexPage(req: IncomingMessage, res: ServerResponse, admin: boolean): Promise<void> {
    const page = await underRenderCap(res, admin, () => deps.indexPage(admin));
    if (!page) return;
    const body = Buffer.from(page.value, 'utf8');
    res.setHeader('Content-Type', INDEX_PAGE_CONTENT_TYPE);
    res.setHeader('Content-Security-Policy', INDEX_PAGE_CSP);
    // The admin's page shows source health: never kept by a shared cache.
    res.setHeader('Cache-Control', admin ? 'private, no-store' : 'no-cache');
    res.setHeader('Vary', 'Authorization, Cookie');
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function renderFeed(req: IncomingMessage, res: ServerResponse, path: string, feeds: FeedRenderer, feedPath: string, format: FeedFormat, token: string | null, admin: boolean): Promise<void> {
    const doc = await underRenderCap(res, admin, () => feeds.render(feedPath, format, token));
    if (!doc) return;
    if (doc.value) return sendDocument(req, res, doc.value);
    sendNoFeed(res, path);
  }

  return function handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const target = parseTarget(req.url ?? '/');
    if (target === null) return sendError(res, 400, 'bad_request', 'malformed request target');
    const { path, query } = target;
    // Counted when the answer is complete, by route template (never the raw path: unbounded label values).
    res.on('finish', () => deps.metrics.countRequest(routeLabel(path), res.statusCode));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, 'method_not_allowed', `${req.method} is not supported; use GET or HEAD`);
    }

    // Probes are never limited: an orchestrator restarting a rate-limited warta would make things worse.
    if (path === '/healthz') return sendJson(res, req, 200, { status: 'ok' });
    if (path === '/readyz') return deps.ready().then((r) => sendJson(res, req, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not_ready', ...r.checks }));

    const { auth } = deps.access();
    const caller = auth.identify(req, { cookie: path === '/' });
    if (!caller.admin) {
      const wait = limiter.take(caller.address);
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        return sendError(res, 429, 'rate_limited', `too many requests from this address; retry in ${wait} s`);
      }
    }
    if (path === '/metrics' || path === '/api' || path.startsWith('/api/')) {
      if (!caller.admin) return auth.tokenRequired ? sendUnauthorized(res) : sendForbidden(res);
    }

    if (path === '/') {
      const given = query().get('token');
      if (given !== null && auth.tokenRequired) {
        if (!auth.isToken(given)) return sendUnauthorized(res);
        // The browser keeps a cookie and drops the token from its address bar and history.
        res.statusCode = 303;
        res.setHeader('Set-Cookie', auth.cookie());
        res.setHeader('Location', './');
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Referrer-Policy', 'no-referrer');
        return void res.end();
      }
      if (caller.wrongToken) return sendUnauthorized(res);
      return sendIndexPage(req, res, caller.admin);
    }
    if (path === '/metrics') {
      return deps.metrics.render().then((m) => {
        res.setHeader('Content-Type', m.contentType);
        res.end(req.method === 'HEAD' ? undefined : m.body);
      });
    }
    if (path === '/opml') return sendDocument(req, res, deps.feeds().opml());
    if (path === '/api/sources') return deps.sources().then((v) => sendJson(res, req, 200, v));
    if (path === '/api/tags') return deps.feeds().tags().then((tags) => sendJson(res, req, 200, { tags }));
    if (path === '/api/items') return deps.items().list(query()).then((r) => sendApi(res, req, r));
    if (path === '/api/clusters') return deps.items().clusters(query()).then((r) => sendApi(res, req, r));
    // The id is digits or nothing: no decoding, so a malformed %-escape is a 400, never an exception.
    if (path.startsWith('/api/items/')) return deps.items().one(path.slice('/api/items/'.length)).then((r) => sendApi(res, req, r));

    const m = FEED_PATH.exec(path);
    if (m) {
      const feeds = deps.feeds();
      const feedPath = `/${m[1]}/${m[2]}`;
      const token = target.hasQuery ? query().get('token') : null;
      // A current cached document is sent at once: no render, so no place taken under the render cap.
      const cached = feeds.cached(feedPath, m[3] as FeedFormat, token);
      if (cached !== undefined) return sendDocument(req, res, cached);
      return renderFeed(req, res, path, feeds, feedPath, m[3] as FeedFormat, token, caller.admin);
    }
    sendNoFeed(res, path);
  };
}

/** The 404 of a path that is no route, and of a feed path that names no output or tag: one answer for both. */
function sendNoFeed(res: ServerResponse, path: string): void {
  sendError(res, 404, 'not_found', `no feed at ${path}`);
}

/** A document's response headers, built once per render rather than once per request. */
interface DocumentHeaders {
  notModified: string[];
  identity: string[];
  gzip: string[];
}
const documentHeaders = new WeakMap<Rendered, DocumentHeaders>();

function headersOf(doc: Rendered): DocumentHeaders {
  let h = documentHeaders.get(doc);
  if (h === undefined) {
    // A 304 carries the validators and caching headers a 200 would (RFC 9110 §15.4.5), Vary included. A stale
    // copy (the database unreachable) says so in a Warning (110, RFC 7234 §5.5.1) and is not to be kept by caches.
    const caching = doc.stale === undefined ? ['Cache-Control', 'public, max-age=60'] : ['Cache-Control', 'no-cache', 'Warning', `110 warta "Response is Stale: ${quotable(doc.stale)}"`];
    const common = ['ETag', doc.etag, 'Last-Modified', doc.lastModified.toUTCString(), ...caching, 'Vary', 'Accept-Encoding'];
    h = {
      notModified: common,
      identity: [...common, 'Content-Type', doc.contentType, 'Content-Length', String(doc.body.length)],
      gzip: [...common, 'Content-Type', doc.contentType, 'Content-Length', String(doc.gzipped.length), 'Content-Encoding', 'gzip'],
    };
    documentHeaders.set(doc, h);
  }
  return h;
}

/** Text fit for a quoted header value: printable ASCII without quotes or backslashes, at most 200 characters. */
const quotable = (text: string) => text.replace(/[^\x20-\x7e]|["\\]/g, ' ').slice(0, 200);

/** Sends a cached document with validators, honouring conditional requests and gzip. */
function sendDocument(req: IncomingMessage, res: ServerResponse, doc: Rendered): void {
  const headers = headersOf(doc);
  if (isNotModified(req.headers, doc.etag, doc.lastModified)) {
    res.writeHead(304, headers.notModified);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  res.writeHead(200, gzip ? headers.gzip : headers.identity);
  res.end(req.method === 'HEAD' ? undefined : gzip ? doc.gzipped : doc.body);
}

function sendJson(res: ServerResponse, req: IncomingMessage, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendApi(res: ServerResponse, req: IncomingMessage, r: ApiResponse): void {
  sendJson(res, req, r.status, r.body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = Buffer.from(JSON.stringify({ error: { code, message } }));
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/** 401 with no detail: which part of a credential was wrong is nobody's business. */
function sendUnauthorized(res: ServerResponse): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="warta"');
  sendError(res, 401, 'unauthorized', 'unauthorized');
}

function sendForbidden(res: ServerResponse): void {
  sendError(res, 403, 'forbidden', 'admin routes answer only clients on this machine; set server.admin_token and send "Authorization: Bearer <token>"');
}

function sendBusy(res: ServerResponse): void {
  res.setHeader('Retry-After', '1');
  sendError(res, 429, 'rate_limited', 'too many feeds being rendered at once; retry in 1 s');
}

/** Starts listening; resolves once the socket is bound. */
export async function startServer(deps: ServerDeps, host: string, port: number): Promise<Server> {
  const handle = makeHandler(deps);
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16_384 }, (req, res) => {
    const fail = (err: unknown) => {
      if (err instanceof WartaError && err.code === 'busy' && !res.headersSent) {
        // The store waits only briefly for a lock held by another process; a client may simply ask again.
        deps.log.warn({ url: req.url }, 'request answered 503: the database is locked by another process');
        res.setHeader('Retry-After', '1');
        return sendError(res, 503, 'busy', 'the database is locked by another process; retry shortly');
      }
      if (err instanceof WartaError && err.code === 'storage' && !res.headersSent) {
        // The database is unreachable and there was nothing rendered before to serve instead (/readyz says so).
        deps.log.warn({ url: req.url, err }, 'request answered 503: the database is unreachable');
        res.setHeader('Retry-After', '5');
        return sendError(res, 503, 'storage', 'the database is unreachable; retry shortly');
      }
      deps.log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'internal', 'internal error');
      else res.destroy();
    };
    let pending: Promise<void> | void;
    try {
      pending = handle(req, res);
    } catch (err) {
      return fail(err);
    }
    pending?.catch(fail);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Stops accepting connections and closes idle keep-alive sockets; in-flight responses finish. */
export async function stopServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Requests are answered from memory in microseconds; anything still open after a second is a stuck client.
  const timer = setTimeout(() => server.closeAllConnections(), 1000);
  await closed;
  clearTimeout(timer);
}
