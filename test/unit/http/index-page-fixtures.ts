import type { IndexPageData } from '../../../src/http/index-page.js';

/** A title that must show as text wherever it appears. */
export const HOSTILE = '<script>alert("x")</script> & \'q\' <img src=x onerror=alert(1)>';

/** A page with everything on it, hostile text included; tests change what they need. */
export function samplePage(overrides: Partial<IndexPageData> = {}): IndexPageData {
  return {
    title: 'warta — Berita Rusia & Belarusia',
    baseUrl: 'http://127.0.0.1:8080',
    feeds: [
      { title: 'Hubungan Rusia dan Belarusia', path: '/feeds/rusia-belarusia', kind: 'output' },
      { title: 'Hubungan Rusia dengan Belarusia', path: '/tags/hubungan-rusia-dengan-belarusia', kind: 'tag' },
      { title: 'Vladimir Putin', path: '/tags/vladimir-putin', kind: 'tag' },
      { title: HOSTILE, path: '/tags/script-alert-x-script', kind: 'tag' },
    ],
    sources: [
      { id: 'antara-dunia', title: 'ANTARA — Dunia', url: 'https://www.antaranews.com/rss/dunia.xml', state: 'ok', lastPoll: new Date('2024-06-01T11:50:00Z'), lastError: null, items: 1234 },
      { id: 'tempo-dunia', title: null, url: 'https://rss.tempo.co/dunia', state: 'degraded', lastPoll: new Date('2024-06-01T11:45:00Z'), lastError: 'timeout: no answer within 20s', items: 87 },
      { id: 'hostile', title: HOSTILE, url: 'javascript:alert(1)', state: 'failing', lastPoll: null, lastError: `http_500: ${HOSTILE}`, items: 0 },
      { id: 'gone-source', title: 'Old blog', url: 'http://old.example/feed', state: 'gone', lastPoll: new Date('2024-05-30T08:00:00Z'), lastError: 'gone: HTTP 410, the publisher removed this feed', items: 5 },
    ],
    lastRefresh: new Date('2024-06-01T11:50:30Z'),
    version: '0.1.0',
    ...overrides,
  };
}
