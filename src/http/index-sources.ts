/** The index page's source section: each source's health, items, last and next poll, and what moved the next one. */
import { count, esc, webLink } from './page-html.js';

/** One source as the page shows it. */
export interface IndexSource {
  id: string;
  title: string | null;
  /** The feed URL polled. */
  url: string;
  /** The publisher's site (the feed's own link), once a poll has read it. */
  siteUrl: string | null;
  state: string;
  consecutiveFailures: number;
  items: number;
  lastPoll: Date | null;
  lastError: string | null;
  nextPoll: Date | null;
  /** daemon/next-poll.ts NextPollReason. */
  nextPollReason: string;
  delayedUntil: Date | null;
}

type Time = (d: Date | null, none: string) => string;

const STATES = new Set(['ok', 'degraded', 'failing', 'gone']);

/** How many sources answer: their last poll succeeded. Never-polled sources are counted apart. */
export function answering(sources: readonly IndexSource[]): { answering: number; unpolled: number } {
  return {
    answering: sources.filter((s) => s.state === 'ok' && s.lastPoll !== null).length,
    unpolled: sources.filter((s) => s.state === 'ok' && s.lastPoll === null).length,
  };
}

/** The sources as a table (cards on a phone). */
export function sourceTable(sources: readonly IndexSource[], time: Time): string {
  if (sources.length === 0) return '<p class="empty">No sources are configured.</p>';
  const rows = sources.map((s) => {
    const state = STATES.has(s.state) ? s.state : 'unknown';
    const name = s.title ?? s.id;
    const id = s.title === null ? '' : ` <span class="id">${esc(s.id)}</span>`;
    const feed = webLink(s.url, s.url, 'feed-url');
    return `<tr class="row-${state}"><td class="source">${webLink(s.siteUrl, name, 'name')}${id}<br>${feed}</td>`
      + `<td data-label="State"><span class="state state-${state}">${esc(s.state)}</span></td>`
      + `<td data-label="Items" class="num">${s.items === 0 ? '<span class="zero">0</span>' : new Intl.NumberFormat('en-US').format(s.items)}</td>`
      + `<td data-label="Last poll" class="nowrap">${time(s.lastPoll, 'never')}</td>`
      // One element inside: on a phone the cell is a two-column grid (label, value).
      + `<td data-label="Next poll"><div>${nextPoll(s, time)}</div></td>`
      + `<td data-label="Last error">${s.lastError ? `<span class="error">${esc(s.lastError)}</span>` : '—'}</td></tr>`;
  });
  return `<div class="scroll"><table>
<thead><tr><th scope="col">Source · feed URL</th><th scope="col">State</th><th scope="col" class="num">Items</th><th scope="col">Last poll</th><th scope="col">Next poll</th><th scope="col">Last error</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

/** The next poll and, when something moved it past the schedule, what and until when. */
function nextPoll(s: IndexSource, time: Time): string {
  if (s.nextPollReason === 'gone') return '<span class="nowrap">never</span><span class="why">gone (HTTP 410): fix the URL or run <code>warta fetch ' + esc(s.id) + '</code></span>';
  const at = `<span class="nowrap">${time(s.nextPoll, '—')}</span>`;
  const until = time(s.delayedUntil, '?');
  const why: Record<string, string> = {
    feed_hint: `feed hint (ttl, update period or Cache-Control) until ${until}`,
    min_interval: `fetch.min_interval until ${until}`,
    backoff: `retry: backoff after ${count(s.consecutiveFailures, 'failure')} until ${until}`,
    retry_after: `retry: the server asked to wait (Retry-After) until ${until}`,
    host_paused: `its host is paused (Retry-After) until ${until}`,
  };
  const text = why[s.nextPollReason];
  return text ? `${at}<span class="why why-${esc(s.nextPollReason)}">${text}</span>` : at;
}
