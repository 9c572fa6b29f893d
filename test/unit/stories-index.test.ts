import { expect } from 'chai';
import { DEFAULT_THRESHOLD, sketchOf, StoryIndex, type StoryMember, type StoryText } from '../../src/stories/index.js';
import { judge } from '../../src/stories/compare.js';
import { loadLabelledSet } from '../helpers/stories.js';
import { formCore, formKind, MARK_EPOCHS, MAX_CANDIDATES, numberForm } from '../../src/stories/story-index.js';
import { numberCore, numberKind } from '../../src/stories/numbers.js';

const HOUR = 3600_000;
const T0 = Date.parse('2024-12-03T00:00:00Z');
const t = (title: string, summary: string): StoryText => ({ title, summary, content: null });

const GEMPA_DETIK = sketchOf(t('Gempa M 5,6 Guncang Garut, Getaran Terasa hingga Bandung', 'Gempa bumi bermagnitudo 5,6 mengguncang Kabupaten Garut, Jawa Barat. BMKG menyebut pusat gempa di darat, kedalaman 10 kilometer.'));
const GEMPA_KUMPARAN = sketchOf(t('Warga Garut Berhamburan Keluar Rumah Saat Gempa M 5,6', 'Gempa berkekuatan M 5,6 yang berpusat di Garut membuat warga panik. Menurut BMKG, gempa dipicu sesar aktif di darat.'));
const ERUPSI = sketchOf(t('Gunung Lewotobi Kembali Erupsi', 'Gunung Lewotobi Laki-laki di Flores Timur kembali erupsi dengan kolom abu 2.000 meter. PVMBG mempertahankan status Awas.'));
const TIMNAS = sketchOf(t('Shin Tae-yong Umumkan 24 Pemain Timnas', 'Pelatih Shin Tae-yong mengumumkan 24 pemain untuk Piala AFF 2024, dengan Asnawi Mangkualam dan Pratama Arhan.'));

function member(itemId: number, sourceId: string, hours: number, sketch = GEMPA_DETIK, clusterId = itemId): StoryMember {
  return { itemId, clusterId, sourceId, published: T0 + hours * HOUR, sketch };
}

describe('stories/index: the window in memory', () => {
  it('gives back what was added, by item id', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0));
    expect(index.size).to.equal(1);
    const got = index.get(1)!;
    expect(got).to.deep.include({ itemId: 1, clusterId: 1, sourceId: 'detik', published: T0 });
    expect(got.sketch).to.deep.equal(GEMPA_DETIK);
    expect(index.get(2)).to.equal(undefined);
    expect(index.clusterOf(1)).to.equal(1);
    expect(index.clusterOf(2)).to.equal(undefined);
  });

  it('finds the rewrite of a story and not an unrelated item', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_DETIK));
    index.add(member(2, 'antara', 1, ERUPSI));
    index.add(member(3, 'suara', 2, TIMNAS));
    expect(index.candidates(GEMPA_KUMPARAN, 'kumparan').map((m) => m.itemId)).to.deep.equal([1]);
  });

  it('leaves out the members of the asking source', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_DETIK));
    expect(index.candidates(GEMPA_KUMPARAN, 'detik')).to.deep.equal([]);
    expect(index.candidates(GEMPA_KUMPARAN).map((m) => m.itemId)).to.deep.equal([1]);
  });

  it('leaves out the asking source\'s members also where they share the most', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_KUMPARAN)); // the same sketch: every term shared
    index.add(member(2, 'kompas', 0, GEMPA_DETIK));
    expect(index.candidates(GEMPA_KUMPARAN, 'detik').map((m) => m.itemId)).to.deep.equal([2]);
    expect(index.candidates(GEMPA_KUMPARAN, 'kompas').map((m) => m.itemId)).to.deep.equal([1]);
  });

  it('returns at most MAX_CANDIDATES, those sharing most first', () => {
    const index = new StoryIndex();
    for (let i = 0; i < MAX_CANDIDATES + 10; i++) index.add(member(i + 1, `s${i}`, i * 0.1, GEMPA_DETIK));
    index.add(member(1000, 'other', 0, GEMPA_KUMPARAN));
    const found = index.candidates(GEMPA_KUMPARAN, 'kumparan');
    expect(found).to.have.length(MAX_CANDIDATES);
    expect(found[0]!.itemId).to.equal(1000); // the identical sketch shares every term
  });

  it('ranks by shared words, then newest first, when more share than MAX_CANDIDATES at the lowest score taken', () => {
    const index = new StoryIndex();
    // Three sketches identical to the query (every term shared), then many that share a part of it, at
    // interleaved times: the three first, then the newest of the rest, the later-added first on equal times (postings are newest first).
    for (let i = 0; i < 3; i++) index.add(member(100 + i, `same${i}`, i, GEMPA_KUMPARAN));
    for (let i = 0; i < 3 * MAX_CANDIDATES; i++) index.add(member(200 + i, `part${i}`, (i * 7) % 11, GEMPA_DETIK));
    const found = index.candidates(GEMPA_KUMPARAN, 'kumparan').map((m) => m.itemId);
    const rest = Array.from({ length: 3 * MAX_CANDIDATES }, (_, i) => ({ id: 200 + i, hours: (i * 7) % 11 }))
      .sort((a, b) => b.hours - a.hours || b.id - a.id)
      .slice(0, MAX_CANDIDATES - 3)
      .map((r) => r.id);
    expect(found).to.deep.equal([102, 101, 100, ...rest]);
  });

  it('evicts by publication time, and an evicted member is no longer found', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_DETIK));
    index.add(member(2, 'liputan6', 10, GEMPA_DETIK));
    index.add(member(3, 'antara', 80, ERUPSI));
    expect(index.evictBefore(T0 + 5 * HOUR)).to.equal(1);
    expect(index.size).to.equal(2);
    expect(index.get(1)).to.equal(undefined);
    expect(index.candidates(GEMPA_KUMPARAN).map((m) => m.itemId)).to.deep.equal([2]);
    expect(index.evictBefore(T0 + 5 * HOUR)).to.equal(0);
    expect(index.evictBefore(T0 + 100 * HOUR)).to.equal(2);
    expect(index.size).to.equal(0);
    expect(index.candidates(GEMPA_KUMPARAN)).to.deep.equal([]);
  });

  it('frees every word with its last member (nothing kept from evicted items)', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_DETIK));
    index.add(member(2, 'kumparan', 1, GEMPA_KUMPARAN));
    expect(index.words).to.be.greaterThan(10);
    index.evictBefore(T0 + 2 * HOUR);
    expect(index.words).to.equal(0);
  });

  it('reuses freed slots and keeps postings intact across many adds and evictions', () => {
    const index = new StoryIndex(16);
    const sketches = [GEMPA_DETIK, ERUPSI, TIMNAS];
    for (let i = 1; i <= 3000; i++) {
      index.add(member(i, `s${i % 7}`, i, sketches[i % 3]));
      index.evictBefore(T0 + (i - 50) * HOUR);
    }
    expect(index.size).to.equal(51);
    // Every member found by its own sketch is live and in the window.
    const found = index.candidates(GEMPA_DETIK);
    expect(found.length).to.be.greaterThan(0);
    for (const m of found) {
      expect(m.itemId % 3).to.equal(0); // sketches[0]
      expect(m.published).to.be.at.least(T0 + 2950 * HOUR);
      expect(index.get(m.itemId)).to.deep.equal(m);
    }
  });

  it('adding an item again replaces it', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_DETIK));
    index.add(member(1, 'detik', 0, ERUPSI));
    expect(index.size).to.equal(1);
    expect(index.get(1)!.sketch).to.deep.equal(ERUPSI);
    expect(index.candidates(GEMPA_KUMPARAN)).to.deep.equal([]);
    expect(index.delete(1)).to.equal(true);
    expect(index.delete(1)).to.equal(false);
    expect(index.size).to.equal(0);
  });

  it('knows each cluster: its start, sources and size, also after its first member left', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_DETIK, 1));
    index.add(member(2, 'kumparan', 3, GEMPA_KUMPARAN, 1));
    index.add(member(3, 'antara', 5, ERUPSI, 3));
    expect(index.cluster(1)).to.deep.equal({ start: T0, sources: ['kumparan', 'detik'], size: 2 });
    index.evictBefore(T0 + 1 * HOUR);
    expect(index.cluster(1)).to.deep.equal({ start: T0, sources: ['kumparan'], size: 1 });
    expect(index.get(2)!.clusterStart).to.equal(T0);
    index.evictBefore(T0 + 4 * HOUR);
    expect(index.cluster(1)).to.equal(undefined);
    expect(index.cluster(3)!.size).to.equal(1);
  });

  it('takes a cluster start the caller knows (first member already outside the window)', () => {
    const index = new StoryIndex();
    index.add({ ...member(7, 'tempo', 40, GEMPA_DETIK, 5), clusterStart: T0 });
    expect(index.cluster(5)!.start).to.equal(T0);
    // A member published earlier than the recorded start moves it back for the whole cluster.
    index.add({ ...member(8, 'kompas', -2, GEMPA_KUMPARAN, 5) });
    expect(index.cluster(5)!.start).to.equal(T0 - 2 * HOUR);
    expect(index.get(7)!.clusterStart).to.equal(T0 - 2 * HOUR);
  });
});

describe('stories/index: judgeAt decides as judge does', () => {
  it('on every candidate pair of the labelled set, at several thresholds', () => {
    const items = loadLabelledSet();
    const sketches = items.map((i) => sketchOf(i));
    const index = new StoryIndex();
    sketches.forEach((sketch, k) => index.add({ itemId: k + 1, clusterId: k + 1, sourceId: items[k]!.source, published: items[k]!.published, sketch }));
    let pairs = 0;
    let same = 0;
    let numbered = 0;
    for (const [k, sketch] of sketches.entries()) {
      for (const slot of index.candidateSlots(sketch)) {
        const other = index.get(index.itemAt(slot))!.sketch;
        for (const threshold of [0, 0.2, DEFAULT_THRESHOLD, 0.5]) {
          const j = judge(sketch, other, threshold);
          expect(index.judgeAt(slot, sketch, threshold), `${items[k]!.id} / ${index.itemAt(slot)} at ${threshold}`).to.equal(j.same ? j.similarity : -1);
          if (j.same) same++;
        }
        pairs++;
        if (sketch.numbers.length > 0 && other.numbers.length > 0) numbered++;
      }
    }
    // Enough pairs, both decisions and pairs where numbers decide, for the comparison to mean something.
    expect(pairs).to.be.greaterThan(500);
    expect(same).to.be.greaterThan(100);
    expect(same).to.be.lessThan(pairs * 4);
    expect(numbered).to.be.greaterThan(100);
  });
});

describe('stories/index: the judge\'s scratch marks', () => {
  it('judge as judge does across the wrap-around of both halves of the marks', () => {
    const index = new StoryIndex();
    index.add(member(1, 'detik', 0, GEMPA_DETIK));
    index.add(member(2, 'antara', 1, ERUPSI));
    const [slotA, slotC] = [index.candidateSlots(GEMPA_DETIK)[0]!, index.candidateSlots(ERUPSI)[0]!];
    // The second query shares names with A, so the first query's words, left marked, would change its counts.
    const queries = [GEMPA_DETIK, GEMPA_KUMPARAN];
    const slots = [slotA, slotC];
    // threshold 0: every similarity shows, so a mark that leaks from one call into another changes one.
    const expected = queries.map((q) => [GEMPA_DETIK, ERUPSI].map((m) => {
      const j = judge(q, m, 0);
      return j.same ? j.similarity : -1;
    }));
    const check = (q: number, m: number, call: string) => {
      const got = index.judgeAt(slots[m]!, queries[q]!, 0);
      if (got !== expected[q]![m]) expect.fail(`${call}: query ${q}, member ${m}: ${got}, judge says ${expected[q]![m]}`);
    };
    expect(expected[1]![0]).to.not.equal(expected[1]![1]);
    // The members' half: A's words marked once, then C judged until that epoch comes round again.
    check(1, 0, 'first');
    for (let i = 0; i < 2 * MARK_EPOCHS + 2; i++) check(1, 1, `member call ${i}`);
    // The query's half: the first query's words marked once, then another query until that epoch comes round.
    index.candidateSlots(queries[0]!);
    for (let i = 0; i < 2 * MARK_EPOCHS + 2; i++) {
      index.candidateSlots(queries[1]!);
      check(1, 0, `query call ${i}`);
      check(1, 1, `query call ${i}`);
    }
    // A query's marks outlive the members' wrap-around: members alternate on every call, queries every third.
    for (let i = 0; i < 4 * MARK_EPOCHS + 10; i++) check(Math.floor(i / 3) % 2, i % 2, `call ${i}`);
  });

  it('reads a number\'s kind and digits from its form as numberKind and numberCore do', () => {
    const values = ['rp 13.500', 'rp 80.000', 'rp 1,7 miliar', 'usd 5 juta', '3-1', '6/12', '2024', '3,5%', 'm 5,6', '10 km', '2.000 meter', '12', '5 juta', 'rp rp', '', `${'9'.repeat(300)} km`, `rp ${'9'.repeat(20)}`];
    for (const value of values) {
      const form = numberForm(value);
      expect(form, value).to.be.greaterThan(0).and.lessThan(0x10000);
      expect(formKind(form), value).to.equal(numberKind(value));
      expect(formCore(value, form), value).to.equal(numberCore(value));
    }
  });
});
