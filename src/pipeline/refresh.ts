import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Classifier } from '../tagging/classify.js';
import type { ItemInsert, ItemUpdate, PollRecord, SourceHealth, SourceRow, Store } from '../store/store.js';
import { coerceError, isStoreFailure, WartaError } from '../base/errors.js';
import { yieldToLoop } from '../base/yield.js';
import type { IncomingItem, IngestedFeed } from '../base/model.js';
import { backoffUntil, holdsAt, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS } from './backoff.js';
import { assignKeys, type KeyedItem } from './dedupe.js';
import { lookupKeys, planRefresh, type Classify } from './plan.js';
import type { FetchRequest, FetchResult, RedirectHop } from './fetch/fetch.js';
import type { IngestMeta, IngestPool } from './feed/ingest-pool.js';
import { nextAllowedPoll } from './hints.js';
import type { StoryStage } from './story-plan.js';
import type { PageReader } from './page/reader.js';
import { isContentSelectorProblem } from './selector-problem.js';
import type { ReadFeed } from './skim.js';

// What reads a body (the feed parsers, the HTML reader and their libraries) loads with the first body: a poll
// answered 304, or with the bytes stored last time, never needs it (BENCHMARKS.md "A 304 re-poll").
const loadBodyReaders = () => Promise.all([import('./skim.js'), import('./page/decode.js'), import('./page/listing.js'), import('./page/reader.js'), import('./page/discover.js')]);
let bodyReadersLoaded: ReturnType<typeof loadBodyReaders> | undefined;
// Once per process: five dynamic imports per refresh with a body were five module-map look-ups and promises each.
const bodyReaders = () => (bodyReadersLoaded ??= loadBodyReaders());

/** What a refresh needs from the outside world, passed in so tests can hand in real or fake parts. */
export interface RefreshDeps {
  store: Store;
  fetch: (req: FetchRequest) => Promise<FetchResult>;
  /**
   * Reads a feed document (the runtime: on its parser threads, which also sketch and, for `sourceId`, classify
   * the items: IncomingItem.sketched, .classified).
   */
  ingest: (body: Uint8Array | string, meta: IngestMeta) => IngestedFeed | Promise<IngestedFeed>;
  /**
   * Skims a changed feed's body (feed/skim-body.ts: decode, cut into items, digests) before the store is asked
   * which items it knows, and reads it without those, or reads a first one whole with its digests in one answer
   * (the runtime: its parser threads, which keep a skim's text for the read); absent: on this thread, with `ingest`.
   */
  cut?: Pick<IngestPool, 'skim' | 'read'>;
  /** The tag rules and output queries in force now (they change on reload). */
  classifier: () => Classifier;
  policy: RefreshPolicy;
  now: () => Date;
  random: () => number;
  log: Logger;
  /** Stories (issue 13): canonical URLs and clusters for new items; absent: items are stored as their own cluster. */
  stories?: StoryStage;
  /** Told after a commit that queued article pages (the page queue wakes). */
  pagesQueued?: () => void;
  /** Reads the section pages of `type: html` sources (the runtime's reader threads); absent: on this thread. */
  reader?: PageReader;
  /** Told when a poll read the source's feed (or its 304) from `url`: article pages may come from its address. */
  feedRead?: (url: string) => void;
}

/** The admin's bounds on polling (config `fetch.*`). */
export interface RefreshPolicy {
  minIntervalMs: number;
  maxIntervalMs: number;
  redirectPersistAfter: number;
}

/** A source as the refresh sees it. */
export interface RefreshSource {
  id: string;
  url: string;
  /** Keep only this many newest items (config `max_items`); absent or null: no limit. */
  maxItems?: number | null;
  /** Whole articles (config `full_text`): each new or changed item's page is queued with it. */
  fullText?: 'full' | 'tag_only' | null;
  /** 'html': the URL is a section page with no feed; its article links are the items. */
  type?: 'feed' | 'html';
  /** type html: the `items:` selector of article links; null: found automatically. */
  items?: string | null;
  /** full_text: where the article is on its pages (a problem with it outlasts successful polls). */
  contentSelector?: string | null;
}

/** How a refresh was asked for. */
export interface RefreshOptions {
  /** Poll even a gone or held-back source (`warta fetch ID`). */
  force?: boolean;
  /** Poll before the feed's hinted interval is over (the start-up poll, `warta fetch`). */
  ignoreHints?: boolean;
  signal?: AbortSignal;
}

/** The outcome of one refresh, for the CLI's report, logs and metrics. */
export interface RefreshOutcome {
  sourceId: string;
  result: 'updated' | 'not_modified' | 'failed' | 'skipped' | 'aborted';
  httpStatus: number | null;
  inserted: number;
  updated: number;
  error: { code: string; message: string } | null;
  /** Why a skipped source was not polled, and until when (`elsewhere`: another daemon on the database polls it now). */
  skipped: { reason: 'gone' | 'held' | 'hint' | 'host_paused' | 'elsewhere'; until: Date | null } | null;
  /** A server's Retry-After (429/503): the caller pauses the whole host. */
  retryAfter: Date | null;
  /** The URL that answered, after redirects. */
  url: string | null;
  bytes: number;
  /** The store could not write this outcome on the source's row (a full disk): only the caller knows of it. */
  unrecorded?: true;
  /** Time spent decoding, parsing, classifying and storing (0 when nothing was parsed). */
  parseMs: number;
  durationMs: number;
}

/** Failures in a row after which a source counts as failing rather than degraded. */
export const FAILING_AFTER = 3;

type Finish = (o: Partial<RefreshOutcome> & Pick<RefreshOutcome, 'result'>) => RefreshOutcome;

/**
 * Refreshes one source: load state → fetch → classify → decode/parse/normalize → dedupe → tag → store (one
 * transaction) → record the outcome on the source's row. Every failure becomes a recorded outcome, never a throw;
 * a failing store (disk full, locked past the busy policy) too, as a `storage` error.
 */
export async function refreshSource(deps: RefreshDeps, source: RefreshSource, opts: RefreshOptions = {}): Promise<RefreshOutcome> {
  const started = performance.now();
  const finish: Finish = (o) => ({
    sourceId: source.id, httpStatus: null, inserted: 0, updated: 0, error: null, skipped: null, retryAfter: null,
    url: null, bytes: 0, parseMs: 0, durationMs: Math.round(performance.now() - started), ...o,
  });
  if (opts.signal?.aborted) return finish({ result: 'aborted', error: { code: 'aborted', message: 'shutting down' } });
  try {
    return await refreshStages(deps, source, opts, finish);
  } catch (err) {
    if (err instanceof WartaError && err.code === 'aborted') return finish({ result: 'aborted', error: errorOf(err) });
    if (!isStoreFailure(err)) throw err;
    return recordStorageFailure(deps, source, err, opts.signal, finish);
  }
}

/** The URL polled instead of the source's own (a feed found on its page, a redirect's target) and why it was left. */
interface LeftBehind {
  url: string;
  error: WartaError;
}

async function refreshStages(deps: RefreshDeps, source: RefreshSource, opts: RefreshOptions, finish: Finish, left: LeftBehind | null = null): Promise<RefreshOutcome> {
  const { store } = deps;
  const { signal } = opts;
  // The runtime creates rows for configured sources at start and on reload; writing here on every poll would
  // cost a transaction per refresh. Only a source the store has not seen, or whose URL changed, is written.
  let state = await store.sources.get(source.id);
  if (state?.url !== source.url) {
    await store.sources.ensure([source], { signal });
    state = (await store.sources.get(source.id))!;
  }

  const now = deps.now();
  const skip = opts.force ? null : whySkip(state, now, opts.ignoreHints ?? false, deps.policy.maxIntervalMs);
  if (skip) return finish({ result: 'skipped', skipped: skip });

  // A feed found on the source's page earlier (or a permanent redirect's target) that stops being a feed: the
  // source's own URL is asked again, and a page there is searched for its feeds anew (issue 12).
  const away = left === null && state.effectiveUrl !== null && state.effectiveUrl !== source.url ? state.effectiveUrl : null;
  const backToSource = (error: WartaError) => {
    deps.log.info({ source: source.id, from: away, error: errorOf(error) }, `${away} failed (${error.code}): asking the source's own URL again`);
    return refreshStages(deps, source, opts, finish, { url: away!, error });
  };
  const failed = (error: WartaError) => (left ? new WartaError(error.code, `${error.message}; the feed polled until now, ${left.url}, failed too (${left.error.code}: ${left.error.message})`, { cause: error }) : error);
  const url = left ? source.url : (state.effectiveUrl ?? source.url);
  // Validators belong to the URL they came from.
  const res = await deps.fetch({ url, etag: left ? null : state.etag, lastModified: left ? null : state.lastModified, signal: opts.signal });
  if (res.kind === 'error' && res.error.code === 'aborted') return finish({ result: 'aborted', error: errorOf(res.error) });
  if (res.kind === 'error' && away && abandons(res.error)) return backToSource(res.error);
  if (res.kind === 'error') return recordFailure(deps, state, res.status, failed(res.error), res.retryAfter, signal, finish);

  const hints = { feedMs: state.feedHintMs, cacheMs: res.cacheMs, skipHours: [], skipDays: [] };
  const success = (h: Parameters<typeof nextAllowedPoll>[1], status: number) => ({ ...succeeded(deps, h, status), ...lastingProblem(state, source) });
  if (res.kind === 'not_modified') {
    await store.sources.recordPoll(source.id, { ...success(hints, 304), notModified: true }, { signal });
    deps.feedRead?.(res.url);
    return finish({ result: 'not_modified', httpStatus: 304, url: res.url });
  }

  // The response's continuation would parse at once, in the turn its bytes arrived: thirty-two responses arriving
  // together would parse back to back. Parsing waits its turn (yield.ts) like the stages after it.
  await yieldToLoop();
  // A server without validators often sends identical bytes: skip the parse when nothing changed.
  const bodyHash = createHash('sha256').update(res.body).digest('hex');
  const validators = { etag: res.etag, lastModified: res.lastModified, bodyHash };
  const bytes = res.body.length;
  // Validators are not sent across redirects, so a redirected poll of an unchanged feed lands here too.
  const redirect = trackRedirect(state, res.redirects, res.url, deps.policy.redirectPersistAfter);
  if (redirect?.effectiveUrl) deps.log.info({ source: source.id, from: url, to: redirect.effectiveUrl }, 'permanent redirect adopted');
  if (!left && bodyHash === state.bodyHash) {
    await store.sources.recordPoll(source.id, { ...success(hints, res.status), notModified: true, validators, redirect }, { signal });
    deps.feedRead?.(res.url);
    return finish({ result: 'not_modified', httpStatus: res.status, url: res.url, bytes });
  }

  const parseStarted = performance.now();
  let feed: IngestedFeed;
  let discovered: FetchResult & { kind: 'ok' } | null = null;
  let read: ReadFeed | null = null;
  const [{ readFeed }, , { keyListed }, { readInThread }] = await bodyReaders();
  try {
    if (source.type === 'html') feed = await listingOf(deps.reader ?? readInThread(), res, source.items ?? null, signal);
    else feed = (read = await readFeed(deps, state, res, now)).feed;
  } catch (err) {
    // Shutting down while a section page was being read: nothing to record (refreshSource reports it aborted).
    if (err instanceof WartaError && err.code === 'aborted') throw err;
    // Reading a changed feed asks the store which raw items it knows (skim.ts): a store that fails there is not
    // the feed's fault, and refreshSource records it without holding the source back.
    if (isStoreFailure(err)) throw err;
    const error = err instanceof WartaError ? err : new WartaError('parse_error', `parser crashed: ${coerceError(err).message}`, { cause: err });
    // A web page that announces its feed (<link rel="alternate">) is read through that feed, polled from now on.
    const found = error.code === 'not_a_feed' && source.type !== 'html' ? await discoverFeed(deps, source.id, res, now, signal) : null;
    if (found?.error) return away ? backToSource(found.error) : recordFailure(deps, state, res.status, failed(found.error), null, signal, finish);
    if (!found && away && abandons(error)) return backToSource(error);
    if (!found?.feed) return recordFailure(deps, state, res.status, failed(error), null, signal, finish);
    feed = found.feed;
    discovered = found.res;
    deps.log.info({ source: source.id, page: res.url, feed: discovered.url }, 'feed discovered on the page: polled from now on');
  }

  await yieldToLoop();
  const keyed = read?.keyed ?? (source.type === 'html' ? keyListed(assignKeys(feed.items)) : assignKeys(feed.items));
  const classifier = deps.classifier();
  // Classified where the feed was read, by the rules in force now: taken as it is (a reload since: classified again).
  const classify: Classify = (item, scanned) => {
    const pre = item.classified;
    if (pre && !scanned && pre.fingerprint === classifier.fingerprint && pre.sourceId === source.id) return pre;
    return classifier.classify(item, source.id, scanned);
  };
  const feedHints = { ...hints, feedMs: feedIntervalMs(feed), skipHours: feed.skipHours ?? [], skipDays: feed.skipDays ?? [] };
  // Read, decide, write: the store re-checks each planned write, so a refresh racing another is harmless.
  const stories = deps.stories;
  const plan = planRefresh(source.id, keyed, read?.stored ?? await store.items.lookup(source.id, lookupKeys(keyed)), now, classify, stories && ((link, made) => stories.canonicalUrl(link, made)));
  const askPages = pageRequests(source, keyed);
  // The discovered feed's URL is polled from now on, with its validators (shown as effective_url).
  const polled = discovered
    ? { redirect: { target: null, seen: 0, effectiveUrl: discovered.url }, validators: { etag: discovered.etag, lastModified: discovered.lastModified, bodyHash: createHash('sha256').update(discovered.body).digest('hex') } }
    : { redirect: left ? { target: null, seen: 0, ...redirect, effectiveUrl: redirect?.effectiveUrl ?? null } : redirect, validators };
  const newItems = askPages ? plan.inserts.map(askPages) : plan.inserts;
  if (plan.inserts.length + plan.updates.length > 0) await yieldToLoop();
  const commit = (inserts: readonly ItemInsert[]) => store.items.commitRefresh({
    sourceId: source.id,
    inserts,
    updates: askPages ? plan.updates.map(askPages) : plan.updates,
    digests: plan.digests,
    maxItems: source.maxItems ?? null,
    poll: {
      ...success(feedHints, res.status),
      feedHintMs: feedHints.feedMs,
      ...polled,
      feed: { title: feed.title, siteUrl: feed.siteUrl, parser: feed.parser, format: feed.format },
    },
  }, { signal });
  // New items find their story in the refresh's transaction; a refresh with none needs no story decision.
  const written = stories && newItems.length > 0 ? await stories.commit({ id: source.id, urls: [source.url, feed.siteUrl] }, newItems, commit) : await commit(newItems);
  const parseMs = Math.round(performance.now() - parseStarted);
  deps.feedRead?.((discovered ?? res).url);
  if (askPages && written.inserted + written.updated > 0) deps.pagesQueued?.();
  return finish({ result: 'updated', httpStatus: res.status, inserted: written.inserted, updated: written.updated, url: res.url, bytes, parseMs });
}

/**
 * A section page's article links as a feed (type: html); throws not_html, decode_error, selector_empty, or the
 * reader's extract_timeout / too_large.
 */
async function listingOf(reader: PageReader, res: FetchResult & { kind: 'ok' }, items: string | null, signal: AbortSignal | undefined): Promise<IngestedFeed> {
  const [, { isHtmlType, notHtml }, { itemsSelectorEmpty }] = await bodyReaders();
  if (!isHtmlType(res.contentType)) throw notHtml(res.contentType);
  const listing = await reader.listing(res.body, res.contentType, res.url, items, signal);
  if (listing.selectorEmpty) throw itemsSelectorEmpty(items!, res.url);
  return listing;
}

/**
 * The feed an HTML answer links as its alternate, fetched and read: the page's alternates in its order, the
 * first that reads as a feed (at most MAX_ALTERNATES tried). null when the page names none (the caller records
 * the page's own not_a_feed); an error naming each one tried and why, when none could be read.
 */
async function discoverFeed(deps: RefreshDeps, sourceId: string, page: FetchResult & { kind: 'ok' }, now: Date, signal: AbortSignal | undefined) {
  const [, { isHtmlType, decodePage }, , , { discoverFeeds }] = await bodyReaders();
  if (!isHtmlType(page.contentType)) return null;
  let html: string;
  try {
    html = decodePage(page.body, page.contentType);
  } catch {
    return null;
  }
  const tried: string[] = [];
  for (const url of discoverFeeds(html, page.url).slice(0, MAX_ALTERNATES)) {
    const res = await deps.fetch({ url, etag: null, lastModified: null, signal });
    if (res.kind === 'error' && res.error.code === 'aborted') throw res.error;
    if (res.kind !== 'ok') {
      tried.push(`${url} (${res.kind === 'error' ? res.error.code : 'not_modified'})`);
      continue;
    }
    try {
      return { feed: await deps.ingest(res.body, { contentType: res.contentType, url: res.url, now, sourceId }), res };
    } catch (err) {
      tried.push(`${url} (${err instanceof WartaError ? err.code : 'parse_error'})`);
    }
  }
  if (tried.length === 0) return null;
  return { error: new WartaError('not_a_feed', `${page.url} is a web page; the feeds it links could not be read: ${tried.join(', ')}`) };
}

/** A page's alternates tried, in its order, before the source is recorded as failing. */
const MAX_ALTERNATES = 3;

/** Failures of a URL found for a source that say it is no feed any more (not a passing outage: 5xx, timeouts, 429). */
function abandons(error: WartaError): boolean {
  return error.code === 'not_a_feed' || error.code === 'gone' || error.code === 'parse_error' || error.code === 'not_html' || (/^http_4\d\d$/.test(error.code) && error.code !== 'http_408');
}

/**
 * For a full_text source, a function that adds the page request to a planned write: its link, and whether the
 * feed dated it (only an undated item takes the page's date). Items without a link have no page.
 */
function pageRequests(source: RefreshSource, keyed: readonly KeyedItem[]) {
  const mode = source.fullText;
  if (!mode) return null;
  const dated = new Map(keyed.map((k) => [k.key, k.item.published !== null || k.item.updated !== null]));
  return <W extends ItemInsert | ItemUpdate>(w: W): W => (w.link ? { ...w, page: { url: w.link, mode, feedDated: dated.get(w.key) ?? true } } : w);
}

/**
 * Why a source is not polled now, or null. Holds written by a clock that ran ahead and has since been corrected
 * (the last poll lies in the future, or a hold is longer than any warta sets) are ignored, or the source would
 * sit out until the wrong time came round again.
 */
function whySkip(state: SourceRow, now: Date, ignoreHints: boolean, maxIntervalMs: number): RefreshOutcome['skipped'] {
  if (state.state === 'gone') return { reason: 'gone', until: null };
  if (holdsAt(state.heldUntil, now, state.lastPoll, Math.max(MAX_RETRY_AFTER_MS, MAX_BACKOFF_MS))) return { reason: 'held', until: state.heldUntil };
  if (!ignoreHints && holdsAt(state.hintUntil, now, state.lastPoll, maxIntervalMs)) return { reason: 'hint', until: state.hintUntil };
  return null;
}

function feedIntervalMs(feed: IngestedFeed): number | null {
  const minutes = Math.max(feed.ttlMinutes ?? 0, feed.updatePeriodMinutes ?? 0);
  return minutes > 0 ? minutes * 60_000 : null;
}

/**
 * A problem a poll cannot see, which a successful poll must not clear: an article page's content_selector that
 * matched nothing (issue 12). It lasts until a page is read with the selector matching (jobs/pages.ts clears it),
 * or until the source has no content_selector any more.
 */
function lastingProblem(state: SourceRow, source: RefreshSource): Pick<PollRecord, 'state' | 'error'> | null {
  if (!source.contentSelector || state.lastErrorCode === null) return null;
  const error = { code: state.lastErrorCode, message: state.lastErrorMessage ?? '' };
  return isContentSelectorProblem(error) ? { state: 'degraded', error } : null;
}

function succeeded(deps: RefreshDeps, hints: Parameters<typeof nextAllowedPoll>[1], status: number): PollRecord {
  const now = deps.now();
  const hintUntil = nextAllowedPoll(now, hints, { minMs: deps.policy.minIntervalMs, maxMs: deps.policy.maxIntervalMs });
  return { now, status, state: 'ok', error: null, consecutiveFailures: 0, success: true, heldUntil: null, hintUntil };
}

/**
 * Counts consecutive polls that reached the feed through the same permanent redirect (301/308 on every hop);
 * after `persistAfter` of them the target becomes the URL polled. A temporary hop (302/307) or none resets it.
 */
function trackRedirect(state: SourceRow, hops: readonly RedirectHop[], finalUrl: string, persistAfter: number): PollRecord['redirect'] {
  const permanent = hops.length > 0 && hops.every((h) => h.status === 301 || h.status === 308);
  if (!permanent) return state.redirectTarget || state.redirectSeen ? { target: null, seen: 0 } : undefined;
  const seen = (state.redirectTarget === finalUrl ? state.redirectSeen : 0) + 1;
  if (seen >= persistAfter) return { target: null, seen: 0, effectiveUrl: finalUrl };
  return { target: finalUrl, seen };
}

async function recordFailure(deps: RefreshDeps, state: SourceRow, status: number | null, error: WartaError, retryAfter: Date | null, signal: AbortSignal | undefined, finish: Finish): Promise<RefreshOutcome> {
  const now = deps.now();
  const failures = state.consecutiveFailures + 1;
  const health: SourceHealth = error.code === 'gone' ? 'gone' : failures >= FAILING_AFTER ? 'failing' : 'degraded';
  const poll: PollRecord = {
    now, status, state: health, error: errorOf(error), consecutiveFailures: failures,
    heldUntil: backoffUntil(now, failures, retryAfter, deps.random),
    redirect: { target: null, seen: 0 },
  };
  await deps.store.sources.recordPoll(state.id, poll, { signal });
  return finish({ result: 'failed', httpStatus: status, error: errorOf(error), retryAfter });
}

/**
 * Records a refresh the store refused (disk full, a lock held past the busy policy, …) as a failed poll. The
 * source is not at fault, so it is not held back: the next tick polls it again and ingest resumes as soon as
 * the store takes writes. The items of that refresh were rolled back and are fetched again then. This
 * bookkeeping write may fail for the same reason (a full disk): the failure is then logged and returned in the
 * outcome only, marked `unrecorded` (the daemon shows it on the source's status from memory).
 */
async function recordStorageFailure(deps: RefreshDeps, source: RefreshSource, error: WartaError, signal: AbortSignal | undefined, finish: Finish): Promise<RefreshOutcome> {
  try {
    const state = await deps.store.sources.get(source.id);
    const failures = (state?.consecutiveFailures ?? 0) + 1;
    const health: SourceHealth = failures >= FAILING_AFTER ? 'failing' : 'degraded';
    const poll: PollRecord = { now: deps.now(), status: null, state: health, error: errorOf(error), consecutiveFailures: failures };
    // The refresh may have failed creating the row itself.
    if (!state) await deps.store.sources.ensure([source], { signal });
    await deps.store.sources.recordPoll(source.id, poll, { signal });
  } catch (err) {
    if (err instanceof WartaError && err.code === 'aborted') return finish({ result: 'aborted', error: errorOf(err) });
    deps.log.error({ source: source.id, error: errorOf(error), err }, `refresh failed on storage and could not be recorded on the source: ${error.message}`);
    return finish({ result: 'failed', error: errorOf(error), unrecorded: true });
  }
  return finish({ result: 'failed', error: errorOf(error) });
}

function errorOf(e: WartaError) {
  return { code: e.code, message: e.message };
}
