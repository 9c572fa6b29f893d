import { expect } from 'chai';
import { register as globalRegistry } from 'prom-client';
import { errorCodeLabel, makeMetrics, outcomeLabel, routeLabel } from '../../../src/base/metrics.js';
import { parseExposition, type Sample } from '../../helpers/prometheus.js';

const valueOf = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;

describe('metrics: makeMetrics', () => {
  it('renders valid Prometheus exposition text with the default process metrics', async () => {
    const m = makeMetrics();
    const { body, contentType } = await m.render();
    expect(contentType).to.match(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const { types } = parseExposition(body);
    expect(types.get('process_cpu_user_seconds_total')).to.equal('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).to.equal('gauge');
    for (const [name, type] of Object.entries({
      warta_fetches_total: 'counter',
      warta_fetch_errors_total: 'counter',
      warta_fetch_duration_seconds: 'histogram',
      warta_parse_duration_seconds: 'histogram',
      warta_fetch_bytes_total: 'counter',
      warta_items_new_total: 'counter',
      warta_items_updated_total: 'counter',
      warta_items_per_tag: 'gauge',
      warta_failing_sources: 'gauge',
      warta_event_loop_lag_seconds: 'gauge',
      warta_http_requests_total: 'counter',
    })) {
      expect(types.get(name), name).to.equal(type);
    }
  });

  it('counts what it is told, per label set', async () => {
    const m = makeMetrics();
    m.fetches.inc({ source: 'antara', host: 'antaranews.com', outcome: 'updated' });
    m.fetches.inc({ source: 'antara', host: 'antaranews.com', outcome: 'updated' });
    m.fetches.inc({ source: 'tempo', host: 'tempo.co', outcome: outcomeLabel('not_modified') });
    m.fetchErrors.inc({ source: 'tempo', code: errorCodeLabel('http_503') });
    m.fetchBytes.inc({ source: 'antara' }, 2048);
    m.itemsNew.inc({ source: 'antara' }, 7);
    m.itemsUpdated.inc({ source: 'antara' });
    m.fetchDuration.observe({ host: 'antaranews.com' }, 0.3);
    m.fetchDuration.observe({ host: 'antaranews.com' }, 25);
    m.parseDuration.observe({ host: 'antaranews.com' }, 0.004);
    m.eventLoopLag.set(1.5);
    m.countRequest(routeLabel('/tags/putin.rss'), 200);
    m.countRequest(routeLabel('/tags/lukashenko.atom'), 200);
    m.countRequest(routeLabel('/tags/x.json?token=secret'), 304);

    const { samples } = parseExposition((await m.render()).body);
    expect(valueOf(samples, 'warta_fetches_total', { source: 'antara', host: 'antaranews.com', outcome: 'updated' })).to.equal(2);
    expect(valueOf(samples, 'warta_fetches_total', { source: 'tempo', host: 'tempo.co', outcome: 'not_modified' })).to.equal(1);
    expect(valueOf(samples, 'warta_fetch_errors_total', { source: 'tempo', code: 'http_5xx' })).to.equal(1);
    expect(valueOf(samples, 'warta_fetch_bytes_total', { source: 'antara' })).to.equal(2048);
    expect(valueOf(samples, 'warta_items_new_total', { source: 'antara' })).to.equal(7);
    expect(valueOf(samples, 'warta_items_updated_total', { source: 'antara' })).to.equal(1);
    expect(valueOf(samples, 'warta_fetch_duration_seconds_count', { host: 'antaranews.com' })).to.equal(2);
    expect(valueOf(samples, 'warta_fetch_duration_seconds_bucket', { host: 'antaranews.com', le: '0.5' })).to.equal(1);
    expect(valueOf(samples, 'warta_fetch_duration_seconds_bucket', { host: 'antaranews.com', le: '+Inf' })).to.equal(2);
    expect(valueOf(samples, 'warta_parse_duration_seconds_sum', { host: 'antaranews.com' })).to.equal(0.004);
    expect(valueOf(samples, 'warta_event_loop_lag_seconds', {})).to.equal(1.5);
    expect(valueOf(samples, 'warta_http_requests_total', { route: '/tags/{slug}.{fmt}', status: '200' })).to.equal(2);
    expect(valueOf(samples, 'warta_http_requests_total', { route: '/tags/{slug}.{fmt}', status: '304' })).to.equal(1);
    expect(samples.some((s) => Object.values(s.labels).some((v) => v.includes('secret')))).to.equal(false);

    m.fetches.inc({ source: 'antara', host: 'antaranews.com', outcome: 'updated' });
    // Requests counted between scrapes add to what the previous scrape showed, neither lost nor counted twice.
    m.countRequest(routeLabel('/tags/putin.json'), 200);
    const again = parseExposition((await m.render()).body).samples;
    expect(valueOf(again, 'warta_fetches_total', { source: 'antara', host: 'antaranews.com', outcome: 'updated' })).to.equal(3);
    expect(valueOf(again, 'warta_http_requests_total', { route: '/tags/{slug}.{fmt}', status: '200' })).to.equal(3);
    expect(valueOf(again, 'warta_http_requests_total', { route: '/tags/{slug}.{fmt}', status: '304' })).to.equal(1);
  });

  it('reads the database gauges once per scrape and drops tags that went away', async () => {
    let calls = 0;
    let snapshot = { itemsPerTag: new Map([['Hubungan Rusia dengan Belarusia', 12], ['He said "hi"\\\n', 3]]), failingSources: 2 };
    const m = makeMetrics({ collect: async () => (calls++, snapshot) });
    let { samples } = parseExposition((await m.render()).body);
    expect(calls).to.equal(1);
    expect(valueOf(samples, 'warta_items_per_tag', { tag: 'Hubungan Rusia dengan Belarusia' })).to.equal(12);
    expect(valueOf(samples, 'warta_items_per_tag', { tag: 'He said "hi"\\\n' }), 'label escaping round-trips').to.equal(3);
    expect(valueOf(samples, 'warta_failing_sources', {})).to.equal(2);

    snapshot = { itemsPerTag: new Map([['Vladimir Putin', 4]]), failingSources: 0 };
    ({ samples } = parseExposition((await m.render()).body));
    expect(samples.filter((s) => s.name === 'warta_items_per_tag').map((s) => [s.labels.tag, s.value])).to.deep.equal([['Vladimir Putin', 4]]);
    expect(valueOf(samples, 'warta_failing_sources', {})).to.equal(0);
  });

  it('keeps each instance on its own registry, never the global one', async () => {
    const a = makeMetrics();
    const b = makeMetrics();
    a.itemsNew.inc({ source: 's' });
    expect(valueOf(parseExposition((await b.render()).body).samples, 'warta_items_new_total', { source: 's' })).to.equal(undefined);
    expect(await globalRegistry.getSingleMetric('warta_items_new_total')).to.equal(undefined);
  });
});

describe('metrics: labels stay bounded', () => {
  const routes: [string, string][] = [
    ['/', '/'],
    ['/tags/hubungan-rusia-dengan-belarusia.rss', '/tags/{slug}.{fmt}'],
    ['/tags/putin.atom', '/tags/{slug}.{fmt}'],
    ['/tags/putin.json', '/tags/{slug}.{fmt}'],
    ['/feeds/rusia-belarusia.rss', '/feeds/{id}.{fmt}'],
    ['/feeds/rusia-belarusia.json?token=abc', '/feeds/{id}.{fmt}'],
    ['/opml', '/opml'],
    ['/healthz', '/healthz'],
    ['/readyz', '/readyz'],
    ['/metrics', '/metrics'],
    ['/api/sources', '/api/sources'],
    ['/api/items', '/api/items'],
    ['/api/items/123', '/api/items/{id}'],
    ['/api/items/urn:uuid:0f1e', '/api/items/{id}'],
    ['/tags/putin.html', 'other'],
    ['/tags/a/b.rss', 'other'],
    ['/feeds/.rss', 'other'],
    ['/wp-login.php', 'other'],
    ['/opml/', 'other'],
    ['/api/items/1/2', 'other'],
    ['', 'other'],
  ];
  for (const [path, label] of routes) it(`routeLabel(${JSON.stringify(path)}) = ${label}`, () => expect(routeLabel(path)).to.equal(label));

  it('outcomeLabel keeps known outcomes and folds the rest into failed', () => {
    expect(['updated', 'not_modified', 'failed', 'skipped', 'aborted', 'weird'].map(outcomeLabel)).to.deep.equal(['updated', 'not_modified', 'failed', 'skipped', 'aborted', 'failed']);
  });

  it('errorCodeLabel folds HTTP statuses into classes and keeps catalogue codes', () => {
    expect(['http_404', 'http_410', 'http_503', 'timeout', 'not_a_feed', 'Bad Code!', 'x'.repeat(40)].map(errorCodeLabel)).to.deep.equal(['http_4xx', 'http_4xx', 'http_5xx', 'timeout', 'not_a_feed', 'other', 'other']);
  });
});
