import type { Config } from '../config/load.js';
import type { Store } from '../store/sqlite/store.js';
import { formatLocalTime } from '../base/local-time.js';

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
  held_until: string | null;
  parser: string | null;
  format: string | null;
}

/** A refresh failure the store could not write on the source's row (a full disk), known to the running daemon. */
export interface UnrecordedFailure {
  at: Date;
  error: { code: string; message: string };
}

/** The first cron tick of a source at or after a time (from the running scheduler or computed). */
export type NextTick = (source: { id: string; schedule: string }, notBefore: Date) => Date | null;

/**
 * Every configured source's status, in config order. `unrecorded` overlays failures newer than a source's row
 * that the store could not take, so a full disk shows on the daemon's status although it cannot be written.
 */
export function sourceStatuses(config: Config, store: Store, nextTick: NextTick, now: Date, unrecorded: ReadonlyMap<string, UnrecordedFailure> = new Map()): SourceStatus[] {
  const counts = store.sources.itemCounts();
  const rows = new Map(store.sources.all().map((r) => [r.id, r]));
  return config.sources.map((s) => {
    const r = rows.get(s.id);
    const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
    const notBefore = new Date(Math.max(now.getTime(), r?.heldUntil?.getTime() ?? 0, r?.hintUntil?.getTime() ?? 0));
    const next = r?.state === 'gone' ? null : nextTick(s, notBefore);
    const lost = unrecorded.get(s.id);
    const unsaved = lost && !(r?.lastPoll && r.lastPoll >= lost.at) ? lost : null;
    return {
      id: s.id,
      url: s.url,
      effective_url: r?.url === s.url ? (r?.effectiveUrl ?? null) : null,
      title: s.title ?? r?.title ?? null,
      state: unsaved && (r?.state ?? 'ok') === 'ok' ? 'degraded' : (r?.state ?? 'ok'),
      last_status: unsaved ? null : (r?.lastStatus ?? null),
      last_error: unsaved ? unsaved.error : r?.lastErrorCode ? { code: r.lastErrorCode, message: r.lastErrorMessage ?? '' } : null,
      consecutive_failures: r?.consecutiveFailures ?? 0,
      total_failures: r?.totalFailures ?? 0,
      not_modified_count: r?.notModifiedCount ?? 0,
      items: counts.get(s.id) ?? 0,
      last_poll: iso(unsaved ? unsaved.at : r?.lastPoll),
      last_success: iso(r?.lastSuccess),
      next_poll: iso(next),
      held_until: r?.heldUntil && r.heldUntil > now ? iso(r.heldUntil) : null,
      parser: r?.parser ?? null,
      format: r?.format ?? null,
    };
  });
}

/** A fixed-width table for terminals. */
export function formatStatusTable(list: readonly SourceStatus[], timeZone = 'UTC'): string {
  const time = (iso: string | null) => (iso === null ? '-' : formatLocalTime(new Date(iso), timeZone));
  const head = ['ID', 'STATE', 'HTTP', 'ITEMS', 'LAST POLL', 'NEXT POLL', 'LAST ERROR'];
  const rows = list.map((s) => [
    s.id,
    s.state,
    s.last_status === null ? '-' : String(s.last_status),
    String(s.items),
    time(s.last_poll),
    time(s.next_poll),
    s.last_error ? `${s.last_error.code}: ${s.last_error.message}` : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
