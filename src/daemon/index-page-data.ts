import type { Config } from '../config/load.js';
import type { IndexPageData } from '../http/index-page.js';
import type { FeedRenderer } from '../publish/catalogue.js';
import { VERSION } from '../base/version.js';
import type { ReloadState } from './reload-status.js';
import type { SourceStatus } from './source-status.js';

/** Everything the index page can show, from the daemon's state; the route leaves out what a visitor may not see. */
export function indexPageData(config: Config, feeds: FeedRenderer, sources: readonly SourceStatus[], reload: ReloadState, now: Date): IndexPageData {
  const lastRefresh = sources.reduce<string | null>((t, s) => (s.last_poll && (!t || s.last_poll > t) ? s.last_poll : t), null);
  const date = (s: string | null) => (s === null ? null : new Date(s));
  return {
    title: 'warta',
    baseUrl: config.server.baseUrl,
    timezone: config.fetch.timezone,
    now,
    // Private outputs are never listed.
    feeds: feeds.listed().map((d) => ({ title: d.title, path: d.path, kind: d.path.startsWith('/tags/') ? 'tag' : 'output', items: feeds.itemCount(d.path) })),
    sources: sources.map((s) => ({
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
    config: { file: reload.file, since: reload.since, how: reload.how, lastRejected: reload.lastRejected },
    lastRefresh: date(lastRefresh),
    version: VERSION,
  };
}
