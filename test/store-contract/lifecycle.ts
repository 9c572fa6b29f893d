/** Health and shutdown: ping(), close(), and what a closed store answers. */
import { expect } from 'chai';
import { WartaError } from '../../src/base/errors.js';
import type { Store } from '../../src/store/store.js';
import { A1, SOURCES, at, okPoll, seed } from './fixtures.js';
import type { Harness } from './harness.js';

const NOW = at('2026-11-24T00:00:00Z');

/** Every operation of the interface, as a call on a store. */
const OPERATIONS: { name: string; call: (s: Store) => Promise<unknown> }[] = [
  { name: 'sources.get', call: (s) => s.sources.get('antara') },
  { name: 'sources.all', call: (s) => s.sources.all() },
  { name: 'sources.ensure', call: (s) => s.sources.ensure([SOURCES[0]]) },
  { name: 'sources.recordPoll', call: (s) => s.sources.recordPoll('antara', okPoll(NOW)) },
  { name: 'sources.itemCounts', call: (s) => s.sources.itemCounts() },
  { name: 'items.lookup', call: (s) => s.items.lookup('antara', [`g:${A1.guid}`]) },
  { name: 'items.commitRefresh', call: (s) => s.items.commitRefresh({ sourceId: 'antara', inserts: [], updates: [], poll: okPoll(NOW) }) },
  { name: 'items.select', call: (s) => s.items.select({ tags: [], output: null, sources: [], limit: 10 }) },
  { name: 'items.browse', call: (s) => s.items.browse({ tag: null, source: null, since: null, before: null, limit: 10 }) },
  { name: 'items.find', call: (s) => s.items.find({ id: 1 }) },
  { name: 'items.countsByTag', call: (s) => s.items.countsByTag() },
  { name: 'retag.state', call: (s) => s.retag.state() },
  { name: 'retag.begin', call: (s) => s.retag.begin('f') },
  { name: 'retag.rangeEnd', call: (s) => s.retag.rangeEnd(0, 10) },
  { name: 'retag.countAfter', call: (s) => s.retag.countAfter(0, 10) },
  { name: 'retag.readRange', call: (s) => s.retag.readRange(0, 10) },
  { name: 'retag.apply', call: (s) => s.retag.apply([], { fingerprint: 'f', after: 0 }) },
  { name: 'retag.finish', call: (s) => s.retag.finish('f', null) },
  { name: 'retention.prune', call: (s) => s.retention.prune(NOW, 30, new Map()) },
  { name: 'stories.byCanonical', call: (s) => s.stories.byCanonical('antara', ['https://example.com/a']) },
  { name: 'stories.firstStored', call: (s) => s.stories.firstStored([1]) },
  { name: 'stories.newestId', call: (s) => s.stories.newestId() },
  { name: 'stories.members', call: (s) => s.stories.members(NOW, 0, 10, 10) },
  { name: 'stories.window', call: (s) => s.stories.window(NOW, 10, null, 10) },
  { name: 'stories.clusters', call: (s) => s.stories.clusters([1]) },
  { name: 'stories.sizes', call: (s) => s.stories.sizes([1]) },
  { name: 'stories.list', call: (s) => s.stories.list({ tag: null, since: null, limit: 10 }) },
  { name: 'stories.appearances', call: (s) => s.stories.appearances([1]) },
  { name: 'stories.readRange', call: (s) => s.stories.readRange(NOW, 0, 10) },
  { name: 'stories.apply', call: (s) => s.stories.apply([], { key: 'k', value: '0' }) },
  { name: 'stories.getMeta', call: (s) => s.stories.getMeta('k') },
  { name: 'stories.setMeta', call: (s) => s.stories.setMeta('k', 'v') },
];

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('resolved; expected a rejection');
}

export function describeLifecycle(h: Harness): void {
  describe('ping and close', () => {
    it('ping() is true while the store answers', async () => {
      expect(await h.store.ping()).to.equal(true);
      await seed(h.store);
      expect(await h.store.ping()).to.equal(true);
    });

    it('names its kind and where it keeps its data, without credentials', () => {
      expect(h.store.kind).to.be.a('string');
      expect(h.store.location).to.be.a('string').and.not.match(/:\/\/[^/@\s]+:[^/@\s]+@/);
    });

    it('close() resolves; ping() is then false', async () => {
      await seed(h.store);
      await h.store.close();
      expect(await h.store.ping()).to.equal(false);
    });

    describe('after close(), every operation rejects with a WartaError `storage`', () => {
      for (const op of OPERATIONS) {
        it(op.name, async () => {
          await h.store.sources.ensure(SOURCES);
          await h.store.close();
          const err = await rejection(op.call(h.store));
          expect(err).to.be.instanceOf(WartaError);
          expect((err as WartaError).code).to.equal('storage');
        });
      }
    });

    h.deviation('change-token-after-close', 'changeToken() after close() returns a token or throws a WartaError `storage` (a feed request may race shutdown)', async () => {
      await h.store.close();
      let token: unknown;
      try {
        token = h.store.changeToken();
      } catch (err) {
        expect(err).to.be.instanceOf(WartaError);
        expect((err as WartaError).code).to.equal('storage');
        return;
      }
      expect(token).to.be.a('string');
    });
  });
}
