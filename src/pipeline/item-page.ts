/**
 * One queued article page of a full_text source (issue 12), read top to bottom: fetch it (and its own
 * pagination) → read the article, its date and the publisher's keywords → classify the item on the article →
 * what the store writes onto the item, or why the page failed and whether to try again. The feed's text stays
 * on the item whatever happens here: a failure never touches it.
 */
import { WartaError } from '../base/errors.js';
import type { PageDone, PageJob } from '../store/store.js';
import type { Classifier } from '../tagging/classify.js';
import type { FetchResult } from './fetch/fetch.js';
import { fetchArticle } from './page/article.js';
import type { PageReader } from './page/reader.js';

/** A page is tried at most this many times: the first fetch and two retries (issue 12). */
export const PAGE_ATTEMPTS = 3;
/** Waits before the first and the second retry. */
export const PAGE_RETRY_MS = [2 * 60_000, 15 * 60_000] as const;

/** The source's page settings (config `sources[]`). */
export interface PageSource {
  id: string;
  url: string;
  contentSelector: string | null;
  remove: readonly string[];
  /** type: html: the item's title is a link's text, and the page's headline replaces it. */
  takeTitle?: boolean;
}

/** What reading a page needs from the outside world. */
export interface ItemPageDeps {
  /** Fetches one page of an article for a source (politeness, limits and the address rules are the caller's). */
  fetchPage: (url: string, source: PageSource) => Promise<FetchResult>;
  /** Reads the fetched pages (reader-pool.ts: off the event loop, within a time and memory limit); absent: on this thread. */
  reader?: PageReader;
  classifier: () => Classifier;
  now: () => Date;
  /** Shutting down: reads in progress stop with `aborted`. */
  signal?: AbortSignal;
}

/** What came of one page. */
export type ItemPageOutcome =
  | { kind: 'done'; done: PageDone; pages: number }
  | {
      kind: 'failed';
      error: { code: string; message: string };
      /** When to try again, or null: never (retries used up, or a failure a retry cannot mend). */
      retryAt: Date | null;
      /** A server's Retry-After: the caller pauses the host. */
      retryAfter: Date | null;
      url: string;
    };

/** Reads one queued page and decides what its item becomes. Never throws for what a page or server does. */
export async function readItemPage(deps: ItemPageDeps, source: PageSource, job: PageJob): Promise<ItemPageOutcome> {
  let retryAfter: Date | null = null;
  let lastUrl = job.url;
  const fetchPage = async (url: string) => {
    const res = await deps.fetchPage(url, source);
    lastUrl = res.url;
    if (res.kind === 'error' && res.retryAfter) retryAfter = res.retryAfter;
    return res;
  };
  const read = await fetchArticle(fetchPage, job.url, { contentSelector: source.contentSelector, remove: source.remove }, deps.reader, deps.signal);
  const fail = (error: WartaError, retryable: boolean): ItemPageOutcome => ({
    kind: 'failed',
    error: { code: error.code, message: error.message },
    retryAt: retryable ? retryTime(deps.now(), job.attempts, retryAfter) : null,
    retryAfter,
    url: lastUrl,
  });
  if ('error' in read) return fail(read.error, isRetryable(read.error.code));
  const a = read.ok;
  if (a.selectorEmpty) return fail(contentSelectorEmpty(source.contentSelector!, a.url), false);
  if (!a.isArticle || a.text.trim() === '') {
    return fail(new WartaError('no_article', `no article found on ${a.url}${a.isArticle ? '' : ' (it reads as a section page)'}`), false);
  }

  const keywords = a.keywords;
  const categories = mergeCategories(job.item.categories, keywords);
  // The feed's own text becomes the summary beside the article: its summary, else its content.
  const feedText = job.item.summary ?? job.item.content;
  const title = source.takeTitle && a.title ? a.title : null;
  const classified = deps.classifier().classify(
    { ...job.item, title: title ?? job.item.title, summary: feedText, content: a.html, categories, keywords },
    job.sourceId,
  );
  return {
    kind: 'done',
    pages: a.pages.length,
    done: {
      itemId: job.itemId,
      expectedHash: job.contentHash,
      now: deps.now(),
      publish: job.mode === 'full' ? { content: a.html, summary: feedText } : null,
      article: job.mode === 'tag_only' ? a.html : null,
      keywords,
      categories,
      // The feed's date stands when it gave one (issue 12: dates from the page only when the feed gave none).
      published: job.feedDated ? null : a.published,
      tags: classified.tags,
      outputs: classified.outputs,
      canonicalUrl: a.canonical,
      title,
    },
  };
}

/** The problem of a content_selector that matched nothing on a page (the source is degraded while it lasts). */
export function contentSelectorEmpty(selector: string, url: string): WartaError {
  return new WartaError('selector_empty', `content_selector "${selector}" matched nothing on ${url} (has the site changed its layout?)`);
}

// Worth another try: the server or the network may answer later. Not: the page itself is wrong for warta
// (not HTML, too large, a loop, a refused address, nothing to extract, too slow to read: extract_timeout).
function isRetryable(code: string): boolean {
  return code === 'timeout' || code === 'network' || code === 'dns' || code === 'rate_limited' || /^http_5\d\d$/.test(code);
}

/** When a failed page is tried again: after the backoff, or a longer Retry-After; null once the tries are used up. */
export function retryTime(now: Date, attempts: number, retryAfter: Date | null): Date | null {
  if (attempts + 1 >= PAGE_ATTEMPTS) return null;
  const backoff = now.getTime() + PAGE_RETRY_MS[Math.min(attempts, PAGE_RETRY_MS.length - 1)]!;
  return new Date(Math.max(backoff, retryAfter?.getTime() ?? 0));
}

/** The feed's categories with the publisher's keywords after them, each name once (compared without case). */
export function mergeCategories(categories: readonly string[], keywords: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of [...categories, ...keywords]) {
    const k = c.toLocaleLowerCase('id');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}
