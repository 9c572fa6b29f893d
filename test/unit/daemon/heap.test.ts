import { expect } from 'chai';
import { makeHeapCompactor } from '../../../src/daemon/heap.js';

describe('daemon/makeHeapCompactor: a compacting GC without --expose-gc', () => {
  it('collects garbage a burst left behind (heap used falls back)', () => {
    const compact = makeHeapCompactor();
    compact();
    const base = process.memoryUsage().heapUsed;
    let junk: string[][] | null = Array.from({ length: 200 }, (_, i) => Array.from({ length: 2000 }, (_, j) => `item ${i} ${j} ${'x'.repeat(40)}`));
    const grown = process.memoryUsage().heapUsed;
    expect(junk.length).to.equal(200);
    expect(grown - base, 'the burst allocated ~25 MB').to.be.above(15 * 2 ** 20);
    junk = null;
    compact();
    expect(process.memoryUsage().heapUsed - base, 'heap used after the compaction').to.be.below(5 * 2 ** 20);
  });
});
