import type { Config } from '../config/load.js';
import type { SourceRow, Store } from '../store/store.js';
import { explainNextPoll, type NextPollReason } from './next-poll.js';
import { formatLocalTime } from '../base/zoned-time.js';

/**
 * One source as admins and scripts see it (`warta sources --json`, GET /api/sources). Field names are a
 * stable interface: add fields freely, never rename.
 */
export interface SourceStatus {
  id: string;
  url: string;
  /** The URL polled instead, after a permanent redirect was adopted; else null. */
  effective_url: string | null;
  title: string | null;
  /** The publisher's site, from the feed's own link; null until a poll read it. */
  site_url: string | null;
  state: 'ok' | 'degraded' | 'failing' | 'gone';
  last_status: number | null;
  last_error: { code: string; message: string } | null;
  consecutive_failures: number;
  total_failures: number;
  not_modified_count: number;
  items: number;
  last_poll: string | null;
  last_success: string | null;
  next_poll: string | null;
  /** What decides next_poll: the schedule, or what moved it later (daemon/next-poll.ts). */
  next_poll_reason: NextPollReason;
  /** Until when that hold lasts (next_poll is the first tick after it); null on schedule and for gone. */
  delayed_until: string | null;
  held_until: string | null;
  parser: string | null;
  format: string | null;
}

/** A refresh failure the store could not write on the source's row (a full disk), known to the running daemon. */
export interface UnrecordedFailure {
  at: Date;
  error: { code: string; message: string };
}

/** What the store knows of the sources: their rows and item counts, by source id. */
export interface StoredSources {
  rows: ReadonlyMap<string, SourceRow>;
  counts: ReadonlyMap<string, number>;
}

/** Reads what sourceStatuses() shows from the store. */
export async function readStoredSources(store: Store): Promise<StoredSources> {
  const [all, counts] = await Promise.all([store.sources.all(), store.sources.itemCounts()]);
  return { rows: new Map(all.map((r) => [r.id, r])), counts };
}

/** The first cron tick of a source at or after a time (from the running scheduler or computed). */
export type NextTick = (source: { id: string; schedule: string }, notBefore: Date) => Date | null;

/** Until when the running daemon has paused a URL's host (Retry-After); the CLI cannot know, and passes none. */
export type HostPause = (url: string) => Date | null;

/**
 * Every configured source's status, in config order. `unrecorded` overlays failures newer than a source's row
 * that the store could not take, so a full disk shows on the daemon's status although it cannot be written.
 */
export function sourceStatuses(config: Config, stored: StoredSources, nextTick: NextTick, now: Date, unrecorded: ReadonlyMap<string, UnrecordedFailure> = new Map(), hostPause: HostPause = () => null): SourceStatus[] {
  const { counts, rows } = stored;
  return config.sources.map((s) => {
    const r = rows.get(s.id);
    const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
    const limits = { minIntervalMs: config.fetch.minIntervalMs, maxIntervalMs: config.fetch.maxIntervalMs, hostPausedUntil: hostPause(s.url) };
    const next = explainNextPoll(r, now, (notBefore) => nextTick(s, notBefore), limits);
    const lost = unrecorded.get(s.id);
    const unsaved = lost && !(r?.lastPoll && r.lastPoll >= lost.at) ? lost : null;
    return {
      id: s.id,
      url: s.url,
      effective_url: r?.url === s.url ? (r?.effectiveUrl ?? null) : null,
      title: s.title ?? r?.title ?? null,
      site_url: r?.siteUrl ?? null,
      state: unsaved && (r?.state ?? 'ok') === 'ok' ? 'degraded' : (r?.state ?? 'ok'),
      last_status: unsaved ? null : (r?.lastStatus ?? null),
      last_error: unsaved ? unsaved.error : r?.lastErrorCode ? { code: r.lastErrorCode, message: r.lastErrorMessage ?? '' } : null,
      consecutive_failures: r?.consecutiveFailures ?? 0,
      total_failures: r?.totalFailures ?? 0,
      not_modified_count: r?.notModifiedCount ?? 0,
      items: counts.get(s.id) ?? 0,
      last_poll: iso(unsaved ? unsaved.at : r?.lastPoll),
      last_success: iso(r?.lastSuccess),
      next_poll: iso(next.at),
      next_poll_reason: next.reason,
      delayed_until: iso(next.delayedUntil),
      held_until: r?.heldUntil && r.heldUntil > now ? iso(r.heldUntil) : null,
      parser: r?.parser ?? null,
      format: r?.format ?? null,
    };
  });
}

/** A fixed-width table for terminals. */
export function formatStatusTable(list: readonly SourceStatus[], timeZone = 'UTC'): string {
  const time = (iso: string | null) => (iso === null ? '-' : formatLocalTime(new Date(iso), timeZone));
  const head = ['ID', 'STATE', 'HTTP', 'ITEMS', 'LAST POLL', 'NEXT POLL', 'DELAYED BY', 'LAST ERROR'];
  const rows = list.map((s) => [
    s.id,
    s.state,
    s.last_status === null ? '-' : String(s.last_status),
    String(s.items),
    time(s.last_poll),
    time(s.next_poll),
    s.next_poll_reason === 'schedule' ? '-' : s.next_poll_reason,
    s.last_error ? `${s.last_error.code}: ${s.last_error.message}` : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const table = [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
  // A feed found on the configured page (autodiscovery) or an adopted permanent redirect: what is polled instead.
  const polled = list.filter((s) => s.effective_url).map((s) => `${s.id} polls ${s.effective_url} (instead of ${s.url})`);
  return polled.length ? `${table}\n\n${polled.join('\n')}` : table;
}
