import { expect } from 'chai';
import { Fifo } from '../../../src/base/fifo.js';

describe('base/Fifo: first in, first out, across the compaction of what was read', () => {
  it('gives items back in the order they came, through 10,000 pushes and takes interleaved', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 100; round++) {
      for (let k = 0; k < 150; k++) q.push(next++);
      for (let k = 0; k < 100; k++) out.push(q.take()!);
    }
    while (q.length > 0) out.push(q.take()!);
    expect(out).to.deep.equal(Array.from({ length: next }, (_, i) => i));
    expect(q.take()).to.equal(undefined);
  });

  it('is empty after clear()', () => {
    const q = new Fifo<string>();
    q.push('a');
    q.push('b');
    q.clear();
    expect([q.length, q.take()]).to.deep.equal([0, undefined]);
    q.push('c');
    expect(q.take()).to.equal('c');
  });
});
