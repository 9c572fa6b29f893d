import { expect } from 'chai';
import { makeLastRefresh } from '../../../src/daemon/last-refresh.js';

const at = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00Z`);

describe('daemon/makeLastRefresh: the public page\'s last refresh without reading every source', () => {
  const rows = [
    { id: 'a', lastPoll: at('04:10') },
    { id: 'secret', lastPoll: at('04:50') },
    { id: 'b', lastPoll: null },
    { id: 'c', lastPoll: at('04:30') },
  ];
  const cases: { name: string; hidden: string[]; polls: [string, string][]; expect: string | null }[] = [
    { name: 'seeded: the latest public poll', hidden: ['secret'], polls: [], expect: '04:30' },
    { name: 'seeded with nothing private: the latest of all', hidden: [], polls: [], expect: '04:50' },
    { name: 'a later public poll moves it', hidden: ['secret'], polls: [['a', '04:40']], expect: '04:40' },
    { name: 'a private source\'s poll never shows', hidden: ['secret'], polls: [['secret', '05:00']], expect: '04:30' },
    { name: 'an earlier poll does not move it back', hidden: ['secret'], polls: [['b', '04:20']], expect: '04:30' },
    { name: 'a source first polled now counts', hidden: ['secret'], polls: [['new', '04:45']], expect: '04:45' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const last = makeLastRefresh();
      last.seed(rows, new Set(c.hidden));
      for (const [id, t] of c.polls) last.polled(id, at(t));
      expect(last.current()).to.deep.equal(c.expect === null ? null : at(c.expect));
    });
  }

  it('a reseed (reload) starts over: a source made private drops out', () => {
    const last = makeLastRefresh();
    last.seed(rows, new Set());
    expect(last.current()).to.deep.equal(at('04:50'));
    last.seed(rows, new Set(['secret', 'c']));
    expect(last.current()).to.deep.equal(at('04:10'));
    last.seed([], new Set());
    expect(last.current()).to.equal(null);
  });
});
