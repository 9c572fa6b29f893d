import { expect } from 'chai';
import { foldWords, forEachWord, Interner } from '../../../src/tagging/words.js';

describe('tagging/words: folding text into words', () => {
  const cases: [string, string, string[]][] = [
    ['plain headline', 'Rusia dan Belarus Perkuat Kerja Sama', ['rusia', 'dan', 'belarus', 'perkuat', 'kerja', 'sama']],
    ['upper-case title', 'RUSIA TUTUP PERBATASAN', ['rusia', 'tutup', 'perbatasan']],
    ['hyphen separates', 'Rusia-Belarusia', ['rusia', 'belarusia']],
    ['en dash separates', 'Putin–Lukashenko', ['putin', 'lukashenko']],
    ['em dash separates', 'Moskow—Minsk', ['moskow', 'minsk']],
    ['slash separates', 'Rusia/Belarus', ['rusia', 'belarus']],
    ['ASCII apostrophe inside a word is dropped', "Salat Jum'at", ['salat', 'jumat']],
    ['typographic apostrophe is dropped', 'Jum’at', ['jumat']],
    ['modifier apostrophe is dropped', 'Jumʼat', ['jumat']],
    ['apostrophes as quotes separate', "'Rusia' kata", ['rusia', 'kata']],
    ['precomposed diacritics removed', 'Lukašenko Ñuñez', ['lukasenko', 'nunez']],
    ['decomposed diacritics removed', 'Lukas\u030Cenko', ['lukasenko']],
    ['soft hyphen does not split', 'Ru\u00ADsia', ['rusia']],
    ['NFKC compatibility forms', 'ﬁnal ＲＵＳＩＡ', ['final', 'rusia']],
    ['dotted capital I', 'İstanbul', ['istanbul']],
    ['sharp s case-folds', 'STRASSE Straße', ['strasse', 'strasse']],
    ['digits are word characters', 'KTT G20 tahun 2024', ['ktt', 'g20', 'tahun', '2024']],
    ['decimal comma separates', '3,5 persen', ['3', '5', 'persen']],
    ['punctuation only', ' -- !? ', []],
    ['non-breaking space separates', 'Rusia\u00a0Belarus', ['rusia', 'belarus']],
    ['other scripts keep letters', 'Москва 東京', ['москва', '東京']],
  ];
  for (const [name, text, words] of cases) {
    it(name, () => expect(foldWords(text)).to.deep.equal(words));
  }

  it('reports offsets into the original text, including dropped apostrophes and marks', () => {
    const text = "Salat Jum'at di Lukas\u030Cenko–Putin";
    const spans: [string, string][] = [];
    forEachWord(text, (word, start, end) => spans.push([word, text.slice(start, end)]));
    expect(spans).to.deep.equal([
      ['salat', 'Salat'],
      ['jumat', "Jum'at"],
      ['di', 'di'],
      ['lukasenko', 'Lukas\u030Cenko'],
      ['putin', 'Putin'],
    ]);
  });

  it('never finds a word inside a longer word', () => {
    expect(foldWords('Belarusia Prusia Moskowitz')).to.not.include.members(['rusia', 'moskow']);
  });

  describe('with an Interner', () => {
    const texts = [
      ...cases.map(([, text]) => text),
      "Salat Jum'at di Lukas\u030Cenko–Putin",
      'RUSIA Rusia rusia BELARUSIA Belarusia belarusia rusiа', // the last "а" is Cyrillic
      'Kementerian Luar Negeri KEMENTERIANLUARNEGERI kementerianluarnegeri ab ba AB BA',
    ];
    // One slot forces every word through the collision path; 2^14 is the tagger's size. A limit of 5
    // makes the table start afresh several times within one text.
    for (const [bits, limit] of [[0, 1_000], [14, 1_000], [14, 5]] as const) {
      it(`gives forEachWord's words and offsets, each once, with ${2 ** bits} slot(s) and room for ${limit} words`, () => {
        let computed = 0;
        const interner = new Interner((word) => ({ word, n: ++computed }), limit, bits);
        for (const text of texts) {
          const plain: [string, number, number][] = [];
          const interned: [string, number, number][] = [];
          forEachWord(text, (word, start, end) => plain.push([word, start, end]));
          forEachWord(text, (word, start, end, value) => {
            expect(value.word, 'the value computed for this word').to.equal(word);
            interned.push([word, start, end]);
          }, interner);
          expect(interned, text).to.deep.equal(plain);
        }
        // Values are computed once per distinct word while the table keeps it.
        if (limit === 1_000) expect(computed).to.equal(new Set(texts.flatMap((t) => foldWords(t))).size);
      });
    }
  });
});
