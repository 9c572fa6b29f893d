import { expect } from 'chai';
import type { IncomingItem } from '../../../src/base/model.js';
import { assignKeys, hashContent, itemUid } from '../../../src/pipeline/dedupe.js';

const item = (o: Partial<IncomingItem>): IncomingItem => ({
  guid: null, link: null, title: 't', summary: null, content: null, author: null, categories: [], published: null, updated: null, ...o,
});

describe('pipeline: assignKeys', () => {
  const cases: { name: string; items: IncomingItem[]; keys: string[] }[] = [
    { name: 'guid first, even a bare number', items: [item({ guid: '12345', link: 'https://a/1' })], keys: ['g:12345'] },
    { name: 'link when there is no guid (RSS 1.0)', items: [item({ link: 'https://a/1' })], keys: ['l:https://a/1'] },
    {
      name: 'hash of title and content when there is neither',
      items: [item({ title: 'A', content: 'x' }), item({ title: 'B', content: 'x' })],
      keys: ['h:', 'h:'],
    },
    {
      name: 'a repeated article collapses into its first occurrence',
      items: [item({ guid: '1', link: 'https://a/1', title: 'first' }), item({ guid: '1', link: 'https://a/1', title: 'second' })],
      keys: ['g:1'],
    },
    {
      name: 'one guid reused for different links is disambiguated by the link',
      items: [item({ guid: 'https://a/', link: 'https://a/1' }), item({ guid: 'https://a/', link: 'https://a/2' })],
      keys: ['gl:https://a/\nhttps://a/1', 'gl:https://a/\nhttps://a/2'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const keyed = assignKeys(c.items);
      expect(keyed.map((k) => (k.key.startsWith('h:') ? 'h:' : k.key))).to.deep.equal(c.keys);
    });
  }

  it('keeps the first of two copies (not the last)', () => {
    const keyed = assignKeys([item({ guid: '1', title: 'first' }), item({ guid: '1', title: 'second' })]);
    expect(keyed[0]!.item.title).to.equal('first');
  });

  it('gives items with different text different hash keys', () => {
    const [a, b] = assignKeys([item({ title: 'A' }), item({ title: 'B' })]);
    expect(a!.key).to.not.equal(b!.key);
  });

  it('changes the content hash when anything published changes, and only then', () => {
    const base = item({ guid: '1', title: 'Putin bertemu Lukashenko', published: new Date('2026-11-01T00:00:00Z') });
    const [h1] = assignKeys([base]);
    const [h2] = assignKeys([{ ...base }]);
    const [h3] = assignKeys([{ ...base, title: 'Putin bertemu Lukashenko di Minsk' }]);
    const [h4] = assignKeys([{ ...base, categories: ['Dunia'] }]);
    expect(h1!.contentHash).to.equal(h2!.contentHash);
    expect(h3!.contentHash).to.not.equal(h1!.contentHash);
    expect(h4!.contentHash).to.not.equal(h1!.contentHash);
  });

  it('takes the content hash a parser thread gave the item (IncomingItem.contentHash) instead of hashing it again, and hashes one without', () => {
    const read = item({ guid: '1', title: 'Putin bertemu Lukashenko' });
    // A marker no hash of the fields could give: the given hash is what is used.
    const [given] = assignKeys([{ ...read, contentHash: 'from-the-thread' }]);
    const [plain] = assignKeys([read]);
    expect(given!.contentHash).to.equal('from-the-thread');
    expect(plain!.contentHash).to.equal(hashContent(read)).and.match(/^[0-9a-f]{64}$/);
  });
});

describe('pipeline: itemUid', () => {
  it('is a stable urn:uuid unique per source and key', () => {
    const a = itemUid('antara', 'g:1');
    expect(a).to.match(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(itemUid('antara', 'g:1')).to.equal(a);
    expect(itemUid('tempo', 'g:1')).to.not.equal(a);
    expect(itemUid('antara', 'g:2')).to.not.equal(a);
  });

  // Stored ids and content hashes outlive the code that made them: a changed digest would republish every
  // item under a new id (feed readers show duplicates) and rewrite every row on the next poll. Values
  // computed by the first implementation (createHash().update().digest()).
  it('keeps the values earlier versions stored', () => {
    expect(itemUid('antara-dunia', 'g:https://example.id/ber\u00edta/1')).to.equal('urn:uuid:82a87d5c-88e8-566b-8049-015a7bf2aca0');
    const item = {
      guid: 'x', link: 'https://example.id/1', title: 'Rusia\u2013Belarus', summary: '<p>Minsk</p>', content: null, author: 'Redaksi',
      categories: ['Dunia'], published: new Date('2026-01-02T03:04:05Z'), updated: null,
    };
    expect(hashContent(item)).to.equal('9439db3801cca4dc97094a89f2d3298162ccc1845339b5cf6fea5f1692976ad8');
  });
});
