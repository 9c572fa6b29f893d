import { expect } from 'chai';
import { makeFeeder } from '../../../src/schedule/feeder.js';

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
});
