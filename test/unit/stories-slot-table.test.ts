import { expect } from 'chai';
import { SlotTable } from '../../src/stories/slot-table.js';
import { makeRandom } from '../helpers/random.js';

describe('stories/slot-table: slots by a key column', () => {
  it('finds, replaces and deletes as a Map does, through growth and many deletions', () => {
    const random = makeRandom(7);
    const keys = new Float64Array(4096);
    const table = new SlotTable();
    const map = new Map<number, number>();
    const freeSlots = Array.from({ length: keys.length }, (_, k) => keys.length - 1 - k);
    // Small item ids, large ones (past 2^32) and ids that differ only in their high bits collide often.
    const keyOf = (n: number) => (n % 3 === 0 ? n : n % 3 === 1 ? 2 ** 40 + n : n * 2 ** 32);
    for (let step = 0; step < 30_000; step++) {
      const key = keyOf(Math.floor(random() * 3000));
      const held = map.get(key);
      if (held !== undefined && random() < 0.6) {
        expect(table.delete(key, keys)).to.equal(true);
        map.delete(key);
        freeSlots.push(held);
      } else if (held !== undefined) {
        // The key moves to another slot (the index replacing a cluster's head).
        const slot = freeSlots.pop()!;
        keys[slot] = key;
        table.set(key, slot, keys);
        map.set(key, slot);
        freeSlots.push(held);
        keys[held] = NaN; // a freed slot's key is stale: the table must not read it
      } else {
        const slot = freeSlots.pop()!;
        keys[slot] = key;
        table.set(key, slot, keys);
        map.set(key, slot);
      }
      if (step % 1000 === 0 || step > 29_900) {
        expect(table.size).to.equal(map.size);
        for (const [k, slot] of map) expect(table.get(k, keys), `key ${k}`).to.equal(slot);
      }
      expect(table.get(keyOf(3000 + step), keys)).to.equal(-1);
    }
    expect(table.delete(keyOf(5000), keys)).to.equal(false);
    for (const k of [...map.keys()]) expect(table.delete(k, keys)).to.equal(true);
    expect(table.size).to.equal(0);
  });
});
