/**
 * A busy feed is rendered again ahead of its next request (issue 15: a request during a cold poll waited for a
 * whole render): MIN_RENDER_INTERVAL_MS after a render, if the store changed and the feed was asked for within
 * BUSY_WITHIN_MS of that moment, the render runs in the background and the next request finds a current copy. A
 * feed nobody asked for since its render is left to be rendered when asked. Real SQLite in memory, the real
 * renderer; the renderer's clock is the test's, its timer real.
 */
import { expect } from 'chai';
import { parseConfig } from '../../../src/config/load.js';
import { BUSY_WITHIN_MS, makeFeedRenderer, MIN_RENDER_INTERVAL_MS } from '../../../src/publish/catalogue.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { FEEDS, PUTIN, SOURCES, refresh } from '../../store-contract/fixtures.js';

const config = parseConfig(
  `server:\n  base_url: "https://warta.example"\nsources:\n${SOURCES.map((s) => `  - id: ${s.id}\n    url: "${s.url}"\n`).join('')}tags:\n  - name: ${PUTIN}\n    match: 'Putin OR Kremlin'\noutputs:\n  - id: semua\n    title: Semua\n    tags: ['${PUTIN}']\n`,
  'test.yaml',
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('publish/catalogue: a busy feed rendered again ahead of its next request', function () {
  this.timeout(20_000);
  let store: Store;
  let now = 0;
  const clock = () => now;

  beforeEach(async () => {
    store = await openStore({ path: ':memory:' });
    await store.sources.ensure(SOURCES);
    await refresh(store, 'antara', FEEDS.antara);
    now = 0;
  });
  afterEach(() => store.close());

  it('renders a feed asked for through the interval again once the store changed: the next request finds the new item without rendering', async () => {
    const feeds = makeFeedRenderer(store, config, () => new Date('2026-12-03T00:00:00Z'), clock);
    const first = await feeds.render('/feeds/semua', 'rss');
    expect(first!.body.toString()).to.not.include('Kremlin bantah');
    // Asked for again just before the interval ends (a reader polling it, served the cached copy).
    now = MIN_RENDER_INTERVAL_MS - BUSY_WITHIN_MS / 2;
    expect(feeds.cached('/feeds/semua', 'rss')).to.equal(first);
    await refresh(store, 'tempo', FEEDS.tempo);
    now = MIN_RENDER_INTERVAL_MS;
    // Past the interval with the store changed, a request would have to render; the background render makes the
    // cached copy current before any request comes.
    let ahead = feeds.cached('/feeds/semua', 'rss');
    for (let i = 0; i < 100 && ahead === undefined; i++) {
      await sleep(100);
      ahead = feeds.cached('/feeds/semua', 'rss');
    }
    expect(ahead, 'a current copy without a request rendering it').to.not.equal(undefined);
    expect(ahead!.body.toString()).to.include('Kremlin bantah');
    // The same bytes a render on request gives.
    const fresh = await makeFeedRenderer(store, config, () => new Date('2026-12-03T00:00:00Z'), clock).render('/feeds/semua', 'rss');
    expect(ahead!.body.equals(fresh!.body)).to.equal(true);
    expect(ahead!.etag).to.equal(fresh!.etag);
  });

  it('leaves a feed nobody asked for since its render to be rendered on request', async () => {
    const feeds = makeFeedRenderer(store, config, () => new Date('2026-12-03T00:00:00Z'), clock);
    const first = await feeds.render('/feeds/semua', 'rss');
    await refresh(store, 'tempo', FEEDS.tempo);
    now = MIN_RENDER_INTERVAL_MS;
    await sleep(MIN_RENDER_INTERVAL_MS + 500);
    expect(feeds.cached('/feeds/semua', 'rss'), 'no copy rendered in the background').to.equal(undefined);
    const asked = await feeds.render('/feeds/semua', 'rss');
    expect(asked).to.not.equal(first);
    expect(asked!.body.toString()).to.include('Kremlin bantah');
  });
});
