/**
 * Re-tagging stored items range by range: the store keeps the pass's state, reads ranges with what is stored
 * for them, and applies changes unless a refresh rewrote the item since it was read.
 */
import { expect } from 'chai';
import { encodeExplain } from '../../src/store/explain-json.js';
import type { MatchedTag, RetagChange, RetagRow } from '../../src/store/store.js';
import { A1, A2, A3, A4, EKONOMI, PUTIN, PUTIN_TANPA_OPINI, RUSIA_BELARUS, at, classify, refresh, seed, uidOf } from './fixtures.js';
import type { Harness } from './harness.js';

const EVERYTHING = Number.MAX_SAFE_INTEGER;

/** A change as a re-tag pass builds it: the tags, their explain text, the outputs. */
function change(row: RetagRow, tags: MatchedTag[], outputs: string[]): RetagChange {
  return { id: row.id, contentHash: row.contentHash, tags, explains: tags.map((t) => encodeExplain(t.explain)), outputs };
}

async function rows(h: Harness): Promise<RetagRow[]> {
  return h.store.retag.readRange(0, EVERYTHING);
}

export function describeRetag(h: Harness): void {
  describe('retag', () => {
    it('state() of a new store: no fingerprint, no progress, never changed', async () => {
      expect(await h.store.retag.state()).to.deep.equal({ fingerprint: null, progress: null, changedAt: null });
    });

    it('begin(f) marks the pass pending: the store no longer claims any rules', async () => {
      await h.store.retag.begin('sha256:1f0e');
      expect(await h.store.retag.state()).to.deep.equal({ fingerprint: 'pending:sha256:1f0e', progress: null, changedAt: null });
    });

    describe('ranges over ids', () => {
      beforeEach(async () => {
        await seed(h.store);
      });

      it('readRange(0, ∞) is every item, by id', async () => {
        const ids = (await rows(h)).map((r) => r.id);
        expect(ids).to.have.length(7);
        expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
      });

      it('rangeEnd(after, n) is the id ending the next n items, null when none follows', async () => {
        const ids = (await rows(h)).map((r) => r.id);
        const cases: [after: number, count: number, end: number | null][] = [
          [0, 3, ids[2]!], [ids[2]!, 3, ids[5]!], [ids[5]!, 3, ids[6]!], [ids[6]!, 3, null], [0, 100, ids[6]!], [0, 1, ids[0]!],
        ];
        for (const [after, count, end] of cases) expect(await h.store.retag.rangeEnd(after, count), `rangeEnd(${after}, ${count})`).to.equal(end);
      });

      it('countAfter(after, cap) counts the items after an id, up to cap', async () => {
        const ids = (await rows(h)).map((r) => r.id);
        const cases: [after: number, cap: number, n: number][] = [[0, 100, 7], [0, 5, 5], [ids[4]!, 100, 2], [ids[6]!, 10, 0], [0, 7, 7]];
        for (const [after, cap, n] of cases) expect(await h.store.retag.countAfter(after, cap), `countAfter(${after}, ${cap})`).to.equal(n);
      });

      it('readRange(after, last) holds after < id <= last, with fields, stored tags (their explain text) and outputs', async () => {
        const all = await rows(h);
        const range = await h.store.retag.readRange(all[0]!.id - 1, all[1]!.id); // A1, A2
        expect(range.map((r) => r.id)).to.deep.equal([all[0]!.id, all[1]!.id]);
        const [a1] = range;
        expect(a1).to.deep.include({ sourceId: 'antara' });
        expect(a1!.item).to.deep.equal({ title: A1.title, summary: A1.summary, content: A1.content, author: A1.author, link: A1.link, categories: A1.categories });
        expect(a1!.contentHash).to.equal((await h.store.items.lookup('antara', [`g:${A1.guid}`])).byKey.get(`g:${A1.guid}`)!.contentHash);
        // Exactly the text written: a re-tag pass compares it to decide whether an explanation changed.
        expect(new Map(a1!.tags)).to.deep.equal(new Map(classify(A1).tags.map((t) => [t.tag, encodeExplain(t.explain)])));
        expect(new Set(a1!.outputs)).to.deep.equal(new Set([PUTIN_TANPA_OPINI]));
        expect(range[1]!.outputs.size).to.equal(0);
        expect(await h.store.retag.readRange(all[6]!.id, EVERYTHING)).to.deep.equal([]);
      });
    });

    describe('apply and finish', () => {
      beforeEach(async () => {
        await seed(h.store);
        await h.store.retag.begin('f2');
      });

      it('writes changes and progress in one go, counting membership changes apart from explanation-only ones', async () => {
        const [a1, a2, a3, a4] = await rows(h);
        const reworded = classify(A2).tags.map((t) => ({ ...t, explain: t.explain.map((m) => ({ ...m, rule: `${m.rule} OR Minsk` })) }));
        const changes = [
          // A1 loses its output and gains a tag.
          change(a1!, [...classify(A1).tags, { tag: 'Eropa Timur', explain: [{ rule: 'sources[].from_categories', field: 'category', text: 'Eropa', start: 0, end: 5 }] }], []),
          // A2: the same tags, reworded rules.
          change(a2!, reworded, []),
          // A3: what is stored already.
          change(a3!, classify(A3).tags, []),
          // A4 only enters an output.
          change(a4!, classify(A4).tags, [PUTIN_TANPA_OPINI]),
        ];
        expect(await h.store.retag.apply(changes, { fingerprint: 'f2', after: a4!.id })).to.deep.equal({ changed: 2, explained: 1 });
        expect((await h.store.retag.state()).progress).to.deep.equal({ fingerprint: 'f2', after: a4!.id });

        const s1 = await h.store.items.find({ id: a1!.id });
        expect(s1!.tags).to.deep.equal(['Eropa Timur', RUSIA_BELARUS, PUTIN]);
        expect(s1!.matches!.filter((m) => m.tag === 'Eropa Timur')).to.deep.equal([{ tag: 'Eropa Timur', rule: 'sources[].from_categories', field: 'category', text: 'Eropa', start: 0, end: 5 }]);
        const s2 = await h.store.items.find({ id: a2!.id });
        expect(s2!.tags).to.deep.equal([EKONOMI, RUSIA_BELARUS]);
        expect(s2!.matches!.every((m) => m.rule.endsWith(' OR Minsk'))).to.equal(true);
        const out = await h.store.items.select({ tags: [], output: PUTIN_TANPA_OPINI, sources: [], limit: 10 });
        expect(out.map((i) => i.id)).to.deep.equal((await h.store.items.select({ tags: [PUTIN], output: null, sources: [], limit: 10 })).filter((i) => i.id !== a1!.id).map((i) => i.id));
        expect((await rows(h)).find((r) => r.id === a2!.id)!.tags.get(EKONOMI)).to.equal(encodeExplain(reworded.find((t) => t.tag === EKONOMI)!.explain));
      });

      it('removes tags a change no longer lists', async () => {
        const [a1] = await rows(h);
        expect(await h.store.retag.apply([change(a1!, [], [])], { fingerprint: 'f2', after: a1!.id })).to.deep.equal({ changed: 1, explained: 0 });
        const s1 = await h.store.items.find({ id: a1!.id });
        expect(s1!.tags).to.deep.equal([]);
        expect(s1!.matches ?? []).to.deep.equal([]);
        expect((await h.store.items.countsByTag()).get(RUSIA_BELARUS)).to.equal(1);
      });

      it('skips a change whose item a refresh rewrote since it was read (its content hash no longer matches)', async () => {
        const [a1] = await rows(h);
        await refresh(h.store, 'antara', [{ ...A1, title: 'Putin dan Lukashenko bahas Negara Kesatuan di Minsk (diperbarui)' }]);
        expect(await h.store.retag.apply([change(a1!, [], [])], { fingerprint: 'f2', after: a1!.id })).to.deep.equal({ changed: 0, explained: 0 });
        expect((await h.store.items.find({ id: a1!.id }))!.tags).to.deep.equal([RUSIA_BELARUS, PUTIN]);
        // The progress is written all the same.
        expect((await h.store.retag.state()).progress).to.deep.equal({ fingerprint: 'f2', after: a1!.id });
      });

      it('skips a change whose item was pruned since it was read', async () => {
        const [, , , a4] = await rows(h);
        await h.store.retention.prune(at('2026-11-25T00:00:00Z'), null, new Map([['antara', 3]]));
        expect(await h.store.items.find({ uid: uidOf('antara', A4) })).to.equal(null);
        expect(await h.store.retag.apply([change(a4!, [], [PUTIN_TANPA_OPINI])], { fingerprint: 'f2', after: a4!.id })).to.deep.equal({ changed: 0, explained: 0 });
        expect(await h.store.items.select({ tags: [], output: PUTIN_TANPA_OPINI, sources: ['antara'], limit: 10 })).to.have.length(1);
      });

      it('an empty range writes the progress only', async () => {
        await h.store.retag.apply([], { fingerprint: 'f2', after: 3 });
        expect(await h.store.retag.state()).to.deep.equal({ fingerprint: 'pending:f2', progress: { fingerprint: 'f2', after: 3 }, changedAt: null });
      });

      it('finish(f, changedAt) sets the fingerprint, clears the progress and records when', async () => {
        await h.store.retag.apply([], { fingerprint: 'f2', after: 7 });
        await h.store.retag.finish('f2', at('2026-11-24T08:00:00Z'));
        expect(await h.store.retag.state()).to.deep.equal({ fingerprint: 'f2', progress: null, changedAt: at('2026-11-24T08:00:00Z') });
      });

      it('finish(f, null) leaves the last changedAt', async () => {
        await h.store.retag.finish('f2', at('2026-11-24T08:00:00Z'));
        await h.store.retag.begin('f3');
        await h.store.retag.finish('f3', null);
        expect(await h.store.retag.state()).to.deep.equal({ fingerprint: 'f3', progress: null, changedAt: at('2026-11-24T08:00:00Z') });
      });

      it('a pass interrupted after apply resumes from the stored progress', async () => {
        const [, a2] = await rows(h);
        await h.store.retag.apply([], { fingerprint: 'f2', after: a2!.id });
        const state = await h.store.retag.state();
        expect(state.fingerprint).to.equal('pending:f2');
        expect(await h.store.retag.countAfter(state.progress!.after, 100)).to.equal(5);
      });
    });
  });
}
