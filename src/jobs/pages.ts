/**
 * The article page queue (issue 12): pages of full_text sources' items, queued in the store by the refresh that
 * wrote the items, fetched at most `fetch.page_concurrency` at a time through the host gate (behind feed polls),
 * each read into what its item becomes (pipeline/item-page.ts). Runs beside the scheduler and never inside a
 * refresh, so a slow or failing page never holds a feed's refresh back. The queue lives in the store: a restart
 * loses nothing, and a page a dead process had claimed is claimed again when its lease ends.
 */
import type { Logger } from 'pino';
import { errorCodeLabel } from '../base/metric-labels.js';
import type { Metrics } from '../base/metrics.js';
import { coerceError, WartaError } from '../base/errors.js';
import type { Config } from '../config/load.js';
import type { FetchResult } from '../pipeline/fetch/fetch.js';
import { readItemPage, type PageSource } from '../pipeline/item-page.js';
import { isContentSelectorProblem } from '../pipeline/selector-problem.js';
import type { PageReader } from '../pipeline/page/reader.js';
import { PAGE_PRIORITY, type HostGate } from '../schedule/host-gate.js';
import type { PageJob, Store } from '../store/store.js';
import type { Classifier } from '../tagging/classify.js';

/** Turning full_text on fills the source's items first seen in this many days (issue 12). */
export const BACKFILL_DAYS = 7;
// A claimed page is someone's for this long: past every fetch deadline (pagination included) of one page.
const LEASE_MS = 10 * 60_000;
// Looks for due pages at least this often while idle (retries come due; another process may queue pages).
const IDLE_POLL_MS = 60_000;

/** What the page queue needs, passed in. */
export interface PageQueueDeps {
  store: Store;
  config: () => Config;
  fetchPage: (url: string, sourceUrl: string, signal?: AbortSignal) => Promise<FetchResult>;
  /** Reads fetched pages off the event loop (the runtime's reader pool). */
  reader: PageReader;
  classifier: () => Classifier;
  /** Politeness shared with feed polls; absent: pages are fetched without it (tests of the queue alone). */
  gate?: HostGate;
  now: () => Date;
  log: Logger;
  metrics?: Metrics;
  signal: AbortSignal;
}

/** Starts the queue; wake() after a refresh queued pages, idle() to wait until nothing is due (warta fetch). */
export function makePageQueue(deps: PageQueueDeps) {
  const { store, log, signal } = deps;
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | null = null;
  let pumping: Promise<void> | null = null;
  let again = false;
  let idleWaiters: (() => void)[] = [];

  const concurrency = () => deps.config().fetch.pageConcurrency;

  function wake(): void {
    if (signal.aborted) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = pump()
      .catch((err: unknown) => {
        if (!signal.aborted) log.error({ err }, 'page queue failed; trying again on the next wake');
      })
      .finally(() => {
        pumping = null;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  // Claims what is due into the free slots; when nothing is due, sleeps until the next page is.
  async function pump(): Promise<void> {
    while (!signal.aborted) {
      const free = concurrency() - running.size;
      if (free <= 0) return;
      const now = deps.now();
      const jobs = await store.pages.claim(now, free, new Date(now.getTime() + LEASE_MS), { signal });
      for (const job of jobs) {
        const p = process(job).finally(() => {
          running.delete(p);
          wake();
        });
        running.add(p);
      }
      if (jobs.length < free) break;
    }
    if (signal.aborted) return;
    const next = await store.pages.nextDue();
    if (running.size === 0 && (next === null || next > deps.now())) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
    if (timer) clearTimeout(timer);
    const wait = next === null ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, Math.max(50, next.getTime() - deps.now().getTime()));
    timer = setTimeout(wake, wait);
    timer.unref();
  }

  async function process(job: PageJob): Promise<void> {
    const source = deps.config().sources.find((s) => s.id === job.sourceId);
    try {
      if (!source?.fullText) {
        await store.pages.fail({ itemId: job.itemId, now: deps.now(), error: { code: 'no_article', message: 'full_text is off for this source now' }, retryAt: null }, { signal });
        return;
      }
      const pageSource: PageSource = { id: source.id, url: source.url, contentSelector: source.contentSelector, remove: source.remove, takeTitle: source.type === 'html' };
      const fetchPage = (url: string) => {
        const fetch = () => deps.fetchPage(url, source.url, signal);
        return deps.gate ? deps.gate.run(url, fetch, { priority: PAGE_PRIORITY }) : fetch();
      };
      const started = performance.now();
      const outcome = await readItemPage({ fetchPage, reader: deps.reader, classifier: deps.classifier, now: deps.now, signal }, pageSource, job);
      const seconds = (performance.now() - started) / 1000;
      if (outcome.kind === 'done') {
        const written = await store.pages.complete(outcome.done, { signal });
        deps.metrics?.pages.inc({ source: source.id, outcome: written ? 'done' : 'stale' });
        deps.metrics?.pageDuration.observe({ source: source.id }, seconds);
        // The content_selector matched on this page: a source degraded for it matching nothing is ok again.
        if (source.contentSelector) await clearSelectorProblem(source.id);
        log.debug({ source: source.id, item: job.itemId, url: job.url, pages: outcome.pages, written }, 'article page read');
        return;
      }
      if (outcome.error.code === 'aborted') return; // shutting down: the lease ends and the page is claimed again
      if (outcome.retryAfter) deps.gate?.pause(outcome.url, outcome.retryAfter);
      await store.pages.fail({ itemId: job.itemId, now: deps.now(), error: outcome.error, retryAt: outcome.retryAt }, { signal });
      deps.metrics?.pages.inc({ source: source.id, outcome: outcome.retryAt ? 'retry' : 'failed' });
      deps.metrics?.pageErrors.inc({ source: source.id, code: errorCodeLabel(outcome.error.code) });
      if (outcome.error.code === 'selector_empty') await store.sources.markDegraded(source.id, outcome.error, { signal });
      log.warn({ source: source.id, item: job.itemId, url: job.url, error: outcome.error, retry_at: outcome.retryAt }, `article page failed, the feed's text stays: ${outcome.error.message}`);
    } catch (err) {
      if (signal.aborted) return;
      // A page that crashes the reader, or a store that refuses the write: recorded when possible, never thrown.
      const error = err instanceof WartaError ? err : new WartaError('parse_error', `reading the page failed: ${coerceError(err).message}`, { cause: err });
      log.error({ source: job.sourceId, item: job.itemId, url: job.url, err }, 'article page could not be processed');
      await store.pages.fail({ itemId: job.itemId, now: deps.now(), error: { code: error.code, message: error.message }, retryAt: null }, { signal }).catch(() => {});
    }
  }

  async function clearSelectorProblem(sourceId: string): Promise<void> {
    const row = await store.sources.get(sourceId);
    if (row?.state !== 'degraded' || row.lastErrorCode === null) return;
    const error = { code: row.lastErrorCode, message: row.lastErrorMessage ?? '' };
    if (!isContentSelectorProblem(error)) return;
    await store.sources.clearDegraded(sourceId, error, { signal });
    log.info({ source: sourceId }, 'content_selector matched again: the source is ok');
  }

  return {
    wake,
    /**
     * Queues the pages of full_text sources' recent items that have none (full_text just turned on, or items
     * stored before it was), then wakes the queue.
     */
    async backfill(): Promise<void> {
      const now = deps.now();
      const since = new Date(now.getTime() - BACKFILL_DAYS * 86_400_000);
      for (const s of deps.config().sources) {
        if (!s.fullText) continue;
        const n = await store.pages.backfill(s.id, since, s.fullText, now, { signal });
        if (n > 0) log.info({ source: s.id, pages: n }, `full_text: queued the pages of ${n} stored items of the last ${BACKFILL_DAYS} days`);
      }
      wake();
    },
    /** Resolves when no page is being read and none is due now (later retries are not waited for). */
    idle(): Promise<void> {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        wake();
      });
    },
    /** Stops claiming; resolves when the pages being read have settled (the signal aborted their fetches). */
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      for (const w of idleWaiters) w();
      idleWaiters = [];
      await pumping;
      await Promise.allSettled([...running]);
    },
  };
}

/** The page queue's interface, for passing as a dependency. */
export type PageQueue = ReturnType<typeof makePageQueue>;
