/**
 * Article pages of full_text sources (issue 12): queued with the item by the commit that writes it, claimed
 * under a lease, and written back onto the item — only while the item still holds what the feed gave when the
 * page was claimed. Failures are recorded on the item and retried when asked to; the API reads the page's fate.
 */
import { expect } from 'chai';
import type { IncomingItem } from '../../src/base/model.js';
import type { PageRequest, Store } from '../../src/store/store.js';
import { A1, A2, A3, NOW, SOURCES, T1, at, commit, plan, refresh } from './fixtures.js';
import type { Harness } from './harness.js';

const LATER = at('2026-11-24T00:10:00Z');
const LEASE = at('2026-11-24T00:05:00Z');

/** One refresh of `sourceId` in which every new or changed item asks for its page. */
async function refreshWithPages(store: Store, sourceId: string, items: readonly IncomingItem[], mode: PageRequest['mode'] = 'full', now = NOW) {
  const p = await plan(store, sourceId, items, { now });
  const ask = <T extends { link: string | null; published: Date }>(w: T) => ({ ...w, page: w.link ? { url: w.link, mode, feedDated: true } : null });
  return commit(store, sourceId, { ...p, inserts: p.inserts.map(ask), updates: p.updates.map(ask) }, { now });
}

async function idOf(store: Store, link: string): Promise<number> {
  return (await store.items.find({ link }))!.id;
}

export function describePages(h: Harness): void {
  describe('pages', () => {
    beforeEach(async () => {
      await h.store.sources.ensure(SOURCES);
    });

    it('queues the page of each new item that asks for one, and claims each once under a lease', async () => {
      await refreshWithPages(h.store, 'antara', [A1, A2]);
      await refresh(h.store, 'tempo', [T1]); // asks for none
      expect(await h.store.pages.nextDue()).to.deep.equal(NOW);
      const jobs = await h.store.pages.claim(NOW, 10, LEASE);
      expect(jobs.map((j) => j.url).sort()).to.deep.equal([A1.link, A2.link].sort());
      const j = jobs.find((x) => x.url === A1.link)!;
      expect(j).to.include({ sourceId: 'antara', mode: 'full', feedDated: true, attempts: 0 });
      expect(j.item).to.include({ title: A1.title, summary: A1.summary, content: A1.content });
      expect(j.item.categories).to.deep.equal(A1.categories);
      // Leased: not claimed again before the lease ends, claimed again after it (a process died mid-fetch).
      expect(await h.store.pages.claim(NOW, 10, LEASE)).to.have.length(0);
      expect(await h.store.pages.nextDue()).to.deep.equal(LEASE);
      expect(await h.store.pages.claim(LEASE, 1, LATER)).to.have.length(1);
      expect((await h.store.pages.status(await idOf(h.store, T1.link!)))).to.equal(null);
      expect((await h.store.pages.status(j.itemId))).to.deep.equal({ state: 'pending', attempts: 0, error: null });
    });

    it('complete() publishes the article as content, the feed text as summary, re-labels the item and merges keywords into categories', async () => {
      await refreshWithPages(h.store, 'antara', [A1]);
      const [j] = await h.store.pages.claim(NOW, 10, LEASE);
      const article = '<p>Minsk (ANTARA) - Yevgeny Prigozhin disebut dalam paragraf terakhir.</p>';
      const tokenBefore = h.store.changeToken();
      const ok = await h.store.pages.complete({
        itemId: j!.itemId, expectedHash: j!.contentHash, now: LATER,
        publish: { content: article, summary: A1.summary }, article: null,
        keywords: ['Yevgeny Prigozhin'], categories: [...A1.categories, 'Yevgeny Prigozhin'], published: null,
        tags: [{ tag: 'Yevgeny Prigozhin', explain: [{ rule: 'publisher_keywords', field: 'category', text: 'Yevgeny Prigozhin', start: 0, end: 17 }] }],
        outputs: ['prigozhin'], canonicalUrl: A1.link,
      });
      expect(ok).to.equal(true);
      expect(h.store.changeToken()).to.not.equal(tokenBefore);
      const item = (await h.store.items.find({ id: j!.itemId }))!;
      expect(item.content).to.equal(article);
      expect(item.summary).to.equal(A1.summary);
      expect(item.categories).to.deep.equal(['Dunia', 'Eropa', 'Yevgeny Prigozhin']);
      expect(item.tags).to.deep.equal(['Yevgeny Prigozhin']);
      expect(item.published).to.deep.equal(A1.published); // the feed's date stays (published: null)
      expect(item.page).to.deep.equal({ state: 'done', error: null });
      expect(await h.store.items.select({ tags: [], output: 'prigozhin', sources: [], limit: 10 })).to.have.length(1);
      expect(await h.store.pages.nextDue()).to.equal(null);
      // The next poll of the unchanged feed leaves the article in place and asks for nothing.
      const again = await refreshWithPages(h.store, 'antara', [A1], 'full', LATER);
      expect(again).to.include({ inserted: 0, updated: 0 });
      expect((await h.store.items.find({ id: j!.itemId }))!.content).to.equal(article);
    });

    it('complete() with tag_only keeps the published text and gives re-tagging the article and keywords', async () => {
      await refreshWithPages(h.store, 'antara', [A2], 'tag_only');
      const [j] = await h.store.pages.claim(NOW, 10, LEASE);
      expect(j!.mode).to.equal('tag_only');
      await h.store.pages.complete({
        itemId: j!.itemId, expectedHash: j!.contentHash, now: LATER, publish: null,
        article: '<p>Gazprom dan Lukashenko sepakat.</p>', keywords: ['Gazprom'], categories: ['Dunia', 'Gazprom'],
        published: at('2026-11-21T06:00:00Z'), tags: [], outputs: [],
      });
      const item = (await h.store.items.find({ id: j!.itemId }))!;
      expect(item.content).to.equal(A2.content);
      expect(item.summary).to.equal(A2.summary);
      expect(item.published).to.deep.equal(at('2026-11-21T06:00:00Z'));
      const [row] = (await h.store.retag.readRange(0, Number.MAX_SAFE_INTEGER)).filter((r) => r.id === j!.itemId);
      expect(row!.item.content).to.equal('<p>Gazprom dan Lukashenko sepakat.</p>');
      expect(row!.item.keywords).to.deep.equal(['Gazprom']);
    });

    it('complete() is a no-op once the feed changed the item, and the change queues the page afresh', async () => {
      await refreshWithPages(h.store, 'antara', [A1]);
      const [j] = await h.store.pages.claim(NOW, 10, LEASE);
      await h.store.pages.fail({ itemId: j!.itemId, now: NOW, error: { code: 'timeout', message: 'slow' }, retryAt: LATER });
      const changed = { ...A1, title: `${A1.title} (diperbarui)` };
      expect(await refreshWithPages(h.store, 'antara', [changed], 'full', LEASE)).to.include({ updated: 1 });
      expect(await h.store.pages.status(j!.itemId)).to.deep.equal({ state: 'pending', attempts: 0, error: null });
      const ok = await h.store.pages.complete({
        itemId: j!.itemId, expectedHash: j!.contentHash, now: LATER, publish: { content: '<p>lama</p>', summary: null },
        article: null, keywords: [], categories: [], published: null, tags: [], outputs: [],
      });
      expect(ok).to.equal(false);
      expect((await h.store.items.find({ id: j!.itemId }))!.title).to.equal(changed.title);
      expect((await h.store.items.find({ id: j!.itemId }))!.content).to.equal(A1.content);
    });

    it('fail() records the error on the item, retries when asked, and gives up when not', async () => {
      await refreshWithPages(h.store, 'antara', [A1, A3]);
      const jobs = await h.store.pages.claim(NOW, 10, LEASE);
      const [a, b] = jobs.sort((x, y) => x.itemId - y.itemId);
      await h.store.pages.fail({ itemId: a!.itemId, now: NOW, error: { code: 'http_503', message: 'HTTP 503' }, retryAt: LATER });
      await h.store.pages.fail({ itemId: b!.itemId, now: NOW, error: { code: 'not_html', message: 'application/pdf is not HTML' }, retryAt: null });
      expect(await h.store.pages.status(a!.itemId)).to.deep.equal({ state: 'pending', attempts: 1, error: { code: 'http_503', message: 'HTTP 503' } });
      expect(await h.store.pages.status(b!.itemId)).to.deep.equal({ state: 'failed', attempts: 1, error: { code: 'not_html', message: 'application/pdf is not HTML' } });
      const listed = await h.store.items.browse({ tag: null, source: 'antara', since: null, before: null, limit: 10 });
      expect(listed.find((i) => i.id === b!.itemId)!.page).to.deep.equal({ state: 'failed', error: { code: 'not_html', message: 'application/pdf is not HTML' } });
      // The feed's text stays.
      expect(listed.find((i) => i.id === a!.itemId)!.content).to.equal(A1.content);
      expect(await h.store.pages.nextDue()).to.deep.equal(LATER);
      expect(await h.store.pages.claim(LEASE, 10, LATER)).to.have.length(0);
      const [retry] = await h.store.pages.claim(LATER, 10, at('2026-11-24T00:15:00Z'));
      expect(retry).to.include({ itemId: a!.itemId, attempts: 1 });
    });

    it('backfill() queues the stored items first seen since the cut-off that have no page, once', async () => {
      await refresh(h.store, 'antara', [A1, A2]); // full_text was off
      await refresh(h.store, 'antara', [A1, A2, A3], { now: LATER });
      expect(await h.store.pages.backfill('antara', LATER, 'full', LATER)).to.equal(1);
      expect(await h.store.pages.backfill('antara', NOW, 'tag_only', LATER)).to.equal(2);
      expect(await h.store.pages.backfill('antara', NOW, 'full', LATER)).to.equal(0);
      expect(await h.store.pages.backfill('tempo', NOW, 'full', LATER)).to.equal(0);
      const jobs = await h.store.pages.claim(LATER, 10, at('2026-11-24T00:15:00Z'));
      expect(jobs.map((j) => [j.url, j.mode]).sort()).to.deep.equal([[A1.link, 'tag_only'], [A2.link, 'tag_only'], [A3.link, 'full']].sort());
    });

    it('an item removed by retention takes its page with it', async () => {
      await refreshWithPages(h.store, 'antara', [A1, A2]);
      await h.store.retention.prune(LATER, null, new Map([['antara', 1]]));
      expect(await h.store.pages.claim(NOW, 10, LEASE)).to.have.length(1);
    });

    it('markDegraded() puts an ok source in degraded with the error, keeps a worse state, and a successful poll clears it', async () => {
      const problem = { code: 'selector_empty', message: 'content_selector "div.txt" matched nothing' };
      await h.store.sources.markDegraded('antara', problem);
      expect(await h.store.sources.get('antara')).to.include({ state: 'degraded', lastErrorCode: 'selector_empty', lastErrorMessage: problem.message });
      await h.store.sources.recordPoll('kompas', { now: NOW, status: 503, state: 'failing', error: { code: 'http_503', message: 'HTTP 503' }, consecutiveFailures: 3 });
      await h.store.sources.markDegraded('kompas', problem);
      expect(await h.store.sources.get('kompas')).to.include({ state: 'failing', consecutiveFailures: 3, lastErrorCode: 'http_503' });
      await refresh(h.store, 'antara', [A1], { now: LATER });
      expect(await h.store.sources.get('antara')).to.include({ state: 'ok', lastErrorCode: null });
    });

    it('clearDegraded() ends exactly the problem markDegraded() recorded, and nothing recorded since', async () => {
      const problem = { code: 'selector_empty', message: 'content_selector "div.txt" matched nothing' };
      await h.store.sources.markDegraded('antara', problem);
      await h.store.sources.clearDegraded('antara', { ...problem, message: 'content_selector "div.lain" matched nothing' });
      expect(await h.store.sources.get('antara')).to.include({ state: 'degraded', lastErrorCode: 'selector_empty' });
      await h.store.sources.clearDegraded('antara', problem);
      expect(await h.store.sources.get('antara')).to.include({ state: 'ok', lastErrorCode: null, lastErrorMessage: null });
      await h.store.sources.recordPoll('kompas', { now: NOW, status: 503, state: 'degraded', error: { code: 'http_503', message: 'HTTP 503' }, consecutiveFailures: 1 });
      await h.store.sources.clearDegraded('kompas', problem);
      expect(await h.store.sources.get('kompas')).to.include({ state: 'degraded', lastErrorCode: 'http_503' });
    });

    it('a re-tag change read before a page was written onto the item is dropped (the page decided its tags)', async () => {
      await refreshWithPages(h.store, 'antara', [A1]);
      const [before] = await h.store.retag.readRange(0, Number.MAX_SAFE_INTEGER);
      const [j] = await h.store.pages.claim(NOW, 10, LEASE);
      await h.store.pages.complete({
        itemId: j!.itemId, expectedHash: j!.contentHash, now: LATER, publish: { content: '<p>Peskov</p>', summary: A1.summary },
        article: null, keywords: [], categories: A1.categories, published: null,
        tags: [{ tag: 'Juru Bicara Kremlin', explain: [{ rule: 'Peskov', field: 'content', text: 'Peskov', start: 0, end: 6 }] }], outputs: [],
      });
      const stale = await h.store.retag.apply([{ id: before!.id, contentHash: before!.contentHash, tags: [], explains: [], outputs: [] }], { fingerprint: 'f', after: before!.id });
      expect(stale.changed).to.equal(0);
      expect((await h.store.items.find({ id: before!.id }))!.tags).to.deep.equal(['Juru Bicara Kremlin']);
      // Read again after the page: the change applies.
      const [after] = await h.store.retag.readRange(0, Number.MAX_SAFE_INTEGER);
      expect(after!.contentHash).to.not.equal(before!.contentHash);
      expect((await h.store.retag.apply([{ id: after!.id, contentHash: after!.contentHash, tags: [], explains: [], outputs: [] }], { fingerprint: 'f', after: after!.id })).changed).to.equal(1);
    });
  });
}
