import { expect } from 'chai';
import { makeClassifier } from '../../../src/tagging/classify.js';
import { parseConfig } from '../../../src/config/load.js';
import type { IncomingItem } from '../../../src/base/model.js';
import { makeRandom } from '../../helpers/random.js';

// decide() is what a re-tag compares with the store before explaining anything: it must give exactly the
// tags and outputs that classify() gives, whatever made them (rules, source tags, publisher categories).
describe('classify: decide() agrees with classify()', () => {
  const config = parseConfig(
    `sources:
  - id: antara
    url: "http://127.0.0.1:9/a.xml"
    tags: [Antara]
    from_categories: true
  - id: tass
    url: "http://127.0.0.1:9/t.xml"
    from_categories: { Politik: Rusia }
tags:
  - name: Rusia
    match: Rusia OR Moskow OR Kremlin
  - name: Belarus
    match: belarus* OR Minsk
    aliases: [Byelorussia]
  - name: Hubungan Rusia dengan Belarusia
    match: (Rusia OR Putin) AND (Belarus* OR Lukashenko)
  - name: Antara
    match: title:/^ANTARA/
  - name: Bukan opini
    match: NOT opini
outputs:
  - id: rusia
    title: Rusia
    tags: [Rusia]
  - id: tanpa-tass
    title: Tanpa TASS
    match: NOT source:tass AND (Rusia OR Belarus*)
  - id: judul-putin
    title: Putin di judul
    match: title:Putin NEAR/3 Lukashenko
`,
    'test.yaml',
  );
  const classifier = makeClassifier(config);
  const random = makeRandom(11);
  const WORDS = ['Rusia', 'Belarusia', 'Minsk', 'Putin', 'Lukashenko', 'opini', 'Byelorussia', 'ANTARA', 'Moskow', 'ekonomi', 'Politik', 'belarus'];
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const words = (n: number) => Array.from({ length: n }, pick).join(' ');
  const item = (): IncomingItem => ({
    guid: null, link: null, title: words(1 + Math.floor(random() * 5)),
    summary: random() < 0.6 ? `<p>${words(4)}</p>` : null, content: random() < 0.3 ? words(8) : null, author: null,
    categories: random() < 0.5 ? [pick()] : [], published: null, updated: null,
  });

  it('on 500 random items from each source', () => {
    let tagged = 0;
    let outputs = 0;
    for (let k = 0; k < 1_000; k++) {
      const it = item();
      const source = k % 2 === 0 ? 'antara' : 'tass';
      const full = classifier.classify(it, source);
      const decided = classifier.decide(it, source);
      expect([...decided.tags].sort(), JSON.stringify(it)).to.deep.equal(full.tags.map((t) => t.tag).sort());
      expect([...decided.outputs].sort(), JSON.stringify(it)).to.deep.equal([...full.outputs].sort());
      tagged += full.tags.length;
      outputs += full.outputs.length;
    }
    // The comparison means little unless tags and outputs are common.
    expect(tagged).to.be.greaterThan(1_000);
    expect(outputs).to.be.greaterThan(300);
  });
});

// Publisher keywords (issue 12): tags only on sources with publisher_keywords, merged with a configured tag whose
// name folds the same; decide() agrees; and a config without them keeps its fingerprint (no re-tag on upgrade).
describe('classify: publisher keywords', () => {
  const yaml = (on: boolean) => `sources:
  - id: jurnas
    url: "http://127.0.0.1:9/j.xml"
${on ? '    full_text: true\n    publisher_keywords: true\n' : ''}  - id: antara
    url: "http://127.0.0.1:9/a.xml"
tags:
  - name: Vladimir Putin
    match: Putin
`;
  const item = { title: 'Pertemuan di Minsk', summary: null, content: null, author: null, link: null, categories: ['Dunia'], keywords: ['vladimir putin', 'Yevgeny Prigozhin'] };
  const cases: { why: string; on: boolean; source: string; want: string[] }[] = [
    { why: 'a source with publisher_keywords: one tag per keyword, merged with the configured one', on: true, source: 'jurnas', want: ['Vladimir Putin', 'Yevgeny Prigozhin'] },
    { why: 'another source: none', on: true, source: 'antara', want: [] },
    { why: 'publisher_keywords off: none', on: false, source: 'jurnas', want: [] },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const classifier = makeClassifier(parseConfig(yaml(c.on), 'test.yaml'));
      const got = classifier.classify(item, c.source);
      expect(got.tags.map((t) => t.tag).sort()).to.deep.equal(c.want);
      expect([...classifier.decide(item, c.source).tags].sort()).to.deep.equal(c.want);
      for (const t of got.tags) expect(t.explain[0]).to.include({ rule: 'sources[].publisher_keywords', field: 'category' });
    });
  }
  it('the fingerprint moves only when a source turns publisher_keywords on', () => {
    const plain = parseConfig(yaml(false), 'test.yaml');
    const fp = makeClassifier(plain).fingerprint;
    const same = makeClassifier({ ...plain, sources: plain.sources.map(({ publisherKeywords: _p, ...s }) => s) as never }).fingerprint;
    expect(same).to.equal(fp);
    expect(makeClassifier(parseConfig(yaml(true), 'test.yaml')).fingerprint).to.not.equal(fp);
  });
});
