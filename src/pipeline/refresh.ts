import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../db/store.js';
import type { AppliedTag } from '../db/items.js';
import type { SourceHealth, SourceRow } from '../db/sources.js';
import { coerceError, WartaError } from '../errors.js';
import type { IncomingItem, IngestedFeed } from '../model.js';
import type { Tagger } from '../tagging/index.js';
import { backoffUntil } from './backoff.js';
import { assignKeys } from './dedupe.js';
import type { FetchRequest, FetchResult } from './fetch.js';

/** What a refresh needs from the outside world, passed in so tests can hand in real or fake parts. */
export interface RefreshDeps {
  store: Store;
  fetch: (req: FetchRequest) => Promise<FetchResult>;
  ingest: (body: Uint8Array, meta: { contentType: string | null; url: string; now: Date }) => IngestedFeed;
  /** The tag rules in force now (they change on reload). */
  tagger: () => Tagger;
  now: () => Date;
  random: () => number;
  log: Logger;
}

/** A source as the refresh sees it. */
export interface RefreshSource {
  id: string;
  url: string;
}

/** The outcome of one refresh, for the CLI's report, logs and metrics. */
export interface RefreshOutcome {
  sourceId: string;
  result: 'updated' | 'not_modified' | 'failed' | 'skipped' | 'aborted';
  httpStatus: number | null;
  inserted: number;
  updated: number;
  error: { code: string; message: string } | null;
  /** Why a skipped source was not polled, and until when. */
  skipped: { reason: 'gone' | 'held'; until: Date | null } | null;
  durationMs: number;
}

/** Failures in a row after which a source counts as failing rather than degraded. */
const FAILING_AFTER = 3;

/**
 * Refreshes one source: load state → fetch → classify → decode/parse/normalize → dedupe → tag → store (one
 * transaction) → record the outcome on the source's row. Every failure becomes a recorded outcome, never a throw.
 */
export async function refreshSource(deps: RefreshDeps, source: RefreshSource, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<RefreshOutcome> {
  const started = performance.now();
  const outcome = (o: Partial<RefreshOutcome> & Pick<RefreshOutcome, 'result'>): RefreshOutcome => ({
    sourceId: source.id, httpStatus: null, inserted: 0, updated: 0, error: null, skipped: null,
    durationMs: Math.round(performance.now() - started), ...o,
  });
  const { store } = deps;
  store.sources.ensure(source.id, source.url);
  const state = store.sources.get(source.id)!;

  const now = deps.now();
  if (!opts.force) {
    if (state.state === 'gone') return outcome({ result: 'skipped', skipped: { reason: 'gone', until: null } });
    if (state.heldUntil && state.heldUntil > now) return outcome({ result: 'skipped', skipped: { reason: 'held', until: state.heldUntil } });
  }

  const res = await deps.fetch({ url: source.url, etag: state.etag, lastModified: state.lastModified, signal: opts.signal });
  if (res.kind === 'error' && res.error.code === 'aborted') return outcome({ result: 'aborted', error: errorOf(res.error) });
  if (res.kind === 'error') return recordFailure(deps, state, res.status, res.error, res.retryAfter, outcome);
  if (res.kind === 'not_modified') {
    store.write(() => store.sources.record(source.id, success(deps.now(), 304, { notModified: true })));
    return outcome({ result: 'not_modified', httpStatus: 304 });
  }

  // A server without validators often sends identical bytes: skip the parse when nothing changed.
  const bodyHash = createHash('sha256').update(res.body).digest('hex');
  const validators = { etag: res.etag, lastModified: res.lastModified, bodyHash };
  if (bodyHash === state.bodyHash) {
    store.write(() => store.sources.record(source.id, { ...success(deps.now(), res.status, { notModified: true }), validators }));
    return outcome({ result: 'not_modified', httpStatus: res.status });
  }

  let feed: IngestedFeed;
  try {
    feed = deps.ingest(res.body, { contentType: res.contentType, url: res.url, now });
  } catch (err) {
    const error = err instanceof WartaError ? err : new WartaError('parse_error', `parser crashed: ${coerceError(err).message}`, { cause: err });
    return recordFailure(deps, state, res.status, error, null, outcome);
  }

  const keyed = assignKeys(feed.items);
  const tagger = deps.tagger();
  const tagItem = (item: IncomingItem) => tagsOf(tagger, item, source.id);
  const written = store.write(() => {
    const applied = store.items.apply(source.id, keyed, now, tagItem);
    store.sources.record(source.id, {
      ...success(deps.now(), res.status, {}),
      validators,
      feed: { title: feed.title, siteUrl: feed.siteUrl, parser: feed.parser, format: feed.format },
    });
    return applied;
  });
  return outcome({ result: 'updated', httpStatus: res.status, inserted: written.inserted, updated: written.updated });
}

/** The tags an item gets, each with the matches that explain it. */
export function tagsOf(tagger: Tagger, item: IncomingItem, sourceId: string): AppliedTag[] {
  const byTag = new Map<string, unknown[]>();
  for (const m of tagger.explain({ ...item, source: sourceId })) {
    const { tag, ...rest } = m;
    const list = byTag.get(tag);
    if (list) list.push(rest);
    else byTag.set(tag, [rest]);
  }
  return [...byTag].map(([tag, explain]) => ({ tag, explain }));
}

function success(now: Date, status: number, flags: { notModified?: boolean }) {
  return { now, status, state: 'ok' as SourceHealth, error: null, consecutiveFailures: 0, success: true, heldUntil: null, ...flags };
}

function recordFailure(
  deps: RefreshDeps,
  state: SourceRow,
  status: number | null,
  error: WartaError,
  retryAfter: Date | null,
  outcome: (o: Partial<RefreshOutcome> & Pick<RefreshOutcome, 'result'>) => RefreshOutcome,
): RefreshOutcome {
  const now = deps.now();
  const failures = state.consecutiveFailures + 1;
  const health: SourceHealth = error.code === 'gone' ? 'gone' : failures >= FAILING_AFTER ? 'failing' : 'degraded';
  deps.store.write(() =>
    deps.store.sources.record(state.id, {
      now, status, state: health, error: errorOf(error), consecutiveFailures: failures,
      heldUntil: backoffUntil(now, failures, retryAfter, deps.random),
    }),
  );
  return outcome({ result: 'failed', httpStatus: status, error: errorOf(error) });
}

function errorOf(e: WartaError) {
  return { code: e.code, message: e.message };
}
