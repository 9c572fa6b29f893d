/**
 * Items: what a refresh reads (lookup) and writes (commitRefresh). The store re-checks every planned write
 * against what it holds, so a plan made from a stale read is dropped and counted, never applied.
 */
import { expect } from 'chai';
import type { IncomingItem, StoredItem } from '../../src/base/model.js';
import { encodeExplain } from '../../src/store/explain-json.js';
import type { MatchedTag } from '../../src/store/store.js';
import {
  A1, A2, A3, A4, FEEDS, K1, NOW, PUTIN, PUTIN_TANPA_OPINI, RUSIA_BELARUS, SOURCES, article, at, classify, commit, keyOf,
  keywordClassifier, okPoll, plan, refresh, seed, uidOf,
} from './fixtures.js';
import type { Harness } from './harness.js';

const LATER = at('2026-11-24T00:15:00Z');
const okPollNow = () => okPoll(NOW);

/** What find() shows of why an item carries its tags: every match, tags in name order. */
function matchesOf(tags: readonly MatchedTag[]) {
  return [...tags].sort((a, b) => (a.tag < b.tag ? -1 : 1)).flatMap((t) => t.explain.map((m) => ({ tag: t.tag, ...m })));
}

async function findOrFail(h: Harness, ref: Parameters<Harness['store']['items']['find']>[0]): Promise<StoredItem> {
  const found = await h.store.items.find(ref);
  expect(found, `an item for ${JSON.stringify(ref)}`).to.not.equal(null);
  return found!;
}

export function describeItems(h: Harness): void {
  describe('items: lookup and commitRefresh', () => {
    beforeEach(async () => {
      await h.store.sources.ensure(SOURCES);
    });

    it('lookup finds stored keys with id, content hash, published and link; unknown keys are absent', async () => {
      await refresh(h.store, 'antara', [A1, A2]);
      const p = await plan(h.store, 'antara', [A1, A2]); // all unchanged now: the plan's hashes are the stored ones
      expect(p.unchanged).to.equal(2);
      const found = await h.store.items.lookup('antara', [keyOf(A1), keyOf(A2), 'g:https://www.antaranews.com/berita/1/tidak-ada']);
      expect([...found.byKey.keys()].sort()).to.deep.equal([keyOf(A1), keyOf(A2)].sort());
      expect(found.tombstoned.size).to.equal(0);
      const a1 = found.byKey.get(keyOf(A1))!;
      const stored = await findOrFail(h, { uid: uidOf('antara', A1) });
      expect(a1.id).to.equal(stored.id);
      expect(a1.key).to.equal(keyOf(A1));
      expect(a1.link).to.equal(A1.link);
      expect(new Date(a1.published).getTime()).to.equal(A1.published!.getTime());
      expect(a1.contentHash).to.be.a('string').and.not.equal(found.byKey.get(keyOf(A2))!.contentHash);
    });

    it('known() finds rows by the digest of their raw text; an update without one clears it; digests of unchanged rows are set', async () => {
      const withDigest = (p: Awaited<ReturnType<typeof plan>>, d: Record<string, string>) =>
        ({ ...p, inserts: p.inserts.map((i) => ({ ...i, rawDigest: d[i.key] ?? null })), updates: p.updates.map((u) => ({ ...u, rawDigest: d[u.key] ?? null })) });
      await commit(h.store, 'antara', withDigest(await plan(h.store, 'antara', [A1, A2]), { [keyOf(A1)]: 'd-a1', [keyOf(A2)]: 'd-a2' }));
      const known = await h.store.items.known('antara', ['d-a1', 'd-a2', 'd-none']);
      expect([...known.keys()].sort()).to.deep.equal(['d-a1', 'd-a2']);
      expect(known.get('d-a1')).to.deep.equal({ key: keyOf(A1), guid: A1.guid, link: A1.link, contentHash: (await h.store.items.lookup('antara', [keyOf(A1)])).byKey.get(keyOf(A1))!.contentHash });
      expect((await h.store.items.known('kompas', ['d-a1'])).size).to.equal(0);
      expect((await h.store.items.lookup('antara', [keyOf(A1)])).byKey.get(keyOf(A1))!.rawDigest).to.equal('d-a1');

      // An edit written without a digest clears the old one: that text no longer describes the row.
      await commit(h.store, 'antara', await plan(h.store, 'antara', [{ ...A1, title: `${A1.title} (diperbarui)` }, A2]));
      expect([...(await h.store.items.known('antara', ['d-a1', 'd-a2'])).keys()]).to.deep.equal(['d-a2']);

      const id = (await h.store.items.lookup('antara', [keyOf(A1)])).byKey.get(keyOf(A1))!.id;
      await h.store.items.commitRefresh({ sourceId: 'antara', inserts: [], updates: [], digests: [{ id, rawDigest: 'd-a1b' }], poll: okPollNow() });
      expect((await h.store.items.known('antara', ['d-a1b'])).get('d-a1b')?.key).to.equal(keyOf(A1));
      // Only the source's own rows: a digest for another source's id is not written.
      await h.store.items.commitRefresh({ sourceId: 'kompas', inserts: [], updates: [], digests: [{ id, rawDigest: 'd-x' }], poll: okPollNow() });
      expect((await h.store.items.known('antara', ['d-x'])).size).to.equal(0);
    });

    it('explanations given already encoded (a parser thread encodes them) are written as the same column text, on insert and update', async () => {
      // As the parser thread hands them over: each tag's matches as encodeExplain's text.
      const encoded = (item: IncomingItem) => {
        const c = classify(item);
        return { tags: c.tags.map((t) => ({ tag: t.tag, explain: encodeExplain(t.explain) })), outputs: c.outputs };
      };
      const edited = { ...A1, title: `${A1.title} soal harga gas`, updated: LATER };
      await refresh(h.store, 'antara', [A1], { classify: encoded });
      await refresh(h.store, 'kompas', [A1]);
      const texts = async () => new Map((await h.store.retag.readRange(0, Number.MAX_SAFE_INTEGER)).map((r) => [r.sourceId, [...r.tags].sort()]));
      const inserted = await texts();
      expect(inserted.get('antara')).to.deep.equal(inserted.get('kompas')).and.have.length(2);
      expect(inserted.get('antara')!.map(([, text]) => text)).to.deep.equal(classify(A1).tags.sort((a, b) => (a.tag < b.tag ? -1 : 1)).map((t) => encodeExplain(t.explain)));
      const a1 = await findOrFail(h, { uid: uidOf('antara', A1) });
      expect(a1.matches).to.deep.equal(matchesOf(classify(A1).tags));
      // An update rewrites the labels from the encoded text too.
      await refresh(h.store, 'antara', [edited], { classify: encoded, now: LATER });
      await refresh(h.store, 'kompas', [edited], { now: LATER });
      const updated = await texts();
      expect(updated.get('antara')).to.deep.equal(updated.get('kompas')).and.have.length(3);
      expect((await findOrFail(h, { uid: uidOf('antara', A1) })).matches).to.deep.equal(matchesOf(classify(edited).tags));
    });

    it('lookup is per source: the same key under another source is not found', async () => {
      await refresh(h.store, 'kompas', [K1]);
      expect((await h.store.items.lookup('antara', [keyOf(K1)])).byKey.size).to.equal(0);
      expect((await h.store.items.lookup('kompas', [keyOf(K1)])).byKey.size).to.equal(1);
    });

    it('lookup of no keys, or in an empty store, finds nothing', async () => {
      expect((await h.store.items.lookup('antara', [])).byKey.size).to.equal(0);
      const none = await h.store.items.lookup('antara', [keyOf(A1)]);
      expect(none.byKey.size).to.equal(0);
      expect(none.tombstoned.size).to.equal(0);
    });

    it('commitRefresh inserts new items with every field, their tags with explanations, and their outputs', async () => {
      const result = await refresh(h.store, 'antara', FEEDS.antara);
      expect(result).to.deep.equal({ inserted: 4, updated: 0, stale: 0, pruned: 0 });
      const a1 = await findOrFail(h, { uid: uidOf('antara', A1) });
      const { tags } = classify(A1);
      expect(a1).to.deep.include({
        uid: uidOf('antara', A1), sourceId: 'antara', guid: A1.guid, link: A1.link, title: A1.title, summary: A1.summary,
        content: A1.content, author: A1.author, categories: ['Dunia', 'Eropa'], published: A1.published, updated: A1.updated,
        firstSeen: NOW, tags: [PUTIN, RUSIA_BELARUS].sort(),
      });
      expect(a1.matches).to.deep.equal(matchesOf(tags));
      expect(a1.matches!.find((m) => m.text === 'Lukashenko')).to.deep.include({ field: 'title', start: 10, end: 20 });
      const inOutput = await h.store.items.select({ tags: [], output: PUTIN_TANPA_OPINI, sources: [], limit: 10 });
      expect(inOutput.map((i) => i.title)).to.deep.equal([A1.title]);
    });

    it('an item without a date is stored as first seen then; without updated, updated is published', async () => {
      const undated = article({ guid: 'antara-4519999', link: 'https://www.antaranews.com/berita/4519999/gempa-m5-guncang-sukabumi', title: 'Gempa M5,2 guncang Sukabumi' });
      await refresh(h.store, 'antara', [undated, A2]);
      expect(await findOrFail(h, { uid: uidOf('antara', undated) })).to.deep.include({ published: NOW, updated: NOW, firstSeen: NOW });
      expect(await findOrFail(h, { uid: uidOf('antara', A2) })).to.deep.include({ published: A2.published, updated: A2.published });
    });

    it('an unchanged item (same content hash) is not rewritten, even if the rules now say otherwise', async () => {
      await refresh(h.store, 'antara', FEEDS.antara);
      const before = await findOrFail(h, { uid: uidOf('antara', A1) });
      const result = await refresh(h.store, 'antara', FEEDS.antara, { now: LATER, classify: keywordClassifier([]) });
      expect(result).to.deep.equal({ inserted: 0, updated: 0, stale: 0, pruned: 0 });
      expect(await findOrFail(h, { uid: uidOf('antara', A1) })).to.deep.equal(before);
    });

    it('a changed item is updated in place: same id, same uid, first-seen kept, tags and outputs re-derived', async () => {
      await refresh(h.store, 'antara', FEEDS.antara);
      const before = await findOrFail(h, { uid: uidOf('antara', A1) });
      const edited = { ...A1, title: 'Putin dan Lukashenko sepakati harga gas 2027', updated: at('2026-11-24T00:10:00Z') };
      const result = await refresh(h.store, 'antara', [edited, A2, A3, A4], { now: LATER });
      expect(result).to.deep.equal({ inserted: 0, updated: 1, stale: 0, pruned: 0 });
      const after = await findOrFail(h, { id: before.id });
      expect(after).to.deep.include({ id: before.id, uid: before.uid, title: edited.title, updated: edited.updated, published: A1.published, firstSeen: NOW });
      expect(after.tags).to.deep.equal(['Ekonomi', PUTIN, RUSIA_BELARUS].sort());
      expect(after.matches).to.deep.equal(matchesOf(classify(edited).tags));
      // 'Opini' never, but a title without Putin leaves the output.
      const noPutin = { ...edited, title: 'Lukashenko sepakati harga gas 2027 dengan Moskow' };
      await refresh(h.store, 'antara', [noPutin], { now: LATER });
      expect(await h.store.items.select({ tags: [], output: PUTIN_TANPA_OPINI, sources: [], limit: 10 })).to.deep.equal([]);
    });

    it('an update may move an item to a new key (a guid the feed starts reusing): id and uid stay, the new key finds it', async () => {
      const home = 'https://www.antaranews.com/';
      const first = article({ guid: home, link: A1.link, title: A1.title, published: A1.published });
      await refresh(h.store, 'antara', [first]);
      const before = await findOrFail(h, { uid: uidOf('antara', first) });
      // Now two articles under one guid: keys become guid + link, and the stored row is adopted, not copied.
      const second = article({ guid: home, link: A2.link, title: A2.title, published: A2.published });
      const result = await refresh(h.store, 'antara', [{ ...first, summary: 'diperbarui' }, second], { now: LATER });
      expect(result).to.deep.include({ inserted: 1, updated: 1, stale: 0 });
      const found = await h.store.items.lookup('antara', [`gl:${home}\n${A1.link}`, `g:${home}`]);
      expect([...found.byKey.keys()]).to.deep.equal([`gl:${home}\n${A1.link}`]);
      expect(found.byKey.get(`gl:${home}\n${A1.link}`)!.id).to.equal(before.id);
      expect(await findOrFail(h, { id: before.id })).to.deep.include({ uid: before.uid, summary: 'diperbarui' });
    });

    it('a stale update (the hash it expected is no longer stored) is dropped and counted; the newer row stands', async () => {
      await refresh(h.store, 'antara', [A1]);
      const slow = await plan(h.store, 'antara', [{ ...A1, title: `${A1.title} (versi lama)` }]);
      const fastTitle = `${A1.title} (diperbarui)`;
      expect(await refresh(h.store, 'antara', [{ ...A1, title: fastTitle }])).to.deep.include({ updated: 1 });
      expect(await commit(h.store, 'antara', slow, { now: LATER })).to.deep.equal({ inserted: 0, updated: 0, stale: 1, pruned: 0 });
      expect((await findOrFail(h, { uid: uidOf('antara', A1) })).title).to.equal(fastTitle);
    });

    it('an insert whose key was stored meanwhile is dropped and counted stale; the stored row stands', async () => {
      const slow = await plan(h.store, 'antara', [{ ...A1, title: `${A1.title} (versi lama)` }]);
      await refresh(h.store, 'antara', [A1]);
      expect(await commit(h.store, 'antara', slow, { now: LATER })).to.deep.equal({ inserted: 0, updated: 0, stale: 1, pruned: 0 });
      expect((await h.store.items.browse({ tag: null, source: 'antara', since: null, before: null, limit: 10 })).map((i) => i.title)).to.deep.equal([A1.title]);
    });

    it('an update of an item pruned meanwhile is dropped and counted stale; it does not come back', async () => {
      await refresh(h.store, 'antara', [A1, A2]);
      const slow = await plan(h.store, 'antara', [{ ...A1, title: `${A1.title} (diperbarui)` }]);
      await h.store.retention.prune(LATER, null, new Map([['antara', 1]]));
      expect(await commit(h.store, 'antara', slow, { now: LATER })).to.deep.include({ updated: 0, stale: 1 });
      expect(await h.store.items.find({ uid: uidOf('antara', A1) })).to.equal(null);
    });

    it('the poll record is written by the same commit', async () => {
      await refresh(h.store, 'antara', FEEDS.antara, {
        now: LATER,
        poll: {
          validators: { etag: '"a1b2"', lastModified: 'Mon, 24 Nov 2026 00:14:00 GMT', bodyHash: '9f86d081' },
          feed: { title: 'ANTARA News - Dunia', siteUrl: 'https://www.antaranews.com/dunia', parser: 'rss-parser', format: 'rss2' },
          feedHintMs: 900_000,
        },
      });
      expect(await h.store.sources.get('antara')).to.deep.include({
        lastPoll: LATER, lastSuccess: LATER, lastStatus: 200, state: 'ok', etag: '"a1b2"', bodyHash: '9f86d081',
        title: 'ANTARA News - Dunia', format: 'rss2', feedHintMs: 900_000,
      });
    });

    it('a commit with nothing to write still records the poll', async () => {
      await refresh(h.store, 'antara', FEEDS.antara);
      await refresh(h.store, 'antara', FEEDS.antara, { now: LATER, poll: { validators: { etag: '"v2"', lastModified: null, bodyHash: 'ab12' } } });
      expect(await h.store.sources.get('antara')).to.deep.include({ lastPoll: LATER, etag: '"v2"', bodyHash: 'ab12' });
    });

    it('maxItems keeps the newest items in the same commit, and the pruned leave tombstones', async () => {
      // Published: A4 (19th) < A1 (20th) < A2 (21st) < A3 (22nd).
      const result = await refresh(h.store, 'antara', FEEDS.antara, { maxItems: 2 });
      expect(result).to.deep.equal({ inserted: 4, updated: 0, stale: 0, pruned: 2 });
      const kept = await h.store.items.select({ tags: [], output: null, sources: ['antara'], limit: 10 });
      expect(kept.map((i) => i.title)).to.deep.equal([A3.title, A2.title]);
      const found = await h.store.items.lookup('antara', FEEDS.antara.map(keyOf));
      expect([...found.byKey.keys()].sort()).to.deep.equal([keyOf(A2), keyOf(A3)].sort());
      expect([...found.tombstoned].sort()).to.deep.equal([keyOf(A1), keyOf(A4)].sort());
    });

    it('maxItems not exceeded prunes nothing', async () => {
      expect(await refresh(h.store, 'antara', FEEDS.antara, { maxItems: 4 })).to.deep.include({ inserted: 4, pruned: 0 });
      expect(await refresh(h.store, 'antara', [...FEEDS.antara, { ...A1, guid: 'x', link: 'https://www.antaranews.com/berita/4519000/x', title: 'Lima' }], { maxItems: 10 })).to.deep.include({ inserted: 1, pruned: 0 });
    });

    it('a feed still listing pruned items does not bring them back', async () => {
      await refresh(h.store, 'antara', FEEDS.antara, { maxItems: 2 });
      const again = await plan(h.store, 'antara', FEEDS.antara, { now: LATER });
      expect(again).to.deep.include({ inserts: [], updates: [], unchanged: 4 });
      expect(await h.store.items.find({ uid: uidOf('antara', A4) })).to.equal(null);
    });

    it('an insert of a key pruned since the lookup is dropped and counted stale', async () => {
      const slow = await plan(h.store, 'antara', [A4]); // planned while nothing was stored
      await refresh(h.store, 'antara', FEEDS.antara, { maxItems: 2 }); // stores A4, then prunes it
      expect(await commit(h.store, 'antara', slow, { now: LATER })).to.deep.equal({ inserted: 0, updated: 0, stale: 1, pruned: 0 });
      expect(await h.store.items.find({ uid: uidOf('antara', A4) })).to.equal(null);
      expect((await h.store.items.lookup('antara', [keyOf(A4)])).tombstoned.has(keyOf(A4))).to.equal(true);
    });

    it('tombstones are per source: another source may store the same key', async () => {
      await refresh(h.store, 'antara', FEEDS.antara, { maxItems: 2 });
      const sameGuid = { ...A4, title: 'Opini: Putin dan masa depan Eropa Timur (dimuat ulang)' };
      expect(await refresh(h.store, 'tempo', [sameGuid])).to.deep.include({ inserted: 1, stale: 0 });
    });

    it('keys are per source: the same guid from two sources is two items with distinct uids', async () => {
      await seed(h.store);
      const shared = article({ guid: '71234', link: 'https://www.tempo.co/read/71234', title: 'Berita lain dengan guid 71234' });
      expect(await refresh(h.store, 'tempo', [shared])).to.deep.include({ inserted: 1 });
      const kompas = await findOrFail(h, { uid: uidOf('kompas', K1) });
      const tempo = await findOrFail(h, { uid: uidOf('tempo', shared) });
      expect(kompas.id).to.not.equal(tempo.id);
      expect(kompas.title).to.equal(K1.title);
    });
  });
}
