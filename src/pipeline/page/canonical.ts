/** The page's own name for itself: `<link rel="canonical">`, else `og:url`, absolute and http(s) only. */
import type { PageDocument } from './dom.js';

/** The canonical URL of a page resolved against `pageUrl`; null when absent, unreadable or not http(s). */
export function findCanonical(doc: PageDocument, pageUrl: string): string | null {
  const candidates = [
    ...[...doc.querySelectorAll('link[rel][href]')].filter((l) => /(?:^|\s)canonical(?:\s|$)/i.test(l.getAttribute('rel') ?? '')).map((l) => l.getAttribute('href')),
    ...[...doc.querySelectorAll('meta[property="og:url"], meta[name="og:url"]')].map((m) => m.getAttribute('content')),
  ];
  for (const href of candidates) {
    const url = absoluteHttpUrl(href, pageUrl);
    if (url !== null) return url;
  }
  return null;
}

/** `href` resolved against `base`, when it is http(s); null otherwise. */
export function absoluteHttpUrl(href: string | null | undefined, base: string): string | null {
  const value = href?.trim();
  if (!value) return null;
  try {
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
