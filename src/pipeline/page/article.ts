/**
 * One article from its URL: fetch the page, read it, and follow its own pagination — an "all pages" view when it
 * offers one, else next-page links — up to MAX_PAGES pages of the same site. The fetch comes in as a function, so
 * the refresh pipeline and `warta extract` share this with their own limits, and tests hand in a real server. The
 * reading of each page is the reader's (reader-pool.ts: worker threads with a time and memory limit).
 */
import { WartaError } from '../../base/errors.js';
import type { FetchResult } from '../fetch/fetch.js';
import { isHtmlType, notHtml } from './decode.js';
import type { ExtractOptions, PageReading } from './index.js';
import { readInThread, type PageReader } from './reader.js';
import { sameSite } from './links.js';

/** An article's pages are followed up to this many (issue 12). */
export const MAX_PAGES = 10;

/** A page read from the network: the reading of its first page with the article text of every page followed. */
export interface FetchedArticle extends PageReading {
  /** The URL after redirects. */
  url: string;
  /** URLs of the pages read, the first one included. */
  pages: string[];
}

export type FetchPage = (url: string) => Promise<FetchResult>;

/**
 * Fetches and reads an article; an error when the first page cannot be fetched, decoded, read within the
 * reader's limits, or is not HTML. Without a reader, pages are read on this thread.
 */
export async function fetchArticle(fetchPage: FetchPage, url: string, options: ExtractOptions = {}, reader: PageReader = readInThread(), signal?: AbortSignal): Promise<{ ok: FetchedArticle } | { error: WartaError }> {
  const read: Read = (res) => reader.article(res.body, res.contentType, res.url, options, signal);
  const first = await fetchReading(fetchPage, url, read);
  if ('error' in first) return first;
  const article: FetchedArticle = { ...first.reading, url: first.url, pages: [first.url] };
  if (!article.isArticle) return { ok: article };

  const allPages = article.pagination.allPages;
  if (allPages && sameSite(allPages, first.url)) {
    const all = await fetchReading(fetchPage, allPages, read);
    if ('reading' in all && all.reading.text.length > article.text.length) {
      return { ok: { ...article, html: all.reading.html, text: all.reading.text, pages: [first.url, all.url] } };
    }
  }
  const seen = new Set([first.url, url]);
  for (let next = article.pagination.next; next && article.pages.length < MAX_PAGES; ) {
    if (seen.has(next) || !sameSite(next, first.url)) break;
    seen.add(next);
    const page = await fetchReading(fetchPage, next, read);
    // A later page that fails leaves the pages read so far: the article is still worth more than the feed's text.
    if ('error' in page || !page.reading.text) break;
    seen.add(page.url);
    article.pages.push(page.url);
    article.text = `${article.text}\n\n${page.reading.text}`;
    article.html = `${article.html}\n${page.reading.html}`;
    next = page.reading.pagination.next;
  }
  return { ok: article };
}

type Read = (res: FetchResult & { kind: 'ok' }) => Promise<PageReading>;

async function fetchReading(fetchPage: FetchPage, url: string, read: Read): Promise<{ url: string; reading: PageReading } | { error: WartaError }> {
  const res = await fetchPage(url);
  if (res.kind === 'error') return { error: res.error };
  if (res.kind === 'not_modified') return { error: notHtml(null) };
  if (!isHtmlType(res.contentType)) return { error: notHtml(res.contentType) };
  try {
    return { url: res.url, reading: await read(res) };
  } catch (err) {
    // The reader's own failures (decode_error, extract_timeout, too_large, aborted) are the page's outcome.
    if (err instanceof WartaError) return { error: err };
    throw err;
  }
}
