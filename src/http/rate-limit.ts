/**
 * Limits on the public routes, so one client cannot starve the readers: a token bucket per client address
 * (IPv6 by /64, which one host usually owns whole) and a cap on renders in progress. Written here rather than
 * taken from a library: the common ones are Express/Fastify middleware, and this is forty lines over a Map.
 */

/** Settings (Config.server.rateLimit). */
export interface RateLimitSettings {
  /** Refill rate; 0 turns the per-client limit off. */
  perMinute: number;
  /** Bucket size: requests a client may make at once. */
  burst: number;
  concurrentRenders: number;
}

// Past this many tracked clients, buckets that have refilled (idle clients) are dropped.
const SWEEP_AT = 10_000;

/** Per-client token buckets. `now` is monotonic milliseconds. */
export function makeRateLimiter(settings: () => RateLimitSettings, now: () => number = () => performance.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>();

  const refill = (b: { tokens: number; at: number }, t: number, s: RateLimitSettings) => {
    b.tokens = Math.min(s.burst, b.tokens + ((t - b.at) * s.perMinute) / 60_000);
    b.at = t;
  };

  return {
    /** Takes one request from `address`'s bucket: 0 when allowed, else the seconds until one is (Retry-After). */
    take(address: string): number {
      const s = settings();
      if (s.perMinute === 0) return 0;
      const t = now();
      const key = clientKey(address);
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size >= SWEEP_AT) sweep(t, s);
        b = { tokens: s.burst, at: t };
        buckets.set(key, b);
      } else refill(b, t, s);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil(((1 - b.tokens) * 60) / s.perMinute));
    },
    /** Clients tracked (for tests). */
    size: () => buckets.size,
  };

  function sweep(t: number, s: RateLimitSettings) {
    for (const [k, b] of buckets) {
      refill(b, t, s);
      if (b.tokens >= s.burst) buckets.delete(k);
    }
  }
}

/** The key a client is counted by: its IPv4 address, or its IPv6 /64. */
export function clientKey(address: string): string {
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`;
}

/**
 * A cap on renders in progress: `enter` answers false at once when `max` are already running, so a client past
 * the cap gets a 429 instead of queueing behind the others; every true `enter` is paired with one `leave`
 * (in a finally). Renders are synchronous today (one at a time on the event loop); the cap matters once the
 * store answers asynchronously and renders overlap.
 */
export function makeRenderGate(max: () => number) {
  let active = 0;
  return {
    enter(): boolean {
      if (active >= max()) return false;
      active++;
      return true;
    },
    leave(): void {
      active = Math.max(0, active - 1);
    },
    active: () => active,
  };
}
