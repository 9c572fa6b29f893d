import { expect } from 'chai';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { yieldToLoop } from '../../../src/base/yield.js';

describe('base/yieldToLoop: one waiting caller goes on per turn of the event loop, first come first served', () => {
  it('releases callers in the order they asked', async () => {
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map(async (k) => {
      await yieldToLoop();
      order.push(k);
    }));
    expect(order).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('lets a callback queued after five callers run before the second of them goes on', async () => {
    const events: string[] = [];
    const callers = [0, 1, 2, 3, 4].map(async (k) => {
      await yieldToLoop();
      events.push(`caller ${k}`);
    });
    setImmediate(() => events.push('other work'));
    await Promise.all(callers);
    // Five plain setImmediate yields would all run before 'other work' (they were queued first).
    expect(events.indexOf('other work')).to.be.within(0, 1);
    expect(events.filter((e) => e.startsWith('caller'))).to.deep.equal(['caller 0', 'caller 1', 'caller 2', 'caller 3', 'caller 4']);
  });

  it('keeps accepting connections while callers do long synchronous work between yields', async () => {
    // Node 20's libuv accepts one connection per turn: what counts is how many turns a burst of work leaves.
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const clients = Array.from({ length: 10 }, () => connect(port, '127.0.0.1'));
    await Promise.all(clients.map((c) => new Promise((r) => c.once('connect', r))));
    let acceptedDuringWork = -1;
    // Ten "refreshes" of two 20 ms stages each, all waiting together, as thirty-two refreshes do in the daemon.
    await Promise.all(Array.from({ length: 10 }, async (_, k) => {
      for (let stage = 0; stage < 2; stage++) {
        await yieldToLoop();
        const until = Date.now() + 20;
        while (Date.now() < until);
      }
      if (k === 9) acceptedDuringWork = accepted.length;
    }));
    for (const c of clients) c.destroy();
    for (const s of accepted) s.destroy();
    await new Promise((r) => server.close(r));
    // With all twenty stages in one or two turns, at most two of the ten connections would have been accepted.
    expect(acceptedDuringWork).to.equal(10);
  });
});
