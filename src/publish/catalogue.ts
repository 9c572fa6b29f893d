import { createHash, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import type { Config } from '../config/load.js';
import type { Store } from '../store/store.js';
import { isStoreFailure, type WartaError } from '../base/errors.js';
import { redactUrl } from '../base/redact.js';
import type { StoredItem } from '../base/model.js';
import { stripTracking } from '../stories/index.js';
import { collapseStories, keepEntry } from './collapse.js';
import { makePublisherTags } from './publisher-tags.js';
import { FEED_CONTENT_TYPES, makeSanitizeCache, OPML_CONTENT_TYPE, renderFeed, renderOpml, type FeedFormat, type SourceInfo } from './index.js';

/** One feed warta publishes: a tag's own feed or a configured output. */
export interface FeedDef {
  /** URL path without the format extension: /tags/<slug> or /feeds/<id>. */
  path: string;
  title: string;
  description: string;
  tags: readonly string[];
  /** The output whose match query items must satisfy (its id), or null. */
  output: string | null;
  /** Only items of these sources; empty: all. */
  sources: readonly string[];
  /** Never items of these sources: the private ones, except in a private output that names them. */
  excludeSources: readonly string[];
  limit: number;
  /** A private output's token; such a feed answers only with ?token= and is never listed. */
  token: string | null;
  /** One entry per story (outputs[].collapse). */
  collapse: boolean;
}

/** A rendered document, kept until the data behind it changes. */
export interface Rendered {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
  /**
   * Set on the last rendered copy served because rendering it afresh failed on the store (the database
   * unreachable): why. The server says so in a Warning header; the copy is what this feed was when last rendered.
   */
  stale?: string;
}

export const FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];
const DEFAULT_LIMIT = 50;
// A collapsed output reads this many times its limit of items (at most MAX_COLLAPSE_READ) to fill its stories.
const COLLAPSE_READ_FACTOR = 4;
const MAX_COLLAPSE_READ = 2000;

/** Every feed the config publishes, by path. */
export function feedCatalogue(config: Config): Map<string, FeedDef> {
  const defs = new Map<string, FeedDef>();
  const privateSources = config.sources.filter((s) => s.private).map((s) => s.id);
  for (const t of config.tags) {
    defs.set(`/tags/${t.slug}`, { path: `/tags/${t.slug}`, title: t.name, description: `Items tagged “${t.name}”`, tags: [t.name], output: null, sources: [], excludeSources: privateSources, limit: DEFAULT_LIMIT, token: null, collapse: false });
  }
  for (const o of config.outputs) {
    // A private source's items go only to the private outputs that name it.
    const excludeSources = o.token === null ? privateSources : privateSources.filter((id) => !o.sources.includes(id));
    defs.set(`/feeds/${o.id}`, { path: `/feeds/${o.id}`, title: o.title, description: o.description, tags: o.tags, output: o.match === null ? null : o.id, sources: o.sources, excludeSources, limit: o.limit, token: o.token, collapse: o.collapse });
  }
  return defs;
}

/**
 * While refreshes keep writing, a feed is rendered again at most this often: a render per write made the
 * start-up ingest of 1,000 feeds render every route on nearly every request (bench/load.ts: p99 ~4 s).
 * A reader polls every few minutes; a second of delay is invisible to it.
 */
export const MIN_RENDER_INTERVAL_MS = 1_000;

/**
 * Past MIN_RENDER_INTERVAL_MS, a cached document asks the store whether anything changed at most this often.
 * The question is a SQLite read (PRAGMA data_version takes and drops file locks: system calls), which cost
 * more than the rest of a cached answer together (bench/serve.ts: ~10 % of the daemon's time at 16
 * connections); a change is seen at most this much later, well inside the second already allowed above.
 */
export const CHANGE_CHECK_INTERVAL_MS = 100;

/**
 * Renders feeds on demand and caches each until the store's version changes (and at least
 * MIN_RENDER_INTERVAL_MS), so a busy route costs one render per refresh that wrote something, at most one a
 * second, not one per request. `clock` is monotonic milliseconds (tests pass their own).
 */
export function makeFeedRenderer(
  store: Store,
  config: Config,
  now: () => Date,
  clock: () => number = () => performance.now(),
  /** Called at each render that fell back to the last copy; `first`: the first since the feed last rendered. */
  onStale: (key: string, err: WartaError, first: boolean) => void = () => {},
) {
  // `at`: when rendered; `checked`: when the store last said nothing changed since; `stale`: the copy served since
  // a render failed on the store, and when that was.
  const cache = new Map<string, { version: string; at: number; checked: number; doc: Rendered; stale?: { doc: Rendered; at: number } }>();
  const counts = new Map<string, { version: string; at: number; n: number }>();
  const catalogue = feedCatalogue(config);
  const base = config.server.baseUrl;
  const sanitize = makeSanitizeCache();
  const titles = new Map(config.sources.map((s) => [s.id, s.title]));
  const priorities = new Map(config.sources.map((s) => [s.id, s.priority]));
  const link = publishedLink(config.stories.ignoreParams);
  const publisherTags = makePublisherTags(store, config);
  const privateSources = config.sources.filter((s) => s.private).map((s) => s.id);

  /** A configured feed, or the feed of a publisher keyword's tag (never listed). */
  async function feedAt(path: string): Promise<FeedDef | null> {
    const def = catalogue.get(path);
    if (def || !path.startsWith('/tags/')) return def ?? null;
    const name = await publisherTags.bySlug(path.slice('/tags/'.length));
    if (name === null) return null;
    return { path, title: name, description: `Items tagged “${name}” by their publishers`, tags: [name], output: null, sources: [], excludeSources: privateSources, limit: DEFAULT_LIMIT, token: null, collapse: false };
  }

  // The sources behind a render's items, looked up one by one: reading all 1,000 source rows for every
  // render was as costly as selecting the items.
  async function sources(items: readonly { sourceId: string }[]): Promise<Map<string, SourceInfo>> {
    const map = new Map<string, SourceInfo>();
    for (const { sourceId } of items) {
      if (map.has(sourceId)) continue;
      const s = await store.sources.get(sourceId);
      if (!s) continue;
      // A feed URL with a secret in it is left out (a masked URL is no use to a reader).
      const feedUrl = redactUrl(s.url, config.redact.queryParams) === s.url ? s.url : null;
      map.set(sourceId, { id: s.id, title: titles.get(s.id) ?? s.title, siteUrl: s.siteUrl, feedUrl });
    }
    return map;
  }

  /** The feeds anyone may see listed (private outputs excluded). */
  const listed = (): FeedDef[] => [...catalogue.values()].filter((d) => d.token === null);

  // Renders under way, by feed and format: concurrent requests for a stale feed share one render.
  const rendering = new Map<string, Promise<Rendered>>();

  /** The items a feed publishes: newest first, one per story in a collapsed output, links without tracking. */
  async function select(def: FeedDef): Promise<StoredItem[]> {
    if (!def.collapse) {
      const items = await store.items.select(def);
      const first = await store.stories.firstStored(items.map((i) => i.id));
      return items.map((i) => ({ ...keepEntry(i, first.get(i.id)), link: i.link === null ? null : link(i.link) }));
    }
    // Several members of one story may be selected: read more than `limit` to fill `limit` stories.
    const items = await store.items.select({ ...def, limit: Math.min(def.limit * COLLAPSE_READ_FACTOR, MAX_COLLAPSE_READ) });
    const stories = await collapseStories(store, items, {
      limit: def.limit, sources: def.sources, excludeSources: def.excludeSources, priority: (id) => priorities.get(id) ?? 0, link,
    });
    return stories.map((i) => ({ ...i, link: i.link === null ? null : link(i.link) }));
  }

  async function renderNow(def: FeedDef, format: FeedFormat, key: string, version: string): Promise<Rendered> {
    const items = await select(def);
    counts.set(def.path, { version, at: clock(), n: items.length });
    const newest = items.reduce((t, i) => Math.max(t, i.updated.getTime(), i.firstSeen.getTime()), 0);
    const rulesChanged = (await store.retag.state()).changedAt?.getTime() ?? 0;
    // Never later than the clock: an item may carry a date a few minutes ahead. From the data only, so every
    // daemon on a shared database renders the same bytes (and ETag): a feed with no item and no rule change yet
    // is dated at the epoch, not at the moment it was rendered.
    const updated = new Date(Math.min(Math.max(newest, rulesChanged), now().getTime()));
    // The self link must be the URL served, so a private feed's carries its token.
    const query = def.token === null ? '' : `?token=${encodeURIComponent(def.token)}`;
    const path = def.path;
    const selfUrls = { rss: `${base}${path}.rss${query}`, atom: `${base}${path}.atom${query}`, json: `${base}${path}.json${query}` };
    const members = items.flatMap((i) => i.story?.members.map((m) => ({ sourceId: m.source })) ?? []);
    const text = renderFeed(format, { title: def.title, description: def.description, homeUrl: `${base}/`, selfUrls, id: selfUrls.atom, updated }, items, await sources([...items, ...members]), sanitize);
    // Compressed on libuv's thread pool: a feed of 50 long articles is ~1 MB, and gzip at level 6 on the event loop
    // held every other request for ~10 ms at each render (a render per second per feed during a busy poll).
    const plain = document(text, FEED_CONTENT_TYPES[format], updated);
    const doc: Rendered = { ...plain, gzipped: await gzipAsync(plain.body) };
    const at = clock();
    cache.set(key, { version, at, checked: at, doc });
    return doc;
  }

  /** The cached document under `key` while it is still current (see MIN_RENDER_INTERVAL_MS), else undefined. */
  function fresh(key: string): Rendered | undefined {
    const hit = cache.get(key);
    if (hit === undefined) return undefined;
    const t = clock();
    // The store failed a render of it a moment ago: not asked again before MIN_RENDER_INTERVAL_MS.
    if (hit.stale !== undefined && t - hit.stale.at < MIN_RENDER_INTERVAL_MS) return hit.stale.doc;
    if (t - hit.at < MIN_RENDER_INTERVAL_MS || t - hit.checked < CHANGE_CHECK_INTERVAL_MS) return hit.doc;
    if (hit.version !== store.changeToken()) return undefined;
    hit.checked = t;
    return hit.doc;
  }

  /**
   * A render of `key` failed with `err`: when the store could not answer (the database unreachable, a lock held
   * past its timeout) and the feed was rendered before, its last copy is served, marked stale, rather than an
   * error: a reader's feed outlives a database outage. Anything else is thrown as before.
   */
  function staleOr(key: string, err: unknown): Rendered {
    const hit = cache.get(key);
    if (hit === undefined || !isStoreFailure(err)) throw err;
    onStale(key, err, hit.stale === undefined);
    const doc: Rendered = { ...hit.doc, stale: err.message };
    hit.stale = { doc, at: clock() };
    return doc;
  }

  /** Whether the feed `def` may be shown to a caller presenting `token` (a private output's own token only). */
  const mayShow = (def: FeedDef, token: string | null) => def.token === null || (token !== null && sameSecret(token, def.token));

  return {
    listed,
    /**
     * The rendered feed at `path` in `format`, or null when no such feed exists — which is also the answer
     * for a private output without its token, so its existence is not disclosed.
     */
    async render(path: string, format: FeedFormat, token: string | null = null): Promise<Rendered | null> {
      const def = await feedAt(path);
      if (!def || !mayShow(def, token)) return null;
      const key = `${path}.${format}`;
      const doc = fresh(key);
      if (doc !== undefined) return doc;
      let pending = rendering.get(key);
      if (!pending) {
        pending = renderNow(def, format, key, store.changeToken())
          .catch((err: unknown) => staleOr(key, err))
          .finally(() => rendering.delete(key));
        rendering.set(key, pending);
      }
      return pending;
    },
    /**
     * What render() would answer when that is a configured feed's current cached document, without awaiting
     * anything (the serving fast path); undefined when render() has to be asked.
     */
    cached(path: string, format: FeedFormat, token: string | null = null): Rendered | undefined {
      const def = catalogue.get(path);
      if (def === undefined || !mayShow(def, token)) return undefined;
      return fresh(`${path}.${format}`);
    },
    /**
     * How many items the feed at `path` publishes now (at most its limit); null for no such feed. Kept like a
     * render (until the store changes, at least MIN_RENDER_INTERVAL_MS): the index page asks for every feed.
     */
    async itemCount(path: string): Promise<number | null> {
      const def = catalogue.get(path);
      if (!def) return null;
      const version = store.changeToken();
      const hit = counts.get(path);
      if (hit !== undefined && (hit.version === version || clock() - hit.at < MIN_RENDER_INTERVAL_MS)) return hit.n;
      const n = (await select(def)).length;
      counts.set(path, { version, at: clock(), n });
      return n;
    },
    /** Every tag with its feed's slug and stored items: configured ones, then publishers' (`/api/tags`). */
    tags: () => publisherTags.list(),
    /** OPML 2.0 listing every public feed's RSS form, for a reader to subscribe to all at once. */
    opml(): Rendered {
      const hit = cache.get('/opml');
      if (hit) return hit.doc;
      const entries = listed().map((d) => ({ title: d.title, xmlUrl: `${base}${d.path}.rss`, htmlUrl: `${base}/`, type: 'rss' as const }));
      const stamp = now();
      // Small, and rendered once: compressed here.
      const plain = document(renderOpml('warta feeds', entries, stamp), OPML_CONTENT_TYPE, stamp);
      const doc: Rendered = { ...plain, gzipped: gzipSync(plain.body) };
      cache.set('/opml', { version: '', at: 0, checked: 0, doc });
      return doc;
    },
  };
}

/** The feed renderer's interface, for passing as a dependency. */
export type FeedRenderer = ReturnType<typeof makeFeedRenderer>;

/**
 * Links as published: tracking parameters (utm_*, fbclid, … and stories.ignore_params) removed. A link without
 * any is published exactly as stored.
 */
function publishedLink(ignoreParams: readonly string[]): (link: string) => string {
  return (raw) => {
    if (!raw.includes('?')) return raw;
    const stripped = stripTracking(raw, { ignoreParams });
    if (stripped === null) return raw;
    try {
      return [...new URL(stripped).searchParams].length === [...new URL(raw).searchParams].length ? raw : stripped;
    } catch {
      return raw;
    }
  };
}

/** Compares secrets in time independent of where they differ (hashing first equalizes the lengths). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const gzipAsync = promisify(gzip);

/** A rendered document but its gzipped form. */
function document(text: string, contentType: string, lastModified: Date): Omit<Rendered, 'gzipped'> {
  const body = Buffer.from(text, 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  // HTTP dates have one-second precision; keep the stored value comparable with If-Modified-Since.
  const lm = new Date(Math.floor(lastModified.getTime() / 1000) * 1000);
  return { body, contentType, etag, lastModified: lm };
}
