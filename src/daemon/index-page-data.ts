import type { Config } from '../config/load.js';
import type { IndexPageData } from '../http/index-page.js';
import type { FeedRenderer } from '../publish/catalogue.js';
import { VERSION } from '../base/version.js';
import type { ReloadState } from './reload-status.js';
import type { SourceStatus } from './source-status.js';

/**
 * Who is looking: the admin with every source's status (the last refresh is counted over all of them), or a
 * public visitor with the last refresh of public sources only (daemon/last-refresh.ts: no per-source work).
 */
export type IndexViewer = { admin: true; statuses: readonly SourceStatus[] } | { admin: false; lastPublicRefresh: Date | null };

/**
 * What the index page shows. Source health and the config's status are the admin's; a public visitor gets the
 * feeds, and a last refresh counted over public sources only.
 */
export async function indexPageData(config: Config, feeds: FeedRenderer, viewer: IndexViewer, reload: ReloadState, now: Date): Promise<IndexPageData> {
  const date = (s: string | null) => (s === null ? null : new Date(s));
  const admin = viewer.admin;
  const sources = viewer.admin ? viewer.statuses : [];
  const lastRefresh = viewer.admin
    ? date(sources.reduce<string | null>((t, s) => (s.last_poll && (!t || s.last_poll > t) ? s.last_poll : t), null))
    : viewer.lastPublicRefresh;
  return {
    title: 'warta',
    baseUrl: config.server.baseUrl,
    timezone: config.fetch.timezone,
    now,
    // Private outputs are never listed.
    feeds: await Promise.all(feeds.listed().map(async (d) => ({ title: d.title, path: d.path, kind: d.path.startsWith('/tags/') ? ('tag' as const) : ('output' as const), items: await feeds.itemCount(d.path) }))),
    sources: !admin ? undefined : sources.map((s) => ({
      id: s.id,
      title: s.title,
      url: s.url,
      siteUrl: s.site_url,
      state: s.state,
      consecutiveFailures: s.consecutive_failures,
      items: s.items,
      lastPoll: date(s.last_poll),
      lastError: s.last_error ? `${s.last_error.code}: ${s.last_error.message}` : null,
      nextPoll: date(s.next_poll),
      nextPollReason: s.next_poll_reason,
      delayedUntil: date(s.delayed_until),
    })),
    config: !admin ? undefined : { file: reload.file, since: reload.since, how: reload.how, lastRejected: reload.lastRejected },
    lastRefresh,
    version: VERSION,
  };
}
