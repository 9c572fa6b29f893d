import { expect } from 'chai';
import { feedAll, makeFeeder } from '../../../src/schedule/feeder.js';

describe('schedule/feeder: polls started a few at a time, hosts in turn', () => {
  /** A poll that ends when its `end()` is called. */
  function polls() {
    const started: string[] = [];
    const ends = new Map<string, () => void>();
    const run = (key: string) => () => {
      started.push(key);
      return new Promise<void>((r) => ends.set(key, r));
    };
    const end = async (key: string) => {
      ends.get(key)!();
      for (let i = 0; i < 5; i++) await Promise.resolve(); // the feeder starts the next in the poll's finally
    };
    return { started, run, end };
  }

  it('takes hosts in turn within the window and the per-host share, and starts the next as one ends', async () => {
    const f = makeFeeder({ window: () => 3, perHost: () => 2 });
    const p = polls();
    for (const k of ['a1', 'a2', 'a3', 'a4']) f.add(k, 'a', p.run(k));
    for (const k of ['b1', 'b2']) f.add(k, 'b', p.run(k));
    expect(p.started, 'a1 a2 (a\'s share), then b1 (the window is full)').to.deep.equal(['a1', 'a2', 'b1']);
    expect(f.waiting()).to.equal(3);
    await p.end('a1');
    expect(p.started.at(-1), 'b waited for its turn before a had room again').to.equal('b2');
    await p.end('b1');
    expect(p.started.at(-1), 'then a: b has nothing left').to.equal('a3');
    expect(f.running()).to.equal(3);
  });

  it('does not queue a key twice, skips a poll that started nothing, and forgets what clear() dropped', async () => {
    const f = makeFeeder({ window: () => 1, perHost: () => 1 });
    const p = polls();
    expect(f.add('x', 'h', p.run('x'))).to.equal(true);
    expect(f.add('y', 'h', p.run('y'))).to.equal(true);
    expect(f.add('y', 'h', p.run('y')), 'y waits already').to.equal(false);
    expect(f.add('busy', 'h', () => undefined)).to.equal(true);
    expect(f.add('z', 'h', p.run('z'))).to.equal(true);
    await p.end('x');
    expect(p.started).to.deep.equal(['x', 'y']);
    f.clear();
    expect(f.waiting()).to.equal(0);
    await p.end('y');
    expect(p.started, 'busy and z were dropped').to.deep.equal(['x', 'y']);
    f.add('w', 'h', p.run('w'));
    expect(p.started.at(-1), 'a host is offered again after clear()').to.equal('w');
  });

  it('feedAll: runs a list within the bounds, hosts in turn, results in the list order; the first failure rejects', async () => {
    const list = ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'];
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const results = await feedAll(list, { window: () => 3, perHost: () => 1 }, (k) => k[0]!, async (k) => {
      order.push(k);
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
      return k.toUpperCase();
    });
    expect(results).to.deep.equal(['A1', 'A2', 'A3', 'B1', 'B2', 'C1']);
    expect(most, 'at most the window at once').to.equal(3);
    expect(order.slice(0, 3), 'one per host first').to.deep.equal(['a1', 'b1', 'c1']);
    const started: string[] = [];
    const failing = feedAll(['x1', 'x2', 'x3'], { window: () => 1, perHost: () => 1 }, () => 'x', async (k) => {
      started.push(k);
      if (k === 'x1') throw new Error('boom');
      return k;
    });
    let err: unknown = null;
    await failing.catch((e: unknown) => (err = e));
    expect((err as Error).message).to.equal('boom');
    expect(started, 'nothing started after the failure').to.deep.equal(['x1']);
    expect(await feedAll([], { window: () => 1, perHost: () => 1 }, () => 'x', async () => 1)).to.deep.equal([]);
  });
});
