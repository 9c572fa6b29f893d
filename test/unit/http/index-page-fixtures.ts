import type { IndexPageData, IndexSource } from '../../../src/http/index-page.js';

/** A title that must show as text wherever it appears. */
export const HOSTILE = '<script>alert("x")</script> & \'q\' <img src=x onerror=alert(1)>';

const source = (s: Partial<IndexSource> & Pick<IndexSource, 'id' | 'url'>): IndexSource => ({
  title: null, siteUrl: null, state: 'ok', consecutiveFailures: 0, items: 0, lastPoll: null, lastError: null,
  nextPoll: new Date('2024-06-01T12:00:00Z'), nextPollReason: 'schedule', delayedUntil: null, ...s,
});

/** Sources in every state and every reason a next poll moves; tests change what they need. */
export const SAMPLE_SOURCES: IndexSource[] = [
  source({ id: 'antara-dunia', title: 'ANTARA — Dunia', url: 'https://www.antaranews.com/rss/dunia.xml', siteUrl: 'https://www.antaranews.com/dunia', lastPoll: new Date('2024-06-01T11:50:00Z'), items: 1234 }),
  source({ id: 'kompas-global', title: 'Kompas Global', url: 'https://rss.kompas.com/global', siteUrl: 'https://www.kompas.com/global', lastPoll: new Date('2024-06-01T11:45:00Z'), items: 40, nextPoll: new Date('2024-06-01T12:45:00Z'), nextPollReason: 'feed_hint', delayedUntil: new Date('2024-06-01T12:45:00Z') }),
  source({ id: 'tempo-dunia', url: 'https://rss.tempo.co/dunia', state: 'degraded', consecutiveFailures: 1, lastPoll: new Date('2024-06-01T11:45:00Z'), lastError: 'timeout: no answer within 20s', items: 87, nextPoll: new Date('2024-06-01T12:15:00Z'), nextPollReason: 'backoff', delayedUntil: new Date('2024-06-01T12:01:00Z') }),
  source({ id: 'detik-news', title: 'detikNews', url: 'https://news.detik.com/rss', siteUrl: 'https://news.detik.com/', state: 'failing', consecutiveFailures: 3, lastPoll: new Date('2024-06-01T11:40:00Z'), lastError: 'rate_limited: HTTP 429', nextPoll: new Date('2024-06-01T14:00:00Z'), nextPollReason: 'retry_after', delayedUntil: new Date('2024-06-01T13:55:00Z') }),
  source({ id: 'detik-inet', title: 'detikInet', url: 'https://inet.detik.com/rss', state: 'ok', lastPoll: new Date('2024-06-01T11:30:00Z'), items: 12, nextPoll: new Date('2024-06-01T12:15:00Z'), nextPollReason: 'host_paused', delayedUntil: new Date('2024-06-01T12:05:00Z') }),
  source({ id: 'hostile', title: HOSTILE, url: 'javascript:alert(1)', siteUrl: 'javascript:alert(2)', state: 'failing', consecutiveFailures: 5, lastError: `http_500: ${HOSTILE}`, nextPollReason: 'backoff', delayedUntil: new Date('2024-06-01T18:00:00Z') }),
  source({ id: 'gone-source', title: 'Old blog', url: 'http://old.example/feed', state: 'gone', lastPoll: new Date('2024-05-30T08:00:00Z'), lastError: 'gone: HTTP 410, the publisher removed this feed', items: 5, nextPoll: null, nextPollReason: 'gone' }),
];

/** A page with everything on it, hostile text included; tests change what they need. */
export function samplePage(overrides: Partial<IndexPageData> = {}): IndexPageData {
  return {
    title: 'warta — Berita Rusia & Belarusia',
    baseUrl: 'http://127.0.0.1:8080',
    timezone: 'Asia/Jakarta',
    now: new Date('2024-06-01T11:55:00Z'),
    feeds: [
      { title: 'Hubungan Rusia dan Belarusia', path: '/feeds/rusia-belarusia', kind: 'output', items: 50 },
      { title: 'Hubungan Rusia dengan Belarusia', path: '/tags/hubungan-rusia-dengan-belarusia', kind: 'tag', items: 1 },
      { title: 'Vladimir Putin', path: '/tags/vladimir-putin', kind: 'tag', items: 0 },
      { title: HOSTILE, path: '/tags/script-alert-x-script', kind: 'tag', items: 1234 },
    ],
    sources: SAMPLE_SOURCES,
    config: { file: '/etc/warta/warta.yaml', since: new Date('2024-06-01T09:00:00Z'), how: 'start', lastRejected: null },
    lastRefresh: new Date('2024-06-01T11:50:30Z'),
    version: '0.1.0',
    ...overrides,
  };
}
