import { sanitizeHtml } from './sanitize.js';

/** Sanitizes HTML against a base URL; pure, so its results can be memoized. */
export type Sanitize = (html: string, baseUrl: string | null) => string;

/**
 * A memo of sanitized HTML, bounded by the characters it holds (oldest dropped first). 4 Mi characters hold the
 * ~1,000-2,000 items a typical catalogue publishes; at 64 Mi the daemon kept nearly every item it ever rendered
 * (memory growing with the store, not with what is published). Sanitizing runs at a few MB/s; without this, every cache miss of every feed format would sanitize every item again, and a refresh
 * touching many tags would block the event loop for seconds.
 */
export function makeSanitizeCache(maxChars = 4 * 1024 * 1024): Sanitize {
  const memo = new Map<string, string>();
  let chars = 0;
  return (html, baseUrl) => {
    const key = `${baseUrl ?? ''}\n${html}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const clean = sanitizeHtml(html, baseUrl);
    memo.set(key, clean);
    chars += key.length + clean.length;
    for (const [k, v] of memo) {
      if (chars <= maxChars) break;
      memo.delete(k);
      chars -= k.length + v.length;
    }
    return clean;
  };
}
