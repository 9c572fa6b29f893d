/**
 * One fetched page → what warta would store: title, canonical URL, published date, the publisher's keywords, the
 * article (HTML and plain text) or, for a section page, its article links, and the next page of the article.
 * Pure: HTML and its URL in, plain values out. Metadata is read before the page is cleaned, since the keyword
 * block and date line are among the parts the cleaning removes.
 */
import { findCanonical } from './canonical.js';
import { findPublished } from './dates.js';
import { parsePage, readJsonLd, type PageDocument } from './dom.js';
import { extractArticle, type ExtractOptions } from './extract.js';
import { findKeywords } from './keywords.js';
import { findPagination, type Pagination } from './links.js';

export type { ExtractOptions } from './extract.js';
export { parseDateLine, choosePublished } from './dates.js';

/** What warta reads from one page. */
export interface PageReading {
  title: string | null;
  canonical: string | null;
  published: Date | null;
  keywords: string[];
  /** Article HTML, unsanitized; '' for a listing page or when nothing was found. */
  html: string;
  /** Article text, paragraphs separated by blank lines; '' for a listing page. */
  text: string;
  isArticle: boolean;
  /** Article links of the same site, for a listing page; [] for an article. */
  links: string[];
  pagination: Pagination;
  /** A configured content selector matched nothing (the site changed its layout). */
  selectorEmpty: boolean;
}

/** Reads a page: metadata first, then the article or the listing. */
export function readPage(html: string, pageUrl: string, options: ExtractOptions = {}): PageReading {
  const jsonLd = readJsonLd(html);
  // An admin's content selector may name any part of the page: nothing is cut before it is looked up.
  const doc = parsePage(html, !options.contentSelector);
  const title = findTitle(doc);
  const meta = {
    title,
    canonical: findCanonical(doc, pageUrl),
    published: findPublished(doc, jsonLd),
    keywords: findKeywords(doc, jsonLd, title),
    pagination: findPagination(doc, pageUrl),
  };
  const declared = declaredType(doc, jsonLd);
  // A page that says it is an article lists nothing: its links are not collected.
  const article = extractArticle(doc, pageUrl, { ...options, collectLinks: declared !== true });
  const isArticle = declared ?? looksLikeArticle(article.text);
  return {
    ...meta,
    // A listing's own date and keywords describe the section, not the articles it lists.
    published: isArticle ? meta.published : null,
    keywords: isArticle ? meta.keywords : [],
    html: isArticle ? article.html : '',
    text: isArticle ? article.text : '',
    isArticle,
    links: isArticle ? [] : article.links,
    selectorEmpty: article.selectorEmpty,
  };
}

// og:title is the headline without the site's suffix; <title> usually carries " - Site | Kanal".
function findTitle(doc: PageDocument): string | null {
  const og = doc.querySelector('meta[property="og:title"], meta[name="og:title"], meta[name="twitter:title"]')?.getAttribute('content')?.trim();
  if (og) return og;
  const h1 = doc.querySelector('article h1, h1')?.textContent?.replace(/\s+/g, ' ').trim();
  if (h1) return h1;
  const t = doc.querySelector('title')?.textContent?.replace(/\s+/g, ' ').trim();
  return t ? t.split(/\s+[|–—-]\s+/)[0]! : null;
}

const ARTICLE_TYPES = /^(?:NewsArticle|Article|ReportageNewsArticle|AnalysisNewsArticle|OpinionNewsArticle|BlogPosting|Report)$/;
const LISTING_TYPES = /^(?:CollectionPage|ItemList|SearchResultsPage)$/;

/** What the page says it is: an article (og:type article, JSON-LD NewsArticle), a listing, or undeclared (null). */
function declaredType(doc: PageDocument, jsonLd: unknown[]): boolean | null {
  const types: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 4 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, depth + 1));
    const t = (node as Record<string, unknown>)['@type'];
    for (const x of Array.isArray(t) ? t : [t]) if (typeof x === 'string') types.push(x);
    visit((node as Record<string, unknown>)['@graph'], depth + 1);
  };
  jsonLd.forEach((n) => visit(n, 0));
  if (types.some((t) => ARTICLE_TYPES.test(t))) return true;
  const og = doc.querySelector('meta[property="og:type"]')?.getAttribute('content')?.trim().toLowerCase();
  if (og === 'article') return true;
  if (types.some((t) => LISTING_TYPES.test(t))) return false;
  return null;
}

// Undeclared pages: an article has several real paragraphs; a listing has headlines and one-line teasers.
function looksLikeArticle(text: string): boolean {
  const long = text.split('\n\n').filter((p) => p.length >= 200).length;
  return long >= 3 && text.length >= 800;
}
