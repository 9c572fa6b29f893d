import type { Config } from '../config/load.js';
import type { Store } from '../store/store.js';
import type { StoredItem } from '../base/model.js';
import { makeClustersApi } from './api-clusters.js';
import { compileTagger, parseQuery, QuerySyntaxError, type QueryNode, type Tagger } from '../tagging/index.js';

/** An API answer: status and JSON body. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
// A `q` query is evaluated on stored items newest first; this bounds the work one request may do.
const MAX_SCANNED = 20_000;
const PAGE = 500;
const PARAMS = ['tag', 'q', 'source', 'since', 'limit', 'cluster'];

/** The item as the API shows it. Field names are an interface: add, never rename. */
export function itemJson(i: StoredItem, clusterSize = 1) {
  return {
    id: i.id,
    uid: i.uid,
    source: i.sourceId,
    title: i.title,
    link: i.link,
    author: i.author,
    published: i.published.toISOString(),
    updated: i.updated.toISOString(),
    first_seen: i.firstSeen.toISOString(),
    categories: i.categories,
    tags: i.tags,
    matches: i.matches ?? [],
    // The story (issue 13): items of one story share it; a lone item's is its own id.
    cluster: String(i.clusterId ?? i.id),
    cluster_size: clusterSize,
    // Whole articles (full_text sources): the page's state and why it failed; absent when no page was asked for.
    ...(i.page ? { page: i.page.state, page_error: i.page.error } : {}),
  };
}

/** Items as the API shows them, with their stories' sizes. */
export async function itemsJson(store: Store, items: readonly StoredItem[]) {
  const sizes = await store.stories.sizes([...new Set(items.map((i) => i.clusterId ?? i.id))]);
  // An appearance (a relay of another source's article) is no member of its own: its story is its article's.
  return items.map((i) => itemJson(i, sizes.get(i.clusterId ?? i.id) ?? 1));
}

/** A story id as the API writes it (an item number), or null. */
export function parseClusterId(s: string): number | null {
  return /^[1-9]\d{0,14}$/.test(s) ? Number(s) : null;
}

function badRequest(parameter: string, message: string): ApiResponse {
  return { status: 400, body: { error: { code: 'bad_request', parameter, message } } };
}

/** RFC 3339 date-time or a plain YYYY-MM-DD (midnight UTC); null when neither. */
export function parseSince(s: string): Date | null {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;
  if (!date.test(s) && !dateTime.test(s)) return null;
  const d = new Date(date.test(s) ? `${s}T00:00:00Z` : s);
  // Date accepts 2026-02-31 by rolling over; a real calendar date must read back the same.
  if (Number.isNaN(d.getTime()) || (date.test(s) && d.toISOString().slice(0, 10) !== s)) return null;
  return d;
}

function hasRegex(node: QueryNode): boolean {
  switch (node.kind) {
    case 'regex':
      return true;
    case 'words':
      return false;
    case 'and':
    case 'or':
      return node.children.some(hasRegex);
    case 'not':
    case 'field':
      return hasRegex(node.child);
    case 'near':
      return hasRegex(node.left) || hasRegex(node.right);
  }
}

/** GET /api/items and /api/items/{id}, over the store and the config's tags and sources. */
export function makeItemsApi(store: Store, config: Config) {
  const tagBySlugOrName = new Map<string, string>();
  for (const t of config.tags) {
    tagBySlugOrName.set(t.slug, t.name);
    tagBySlugOrName.set(t.name, t.name);
  }
  const sources = new Set(config.sources.map((s) => s.id));

  return {
    /** GET /api/clusters (api-clusters.ts). */
    clusters: makeClustersApi(store, config),
    async list(params: URLSearchParams): Promise<ApiResponse> {
      for (const key of params.keys()) {
        if (!PARAMS.includes(key)) return badRequest(key, `unknown parameter "${key}" (${PARAMS.join(', ')})`);
      }
      for (const key of PARAMS) {
        if (params.getAll(key).length > 1) return badRequest(key, `"${key}" given more than once`);
      }
      const one = (key: string) => params.get(key);

      let tag: string | null = null;
      const tagParam = one('tag');
      if (tagParam !== null) {
        tag = tagBySlugOrName.get(tagParam) ?? null;
        if (tag === null) return badRequest('tag', `unknown tag "${tagParam}" (give its slug or its name)`);
      }
      const source = one('source');
      if (source !== null && !sources.has(source)) return badRequest('source', `unknown source "${source}"`);
      let cluster: number | null = null;
      const clusterParam = one('cluster');
      if (clusterParam !== null) {
        cluster = parseClusterId(clusterParam);
        if (cluster === null) return badRequest('cluster', 'must be a story id as items show it in "cluster" (a whole number)');
      }
      let since: Date | null = null;
      const sinceParam = one('since');
      if (sinceParam !== null) {
        since = parseSince(sinceParam);
        if (since === null) return badRequest('since', 'must be an RFC 3339 date-time (2026-11-26T10:00:00Z) or a date (2026-11-26)');
      }
      let limit = DEFAULT_LIMIT;
      const limitParam = one('limit');
      if (limitParam !== null) {
        if (!/^\d{1,4}$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > MAX_LIMIT) {
          return badRequest('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
        }
        limit = Number(limitParam);
      }
      let query: Tagger | null = null;
      const q = one('q');
      if (q !== null) {
        try {
          // A /regex/ from a caller runs on the event loop with no bound on its time (catastrophic backtracking
          // would freeze every output): config rules may use them, the public API may not.
          if (hasRegex(parseQuery(q))) return badRequest('q', '/regex/ terms are not allowed in q (use them in tag rules)');
          query = compileTagger([{ name: 'q', match: q }]);
        } catch (err) {
          if (err instanceof QuerySyntaxError) return badRequest('q', `${err.detail} at column ${err.column}`);
          throw err;
        }
      }

      if (query === null) return { status: 200, body: { items: await itemsJson(store, await store.items.browse({ cluster, tag, source, since, before: null, limit })) } };
      // With a query: scan pages newest first until enough match, within a bound.
      const found: StoredItem[] = [];
      let before: { published: string; id: number } | null = null;
      let scanned = 0;
      while (found.length < limit && scanned < MAX_SCANNED) {
        const page = await store.items.browse({ cluster, tag, source, since, before, limit: PAGE });
        for (const it of page) {
          if (found.length < limit && query.tag({ ...it, source: it.sourceId }).length > 0) found.push(it);
        }
        scanned += page.length;
        if (page.length < PAGE) break;
        const last = page.at(-1)!;
        before = { published: last.published.toISOString(), id: last.id };
      }
      const complete = found.length >= limit || scanned < MAX_SCANNED;
      return { status: 200, body: { items: await itemsJson(store, found), ...(complete ? {} : { truncated: true, scanned }) } };
    },

    async one(idParam: string): Promise<ApiResponse> {
      if (!/^\d{1,15}$/.test(idParam)) return badRequest('id', 'item ids are whole numbers');
      const item = await store.items.find({ id: Number(idParam) });
      if (!item) return { status: 404, body: { error: { code: 'not_found', message: `no item ${idParam}` } } };
      return { status: 200, body: (await itemsJson(store, [item]))[0] };
    },
  };
}

/** The items API's interface, for passing as a dependency. */
export type ItemsApi = ReturnType<typeof makeItemsApi>;
