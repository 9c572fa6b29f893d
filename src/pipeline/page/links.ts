/**
 * Links a page offers beyond its article: the next page of a paginated article, and — on a section or listing
 * page — the article links of the same site.
 */
import { getDomain } from 'tldts';
import { absoluteHttpUrl } from './canonical.js';
import type { PageDocument, PageElement } from './dom.js';

export const NEXT_TEXT = /^\s*(?:selanjutnya|berikutnya|halaman\s+(?:selanjutnya|berikutnya)|next(?:\s+page)?|lanjut|›|»|>)\s*[›»>]?\s*$/i;
export const ALL_PAGES_TEXT = /^\s*(?:tampilkan\s+semua|lihat\s+semua\s+halaman|baca\s+(?:dalam\s+)?satu\s+halaman|show\s+all|single\s+page|semua\s+halaman)\b/i;
const PAGINATION_BOX = /pag(?:e|ing|ination)|halaman|nav-?page/i;

/** The pagination of an article: an "all pages" view when offered, else the next page. Same site only. */
export interface Pagination {
  next: string | null;
  allPages: string | null;
}

/** Finds the article's next page (`<link rel=next>`, `a[rel=next]`, "Selanjutnya" in a pagination box) on the same site. */
export function findPagination(doc: PageDocument, pageUrl: string): Pagination {
  const same = (href: string | null | undefined) => {
    const url = absoluteHttpUrl(href, pageUrl);
    return url !== null && sameSite(url, pageUrl) && stripHash(url) !== stripHash(pageUrl) ? url : null;
  };
  let allPages: string | null = null;
  let next: string | null = null;
  for (const l of doc.querySelectorAll('link[rel][href], a[rel][href]')) {
    if (/(?:^|\s)next(?:\s|$)/i.test(l.getAttribute('rel') ?? '')) {
      next = same(l.getAttribute('href'));
      if (next) break;
    }
  }
  for (const a of doc.querySelectorAll('a[href]')) {
    const text = (a.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (!allPages && ALL_PAGES_TEXT.test(text)) allPages = same(a.getAttribute('href'));
    if (!next && NEXT_TEXT.test(text) && inPagination(a)) next = same(a.getAttribute('href'));
  }
  return { next, allPages };
}

function inPagination(a: PageElement): boolean {
  let el: PageElement | null = a.parentElement;
  for (let i = 0; el && i < 4; i++, el = el.parentElement) {
    if (PAGINATION_BOX.test(`${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`)) return true;
  }
  return false;
}

// Paths of sections, tags and site pages, never articles.
const NOT_ARTICLE_PATH = /^\/(?:$|tag|tags|topik|topic|kanal|indeks|index|search|cari|kategori|category|author|penulis|reporter|about|tentang|kontak|contact|redaksi|pedoman|privacy|kebijakan|karir|iklan|login|register|video\/?$|foto\/?$)(?:[/?#.]|$)/i;

/**
 * Whether a URL looks like an article of a news site: a numeric id of 5+ digits, a date in the path, or a slug of
 * four words or more — and not a section, tag or site page.
 */
export function looksLikeArticleUrl(url: URL): boolean {
  const path = url.pathname;
  if (NOT_ARTICLE_PATH.test(path)) return false;
  if (/\/\d{5,}(?:[/\-_.]|$)/.test(path) || /\/20\d{2}\/\d{1,2}\/\d{1,2}\//.test(path)) return true;
  const last = path.split('/').filter(Boolean).at(-1) ?? '';
  return last.split(/[-_]/).filter((w) => /[a-z]/i.test(w)).length >= 4;
}

/** Article links of the same site on a page, in page order, without duplicates and without the page itself. */
export function findArticleLinks(doc: PageDocument, pageUrl: string, limit = 200): string[] {
  const out: string[] = [];
  const seen = new Set<string>([stripHash(pageUrl)]);
  const host = new URL(pageUrl).hostname;
  const site = getDomain(host);
  for (const a of doc.querySelectorAll('a[href]')) {
    const abs = absoluteHttpUrl(a.getAttribute('href'), pageUrl);
    if (abs === null) continue;
    const url = new URL(abs);
    url.hash = '';
    if (seen.has(url.href) || !looksLikeArticleUrl(url)) continue;
    if (url.hostname !== host && (site === null || getDomain(url.hostname) !== site)) continue;
    seen.add(url.href);
    out.push(url.href);
    if (out.length >= limit) break;
  }
  return out;
}

/** Same registrable domain (a.example.com and b.example.com are one site); IP hosts must match exactly. */
export function sameSite(a: string, b: string): boolean {
  const ha = new URL(a).hostname;
  const hb = new URL(b).hostname;
  if (ha === hb) return true;
  const da = getDomain(ha);
  return da !== null && da === getDomain(hb);
}

function stripHash(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}
