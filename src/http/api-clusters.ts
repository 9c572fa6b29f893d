import type { Config } from '../config/load.js';
import type { Store } from '../store/store.js';
import { stripTracking } from '../stories/index.js';
import { parseSince, type ApiResponse } from './api-items.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
const PARAMS = ['tag', 'since', 'limit'];

function badRequest(parameter: string, message: string): ApiResponse {
  return { status: 400, body: { error: { code: 'bad_request', parameter, message } } };
}

/**
 * GET /api/clusters?tag=&since=&limit=: stories (issue 13) newest first (by their newest member), each with its
 * members — source, title, url (without tracking parameters), published — earliest first. `tag`: stories with a
 * member carrying it (slug or name); `since`: stories with a member published then or later.
 */
export function makeClustersApi(store: Store, config: Config) {
  const tagBySlugOrName = new Map<string, string>();
  for (const t of config.tags) {
    tagBySlugOrName.set(t.slug, t.name);
    tagBySlugOrName.set(t.name, t.name);
  }
  const ignoreParams = config.stories.ignoreParams;
  return async function clusters(params: URLSearchParams): Promise<ApiResponse> {
    for (const key of params.keys()) {
      if (!PARAMS.includes(key)) return badRequest(key, `unknown parameter "${key}" (${PARAMS.join(', ')})`);
      if (params.getAll(key).length > 1) return badRequest(key, `"${key}" given more than once`);
    }
    let tag: string | null = null;
    const tagParam = params.get('tag');
    if (tagParam !== null) {
      tag = tagBySlugOrName.get(tagParam) ?? null;
      if (tag === null) return badRequest('tag', `unknown tag "${tagParam}" (give its slug or its name)`);
    }
    let since: Date | null = null;
    const sinceParam = params.get('since');
    if (sinceParam !== null) {
      since = parseSince(sinceParam);
      if (since === null) return badRequest('since', 'must be an RFC 3339 date-time (2026-11-26T10:00:00Z) or a date (2026-11-26)');
    }
    let limit = DEFAULT_LIMIT;
    const limitParam = params.get('limit');
    if (limitParam !== null) {
      if (!/^\d{1,4}$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > MAX_LIMIT) {
        return badRequest('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
      }
      limit = Number(limitParam);
    }
    const found = await store.stories.list({ tag, since, limit });
    return {
      status: 200,
      body: {
        clusters: found.map((c) => ({
          id: String(c.clusterId),
          size: c.members.length,
          members: c.members.map((m) => ({
            id: m.id,
            source: m.sourceId,
            title: m.title,
            url: m.link === null ? null : (stripTracking(m.link, { ignoreParams }) ?? m.link),
            published: m.published.toISOString(),
          })),
        })),
      },
    };
  };
}
