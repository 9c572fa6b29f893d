import { expect } from 'chai';
import { compileTagger, fieldTexts, type TagMatch } from '../../../src/tagging/index.js';
import { BELARUS_ONLY, item, RUSIA_BELARUS, SOCHI_MEETING } from './fixtures.js';

const brief = (m: TagMatch): string => `${m.field}:${m.text}`;

describe('tagging/explain: compileTagger().explain', () => {
  it('explains the Russia–Belarus article by field and matched text', () => {
    const matches = compileTagger([RUSIA_BELARUS]).explain(SOCHI_MEETING);
    expect(matches.every((m) => m.tag === RUSIA_BELARUS.name && m.rule === RUSIA_BELARUS.match)).to.equal(true);
    expect(matches.map(brief)).to.include.members([
      'title:Putin',
      'title:Lukashenko',
      'summary:Rusia',
      'summary:Belarus',
      'content:Kremlin',
      'content:Minsk',
    ]);
    // "belarus" in the content's href is not evidence
    expect(matches.filter((m) => m.field === 'content' && /belarus/i.test(m.text)).map((m) => m.text)).to.deep.equal(['Belarus']);
  });

  it('offsets point into fieldTexts() for every field', () => {
    const tagger = compileTagger([
      RUSIA_BELARUS,
      { name: 'scoped', match: 'author:Ahdiat OR link:sochi OR category:Eropa OR source:antara-dunia' },
      { name: 'near', match: 'Putin NEAR/3 Lukashenko' },
      { name: 'regex', match: 'content:/harga \\w+/' },
    ]);
    const texts = fieldTexts(SOCHI_MEETING);
    const matches = tagger.explain(SOCHI_MEETING);
    expect(matches.length).to.be.greaterThan(8);
    for (const m of matches) {
      expect(texts[m.field].slice(m.start, m.end), JSON.stringify(m)).to.equal(m.text);
    }
    expect(matches.filter((m) => m.tag === 'scoped').map(brief)).to.have.members([
      'author:Ahdiat',
      'link:sochi',
      'category:Eropa',
      'source:antara-dunia',
    ]);
  });

  it('a NEAR match covers both names and what lies between', () => {
    const [m] = compileTagger([{ name: 'n', match: 'Putin NEAR/3 Lukashenko' }]).explain(item({ title: 'Lukashenko disambut Putin' }));
    expect(m).to.include({ field: 'title', text: 'Lukashenko disambut Putin', start: 0, end: 25 });
  });

  it('keeps the original spelling, with dashes, apostrophes and accents', () => {
    const matches = compileTagger([{ name: 'j', match: '"Jumat Lukasenko"' }]).explain(item({ title: "Kunjungan Jum'at–Lukašenko" }));
    expect(matches.map(brief)).to.deep.equal(["title:Jum'at–Lukašenko"]);
  });

  it('counts category offsets in the categories joined by newlines', () => {
    const it_ = item({ categories: ['Dunia', 'Eropa Timur'] });
    const [m] = compileTagger([{ name: 'c', match: '"Eropa Timur"' }]).explain(it_);
    expect(m).to.include({ field: 'category', text: 'Eropa Timur', start: 6, end: 17 });
    expect(fieldTexts(it_).category).to.equal('Dunia\nEropa Timur');
  });

  it('names the alias that matched', () => {
    const matches = compileTagger([{ name: 'Lukashenko', match: 'Lukashenko', aliases: ['Presiden Belarus'] }]).explain(
      item({ title: 'Presiden Belarus Tiba' }),
    );
    expect(matches).to.deep.equal([{ tag: 'Lukashenko', rule: 'Presiden Belarus', field: 'title', text: 'Presiden Belarus', start: 0, end: 16 }]);
  });

  it('gives false OR branches and NOT no evidence', () => {
    const matches = compileTagger([{ name: 't', match: '(Putin OR Medvedev) NOT Zelensky' }]).explain(item({ title: 'Putin di Minsk' }));
    expect(matches.map(brief)).to.deep.equal(['title:Putin']);
  });

  it('gives a rule that holds only through NOT one empty entry', () => {
    const matches = compileTagger([{ name: 'bukan', match: 'NOT olahraga' }]).explain(item({ title: 'Harga Minyak' }));
    expect(matches).to.deep.equal([{ tag: 'bukan', rule: 'NOT olahraga', field: 'title', text: '', start: 0, end: 0 }]);
  });

  it('caps occurrences per term', () => {
    const title = Array.from({ length: 20 }, () => 'Rusia').join(' ');
    expect(compileTagger([{ name: 'r', match: 'Rusia' }]).explain(item({ title }))).to.have.length(2);
  });

  it('caps occurrences per rule, keeping the first of each term', () => {
    const terms = ['Rusia', 'Moskow', 'Kremlin', 'Putin', 'Belarusia', 'Minsk', 'Lukashenko', 'Lavrov'];
    const title = [...terms, ...terms, ...terms].join(' ');
    const matches = compileTagger([{ name: 'r', match: terms.join(' OR ') }]).explain(item({ title }));
    expect(matches).to.have.length(10);
    // Every term is there at least once: the cap cuts second occurrences, collected after the first ones.
    expect(new Set(matches.map((m) => m.text))).to.have.property('size', 8);
  });

  it('agrees with tag() on which tags apply', () => {
    const rules = [RUSIA_BELARUS, { name: 'Belarus', match: 'belarus*' }, { name: 'Kremlin', match: 'content:Kremlin' }];
    const tagger = compileTagger(rules);
    for (const it_ of [SOCHI_MEETING, BELARUS_ONLY]) {
      expect([...new Set(tagger.explain(it_).map((m) => m.tag))]).to.deep.equal(tagger.tag(it_));
    }
    expect(tagger.tag(BELARUS_ONLY)).to.deep.equal(['Belarus']);
  });
});
