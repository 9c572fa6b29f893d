import { expect } from 'chai';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { makeHeapReducer } from '../../../src/daemon/heap.js';

const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Short-lived garbage, as a burst of refreshes makes: V8 grows its young generation for it. */
function churn(): number {
  let keep: { a: number; b: string }[] = [];
  let n = 0;
  for (let i = 0; i < 2_000_000; i++) {
    keep.push({ a: i, b: `x${i}` });
    if (keep.length > 50_000) {
      n += keep.length;
      keep = [];
    }
  }
  return n + keep.length;
}

describe('daemon/makeHeapReducer: the heap a burst grew, handed back without --expose-gc', () => {
  it('collects the garbage a burst left behind at once (heap used falls back)', () => {
    const heap = makeHeapReducer();
    heap.afterBurst();
    const base = process.memoryUsage().heapUsed;
    let junk: string[][] | null = Array.from({ length: 200 }, (_, i) => Array.from({ length: 2000 }, (_, j) => `item ${i} ${j} ${'x'.repeat(40)}`));
    const grown = process.memoryUsage().heapUsed;
    expect(junk.length).to.equal(200);
    expect(grown - base, 'the burst allocated ~25 MB').to.be.above(15 * 2 ** 20);
    junk = null;
    const r = heap.afterBurst();
    heap.stop();
    expect(process.memoryUsage().heapUsed - base, 'heap used after the compaction').to.be.below(5 * 2 ** 20);
    expect(r.usedAfter).to.be.at.most(r.committedAfter);
  });

  it('shrinks the young generation once the process has been quiet', async function () {
    this.timeout(30_000);
    const shrunk: number[] = [];
    const heap = makeHeapReducer({ quietMs: 6000, onShrunk: (r) => shrunk.push(r.committedAfter) });
    expect(churn()).to.equal(2_000_000);
    const grown = newSpace();
    expect(grown, 'V8 grew its young generation for the burst').to.be.above(8 * 2 ** 20);
    heap.afterBurst();
    const r = await heap.settled();
    expect(r, 'the shrink ran').to.not.equal(null);
    expect(shrunk).to.deep.equal([r!.committedAfter]);
    expect(newSpace(), 'semi-spaces back to their initial size').to.be.at.most(2 * 2 ** 20);
    expect(r!.committedAfter).to.be.below(r!.committedBefore);
  });

  it('tries the scavenge again while the process still allocates, until the young generation shrinks', async function () {
    this.timeout(60_000);
    const minors: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) minors.push(e.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });
    const heap = makeHeapReducer({ quietMs: 3000, roundGapMs: 20 });
    expect(churn()).to.equal(2_000_000);
    expect(newSpace(), 'V8 grew its young generation for the burst').to.be.above(8 * 2 ** 20);
    // Still allocating (~8 MB/s) through the first quiet spell, as a daemon finishing other work would.
    let sink: unknown[] = [];
    const busy = setInterval(() => {
      sink = Array.from({ length: 10_000 }, (_, i) => ({ i, s: `y${i}` }));
    }, 50);
    setTimeout(() => clearInterval(busy), 4000);
    heap.afterBurst();
    const r = await heap.settled();
    clearInterval(busy);
    observer.disconnect();
    expect(sink.length, 'the busy spell allocated through the first quiet spell').to.equal(10_000);
    expect(r, 'the shrink ran').to.not.equal(null);
    expect(newSpace(), 'semi-spaces back to their initial size').to.be.at.most(2 * 2 ** 20);
  });

  it('runs several full GCs a while apart, then the scavenge (one GC compacts only a slice of a sparse heap)', async function () {
    this.timeout(30_000);
    const kinds: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) kinds.push((e as unknown as { detail: { kind: number } }).detail.kind);
    });
    observer.observe({ entryTypes: ['gc'] });
    const heap = makeHeapReducer({ quietMs: 20, roundGapMs: 20 });
    heap.afterBurst();
    await heap.settled();
    await new Promise((r) => setTimeout(r, 50)); // gc entries are delivered asynchronously
    observer.disconnect();
    const major = kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MAJOR).length;
    expect(major, 'full GCs').to.be.within(3, 10);
    expect(kinds.at(-1), 'the last one a scavenge').to.equal(constants.NODE_PERFORMANCE_GC_MINOR);
  });

  it('waits for refreshes to end before a later step', async () => {
    let busy = true;
    let steps = 0;
    const heap = makeHeapReducer({ quietMs: 5, roundGapMs: 5, idle: () => (steps++, !busy) });
    heap.afterBurst();
    // Steps fall due every few ms; on a loaded machine timers run late, so wait for three (bounded), not 100 ms.
    for (const until = Date.now() + 5000; steps <= 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 10));
    expect(steps, 'steps were due and found refreshes running').to.be.above(2);
    let done = false;
    void heap.settled().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done, 'nothing ran meanwhile').to.equal(false);
    busy = false;
    expect(await heap.settled()).to.not.equal(null);
  });

  it('has nothing pending before a burst, nor after stop()', async () => {
    const heap = makeHeapReducer({ quietMs: 60_000 });
    expect(await heap.settled()).to.equal(null);
    heap.afterBurst();
    heap.stop();
    expect(await heap.settled()).to.equal(null);
  });
});
