import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { WartaError } from '../base/errors.js';
import type { FeedFormat } from '../publish/index.js';
import { isNotModified } from './conditional.js';
import type { FeedRenderer, Rendered } from '../publish/catalogue.js';
import type { SourceStatus } from '../daemon/source-status.js';
import { routeLabel, type Metrics } from '../base/metrics.js';
import { INDEX_PAGE_CONTENT_TYPE, INDEX_PAGE_CSP } from './index-page.js';
import type { ApiResponse, ItemsApi } from './api-items.js';

/** What the HTTP server reads from. `feeds` is a function because a config reload replaces the renderer. */
export interface ServerDeps {
  feeds: () => FeedRenderer;
  /** Every configured source's status (GET /api/sources). */
  sources: () => Promise<SourceStatus[]>;
  /** GET /api/items and /api/items/{id}; a function because a reload replaces it. */
  items: () => ItemsApi;
  /** The HTML page at `/` (rendered per request: it shows live source health). */
  indexPage: () => Promise<string>;
  /** Prometheus metrics; requests are counted here too. */
  metrics: Metrics;
  /** Readiness: the database answers, a config is loaded, the event loop is not lagging. */
  ready: () => Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  log: Logger;
}

const FEED_PATH = /^\/(tags|feeds)\/([^/]+)\.(rss|atom|json)$/;

/** Builds the request handler (no socket: tests can call it through a real server on port 0). */
export function makeHandler(deps: ServerDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    let query: URLSearchParams;
    try {
      const url = new URL(req.url ?? '/', 'http://warta.invalid');
      path = url.pathname;
      query = url.searchParams;
    } catch {
      return sendError(res, 400, 'bad_request', 'malformed request target');
    }
    // Counted when the answer is complete, by route template (never the raw path: unbounded label values).
    res.on('finish', () => deps.metrics.httpRequests.inc({ route: routeLabel(path), status: String(res.statusCode) }));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, 'method_not_allowed', `${req.method} is not supported; use GET or HEAD`);
    }

    if (path === '/healthz') return sendJson(res, req, 200, { status: 'ok' });
    if (path === '/') {
      const body = Buffer.from(await deps.indexPage(), 'utf8');
      res.setHeader('Content-Type', INDEX_PAGE_CONTENT_TYPE);
      res.setHeader('Content-Security-Policy', INDEX_PAGE_CSP);
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Length', body.length);
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (path === '/metrics') {
      const m = await deps.metrics.render();
      res.setHeader('Content-Type', m.contentType);
      return void res.end(req.method === 'HEAD' ? undefined : m.body);
    }
    if (path === '/readyz') {
      const r = await deps.ready();
      return sendJson(res, req, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not_ready', ...r.checks });
    }
    if (path === '/opml') return sendDocument(req, res, deps.feeds().opml());
    if (path === '/api/sources') return sendJson(res, req, 200, await deps.sources());
    if (path === '/api/items') return sendApi(res, req, await deps.items().list(query));
    // The id is digits or nothing: no decoding, so a malformed %-escape is a 400, never an exception.
    if (path.startsWith('/api/items/')) return sendApi(res, req, await deps.items().one(path.slice('/api/items/'.length)));

    const m = FEED_PATH.exec(path);
    if (m) {
      const doc = await deps.feeds().render(`/${m[1]}/${m[2]}`, m[3] as FeedFormat, query.get('token'));
      if (doc) return sendDocument(req, res, doc);
    }
    sendError(res, 404, 'not_found', `no feed at ${path}`);
  };
}

/** Sends a cached document with validators, honouring conditional requests and gzip. */
function sendDocument(req: IncomingMessage, res: ServerResponse, doc: Rendered): void {
  res.setHeader('ETag', doc.etag);
  res.setHeader('Last-Modified', doc.lastModified.toUTCString());
  res.setHeader('Cache-Control', 'public, max-age=60');
  res.setHeader('Vary', 'Accept-Encoding');
  if (isNotModified(req.headers, doc.etag, doc.lastModified)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip ? doc.gzipped : doc.body;
  res.statusCode = 200;
  res.setHeader('Content-Type', doc.contentType);
  res.setHeader('Content-Length', body.length);
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.end(req.method === 'HEAD' ? undefined : body);
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

/** Starts listening; resolves once the socket is bound. */
export async function startServer(deps: ServerDeps, host: string, port: number): Promise<Server> {
  const handle = makeHandler(deps);
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16_384 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof WartaError && err.code === 'busy' && !res.headersSent) {
        // The store waits only briefly for a lock held by another process; a client may simply ask again.
        deps.log.warn({ url: req.url }, 'request answered 503: the database is locked by another process');
        res.setHeader('Retry-After', '1');
        return sendError(res, 503, 'busy', 'the database is locked by another process; retry shortly');
      }
      deps.log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'internal', 'internal error');
      else res.destroy();
    });
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
