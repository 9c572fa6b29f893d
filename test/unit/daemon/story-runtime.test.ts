/**
 * The story runtime over a real SQLite store (:memory:): the outlet's own item taking over an aggregator's relay
 * replaces the relay in the window's index, so later items are compared with the outlet's version (issue 13).
 */
import { expect } from 'chai';
import pino from 'pino';
import { assignKeys } from '../../../src/pipeline/dedupe.js';
import { lookupKeys, planRefresh } from '../../../src/pipeline/plan.js';
import { makeStoryRuntime, type StoryRuntime } from '../../../src/daemon/story-runtime.js';
import { canonicalUrl } from '../../../src/stories/index.js';
import type { IncomingItem } from '../../../src/base/model.js';
import type { Store } from '../../../src/store/store.js';
import { sqliteStore, UNTAGGED } from '../../helpers/store.js';

const NOW = new Date('2026-11-21T00:00:00Z');
const LINK = 'https://www.antaranews.com/berita/4520001/putin-dan-lukashenko-bahas-negara-kesatuan-di-minsk';
const SOURCES = [
  { id: 'agregat', url: 'https://agregat.example/rss' },
  { id: 'antara', url: 'https://www.antaranews.com/rss/terkini.xml' },
];
const item = (title: string, link: string): IncomingItem => ({
  guid: null, link, title, author: null, categories: [], updated: null, content: null,
  summary: 'Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Minsk pada Kamis (20/11) untuk membahas integrasi Negara Kesatuan.',
  published: new Date('2026-11-20T05:00:00Z'),
});

/** One refresh of `sourceId` through the runtime, as refresh.ts runs it. */
async function refresh(store: Store, runtime: StoryRuntime, sourceId: string, items: IncomingItem[]) {
  const keyed = assignKeys(items);
  const plan = planRefresh(sourceId, keyed, await store.items.lookup(sourceId, lookupKeys(keyed)), NOW, UNTAGGED, (l) => runtime.canonicalUrl(l));
  const source = { id: sourceId, urls: [SOURCES.find((s) => s.id === sourceId)!.url, null] };
  return runtime.commit(source, plan.inserts, (inserts) => store.items.commitRefresh({
    sourceId, inserts, updates: [], poll: { now: NOW, status: 200, state: 'ok', error: null, consecutiveFailures: 0, success: true },
  }));
}

describe('daemon/story-runtime: a takeover in the window\'s index', () => {
  it('replaces the relay with the outlet\'s item, in the same story', async () => {
    const { store } = sqliteStore(':memory:');
    await store.sources.ensure(SOURCES);
    const runtime = makeStoryRuntime(store, () => ({ windowMs: 72 * 3_600_000, threshold: 0.3, ignoreParams: [] }), () => NOW, pino({ level: 'silent' }));
    const relayed = await refresh(store, runtime, 'agregat', [item('ANTARA - Putin dan Lukashenko di Minsk', `${LINK}?utm_source=agregat`)]);
    expect(canonicalUrl(`${LINK}?utm_source=agregat`)).to.equal(LINK);
    const relay = relayed.placed![0]!;
    expect(runtime.size()).to.equal(1);
    const own = await refresh(store, runtime, 'antara', [item('Putin dan Lukashenko bahas Negara Kesatuan di Minsk', LINK)]);
    expect(own.placed![0]).to.deep.include({ clusterId: relay.clusterId, appearanceOf: null, tookOver: relay.id });
    // One member: the outlet's item; the relay is an appearance now, no member.
    expect(runtime.size()).to.equal(1);
    // A fresh runtime reading the window from the store agrees.
    const fresh = makeStoryRuntime(store, () => ({ windowMs: 72 * 3_600_000, threshold: 0.3, ignoreParams: [] }), () => NOW, pino({ level: 'silent' }));
    await refresh(store, fresh, 'agregat', []);
    expect(fresh.size()).to.equal(1);
    await store.close();
  });
});

describe('daemon/story-runtime: canonical URLs', () => {
  it('takes the one a parser thread made under the tracking parameters in force, and makes it again under others', async () => {
    const { store } = sqliteStore(':memory:');
    let ignoreParams = ['ref'];
    const runtime = makeStoryRuntime(store, () => ({ windowMs: 72 * 3_600_000, threshold: 0.3, ignoreParams }), () => NOW, pino({ level: 'silent' }));
    const link = `${LINK}?ref=rss&id=2`;
    expect(runtime.canonicalUrl(link)).to.equal(`${LINK}?id=2`);
    // Made under ['ref']: taken as it is (a marker URL shows it was not made again).
    expect(runtime.canonicalUrl(link, { url: 'https://made.example/', params: 'ref' })).to.equal('https://made.example/');
    // Made under other parameters (a reload meanwhile): made again here.
    expect(runtime.canonicalUrl(link, { url: 'https://made.example/', params: '' })).to.equal(`${LINK}?id=2`);
    ignoreParams = [];
    expect(runtime.canonicalUrl(link, { url: 'https://made.example/', params: 'ref' })).to.equal(`${LINK}?id=2&ref=rss`);
    expect(runtime.canonicalUrl(link, { url: null, params: '' })).to.equal(null);
    await store.close();
  });
});
