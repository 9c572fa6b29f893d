import type { Config } from '../config/load.js';
import { makeAdminAuth, type AdminAuth } from './admin.js';
import type { RateLimitSettings } from './rate-limit.js';

/** Who is the admin and how public callers are limited, for one config (the server's `access` dependency). */
export function makeAccess(config: Config, env: NodeJS.ProcessEnv): { auth: AdminAuth; rateLimit: RateLimitSettings } {
  // Test-only: loopback addresses (127.0.0.0/8) that count as another machine, so the integration tests can be
  // a remote client without leaving this host. It can only take admin rights away, never grant them.
  const remoteForTests = new Set((env.WARTA_TEST_REMOTE_ADDRESSES ?? '').split(',').map((a) => a.trim()).filter((a) => a.startsWith('127.')));
  return {
    auth: makeAdminAuth({ token: config.server.adminToken, secureCookie: config.server.baseUrl.startsWith('https:'), remoteForTests, trustedProxies: config.server.trustedProxies }),
    rateLimit: config.server.rateLimit,
  };
}
