import { expect } from 'chai';
import { decodeExplain, encodeExplain } from '../../../src/store/explain-json.js';
import type { StoredMatch } from '../../../src/store/store.js';

describe('db/explain-json: the item_tags.explain column', () => {
  const rule = '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)';
  const matches: StoredMatch[] = [
    { rule, field: 'title', text: 'Putin', start: 0, end: 5 },
    { rule, field: 'title', text: 'Lukashenko', start: 10, end: 20 },
    { rule: 'Belarus', field: 'summary', text: 'Belarus', start: 3, end: 10 },
    { rule: 'sources[].tags', field: 'source', text: 'antara-dunia', start: 0, end: 12 },
  ];

  it('round-trips matches, rules in order', () => {
    expect(decodeExplain(encodeExplain(matches))).to.deep.equal(matches);
    expect(decodeExplain(encodeExplain([]))).to.deep.equal([]);
  });

  it('stores each rule once', () => {
    const text = encodeExplain(matches);
    expect(text.split(rule)).to.have.length(2);
    expect(text.length).to.be.lessThan(JSON.stringify(matches).length - rule.length);
  });

  it('reads rows written as a JSON array of matches, and NULL', () => {
    expect(decodeExplain(JSON.stringify(matches))).to.deep.equal(matches);
    expect(decodeExplain(null)).to.deep.equal([]);
  });
});
