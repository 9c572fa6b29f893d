import type { SourceRow } from '../store/store.js';

/**
 * The public index page's "last refresh": the latest poll of any public source, kept in memory so a page hit
 * costs the same with 10 sources or 10,000 (it read every source row and item count per hit before). Seeded from
 * the store's rows at start and on reload (when which sources are private may change), then moved by each
 * refresh this daemon makes. Polls by another process sharing the database show after the next reload.
 */
export function makeLastRefresh() {
  let privateIds: ReadonlySet<string> = new Set();
  let latest: Date | null = null;
  return {
    /** Starts over from stored rows; `privateIds` are the sources whose polls the public must not see. */
    seed(rows: Iterable<Pick<SourceRow, 'id' | 'lastPoll'>>, hidden: ReadonlySet<string>): void {
      privateIds = hidden;
      latest = null;
      for (const r of rows) if (r.lastPoll && !hidden.has(r.id) && (!latest || r.lastPoll > latest)) latest = r.lastPoll;
    },
    /** A poll of `sourceId` happened at `at` (any outcome that reached the server, failures included). */
    polled(sourceId: string, at: Date): void {
      if (!privateIds.has(sourceId) && (!latest || at > latest)) latest = at;
    },
    /** The latest public poll, or null when none is known. */
    current: (): Date | null => latest,
  };
}

/** The tracker's interface. */
export type LastRefresh = ReturnType<typeof makeLastRefresh>;
