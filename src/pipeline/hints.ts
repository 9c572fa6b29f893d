/** What a feed and its server say about how often to poll. */
export interface PollHints {
  /** From the feed: RSS <ttl>, sy:updatePeriod/updateFrequency (the longer wins). */
  feedMs: number | null;
  /** From the response: Cache-Control max-age or Expires. */
  cacheMs: number | null;
  /** RSS <skipHours> (GMT hours) and <skipDays> (English day names). */
  skipHours: readonly number[];
  skipDays: readonly string[];
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * The earliest time a cron tick may poll the source again: the hints widen the interval, but never below
 * `minMs` nor above `maxMs` (the admin's bounds), and the feed's skipHours/skipDays are stepped over.
 */
export function nextAllowedPoll(now: Date, hints: PollHints, bounds: { minMs: number; maxMs: number }): Date {
  const wanted = Math.max(hints.feedMs ?? 0, hints.cacheMs ?? 0);
  const interval = Math.min(Math.max(wanted, bounds.minMs), bounds.maxMs);
  const limit = now.getTime() + bounds.maxMs;
  let t = now.getTime() + interval;
  const skipHours = new Set(hints.skipHours);
  const skipDays = new Set(hints.skipDays.map((d) => d.trim().toLowerCase()));
  if (skipHours.size >= 24 || skipDays.size >= 7) return new Date(t); // a feed that skips everything is ignored
  for (let i = 0; i < 24 * 8 && t < limit; i++) {
    const d = new Date(t);
    if (!skipHours.has(d.getUTCHours()) && !skipDays.has(DAYS[d.getUTCDay()]!)) break;
    t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
  }
  return new Date(Math.min(t, limit));
}

/** Cache-Control max-age (RFC 9111 §5.2.2.1), else Expires minus Date, in ms; null when absent or unusable. */
export function cacheLifetimeMs(cacheControl: string | null, expires: string | null, date: string | null, now: Date): number | null {
  if (cacheControl) {
    if (/\bno-(cache|store)\b/i.test(cacheControl)) return null;
    const m = /\bmax-age\s*=\s*"?(\d+)/i.exec(cacheControl);
    if (m) return Number(m[1]) * 1000;
  }
  if (expires) {
    const e = Date.parse(expires);
    if (Number.isNaN(e)) return null;
    const base = date ? Date.parse(date) : NaN;
    const ms = e - (Number.isNaN(base) ? now.getTime() : base);
    return ms > 0 ? ms : null;
  }
  return null;
}
