import type { ConfigProblem } from './load.js';
import type { Where } from './checks.js';

/** Whether a listen host only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/**
 * Access settings that are valid but probably not what the admin meant, as `warning:` problems (warta
 * check-config prints them; the daemon logs them at start). Reads the raw document defensively, like checks.ts.
 */
export function checkAccess(raw: Record<string, unknown>, where: Where): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const list = (v: unknown) => (Array.isArray(v) ? v.map(obj) : []);
  const warn = (path: (string | number)[], message: string) => warnings.push(where(path, `warning: ${message}`));

  const server = obj(raw.server);
  const listen = typeof server.listen === 'string' ? server.listen : '127.0.0.1:8080';
  const host = /^(\[[^\]]+\]|[^:]+):\d+$/.exec(listen)?.[1] ?? '';
  if (!isLoopbackHost(host) && server.admin_token === undefined) {
    warn(['server', 'listen'], `server.listen "${listen}" accepts other machines but server.admin_token is not set: /api/*, /metrics and source health answer only loopback clients (403 to others); set server.admin_token (e.g. "\${WARTA_ADMIN_TOKEN}") to reach them from elsewhere`);
  }

  const privateSources = new Set(list(raw.sources).filter((s) => s.private === true).map((s) => s.id));
  list(raw.outputs).forEach((o, i) => {
    const named = Array.isArray(o.sources) ? o.sources.filter((s): s is string => typeof s === 'string') : [];
    const id = typeof o.id === 'string' ? o.id : String(i);
    if (o.token !== undefined) {
      // A private output over no sources list draws from the public ones only: private sources must be named.
      if (!named.some((s) => privateSources.has(s))) {
        warn(['outputs', i, 'token'], `output "${id}" is private but draws only from public sources: it publishes nothing secret (name a source with private: true in its sources to keep that source's items off the public routes)`);
      }
    } else {
      named.forEach((s, j) => {
        if (privateSources.has(s)) warn(['outputs', i, 'sources', j], `output "${id}" is public, so the items of private source "${s}" are left out of it (give the output a token to publish them)`);
      });
    }
  });
  return warnings;
}
