import { expect } from 'chai';
import { decodeSketch, encodeSketch, SKETCH_VERSION, sketchOf } from '../../src/stories/index.js';
import { numbersOf, numberKind } from '../../src/stories/numbers.js';
import { namesOf } from '../../src/stories/names.js';
import { MAX_NAMES, MAX_NUMBERS, MAX_TERMS } from '../../src/stories/sketch.js';

describe('stories/numbers: figures normalized so rewrites agree', () => {
  const cases: [string, string, string[]][] = [
    ['score with a hyphen', 'Persib menang 3-1 atas Persija', ['3-1']],
    ['score with an en dash', 'skor 2–2 di babak pertama', ['2-2']],
    ['money with a space', 'Harga beras Rp 13.500 per kilogram', ['rp 13.500']],
    ['money without a space, per unit', 'naik ke Rp13.500/kg', ['rp 13.500']],
    ['cents dropped', 'Rp 12.500,00', ['rp 12.500']],
    ['"ribu" written out', 'harga cabai Rp 80 ribu', ['rp 80.000']],
    ['large units kept as words', 'senilai Rp 1,7 miliar', ['rp 1,7 miliar']],
    ['dollars', 'US$ 5 juta', ['usd 5 juta']],
    ['percent as a word', 'naik 15 persen', ['15%']],
    ['decimal comma percent', 'tumbuh 3,5%', ['3,5%']],
    ['decimal point percent (English copy)', 'inflation 3.5 percent', ['3,5%']],
    ['magnitude after M', 'Gempa M 5,6 guncang Garut', ['m 5,6']],
    ['magnitude inside bermagnitudo', 'gempa bermagnitudo 6,1', ['m 6,1']],
    ['magnitude in SR', 'gempa 5.6 SR', ['m 5,6']],
    ['numeric date with year', "Jum'at (6/12/2024)", ['6/12', '2024']],
    ['written date with year', 'pada 6 Desember 2024', ['6/12', '2024']],
    ['numeric date alone', 'Senin (2/12)', ['2/12']],
    ['year before a comma', 'sejak 1980, Korea', ['1980']],
    ['clock times are not evidence', 'pukul 08.20 WIB', []],
    ['kilometers spelled two ways agree', 'kedalaman 10 km, sejauh 23 kilometer', ['10 km', '23 km']],
    ['meters', 'kolom abu 2.000 meter', ['2.000 meter']],
    ['thousands separators', '2.183.239 suara', ['2.183.239']],
    ['single digits are left out', '3 orang dan 7 rumah', []],
    ['no numbers', 'Putin bertemu Lukashenko', []],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(numbersOf(text)).to.deep.equal(expected));
  }

  const kinds: [string, string][] = [
    ['3-1', 'score'], ['rp 13.500', 'money'], ['usd 5 juta', 'money'], ['15%', 'percent'], ['m 5,6', 'magnitude'],
    ['6/12', 'date'], ['2024', 'year'], ['10 km', 'measure'], ['2.183.239', 'plain'],
  ];
  for (const [value, kind] of kinds) it(`"${value}" is a ${kind}`, () => expect(numberKind(value)).to.equal(kind));
});

describe('stories/names: capitals that are names, not typography', () => {
  const cases: [string, string[], string[]][] = [
    ['names inside sentences of the lead; the Title Case headline confirmed by it',
      ['Putin dan Lukashenko Bertemu di Minsk', 'MINSK, KOMPAS.com – Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Minsk, Jumat (6/12/2024).'],
      ['putin', 'lukashenko', 'minsk', 'rusia', 'vladimir', 'belarus', 'alexander']],
    ['an ALL CAPS headline alone gives no names', ['PERSIB TEKUK PERSIJA 3-1'], []],
    ['a sentence opening with a name run', ['Persib Tekuk Persija', 'Persib Bandung mengalahkan Persija Jakarta.'], ['persib', 'persija', 'bandung', 'jakarta']],
    ['a sentence-initial ordinary word is not a name', ['Harga beras naik lagi', 'Kenaikan harga terjadi di Cianjur.'], ['cianjur']],
    ["days, months and titles are not names (Jum'at folded)", ['Salat Jum’at bersama Presiden', 'Pada Jum’at, 6 Desember, Presiden Prabowo hadir.'], ['prabowo']],
    ['an acronym stands for its spelled-out name', ['Harga beras', 'Badan Pangan Nasional (Bapanas) mencatat kenaikan. Menurut Bapanas, pasokan turun.'], ['bapanas']],
    ['roman numerals and status words are not names', ['Lewotobi erupsi', 'Status Gunung Lewotobi Laki-laki naik ke Level IV (Awas), kata PVMBG.'], ['lewotobi', 'laki', 'pvmbg']],
    ['diacritics folded; a name inside a sentence-case title counts', ['Lukašenko bertemu Putin', 'Presiden Aleksandr Lukašenko tiba.'], ['lukasenko', 'putin', 'aleksandr']],
  ];
  for (const [name, fields, expected] of cases) {
    it(name, () => expect(namesOf(fields)).to.deep.equal(expected));
  }
});

describe('stories/sketch: what an item is compared by', () => {
  it('reads HTML as a reader sees it: markup and scripts are not words, entities are decoded', () => {
    const s = sketchOf({ title: '<b>Putin</b> &amp; Lukashenko bertemu', summary: '<p>Presiden Rusia Vladimir Putin mengumumkan pakta di Minsk.</p><script>var x = "Kremlin";</script>', content: null });
    expect(s.terms).to.include.members(['putin', 'lukashenko', 'pakta', 'minsk']);
    expect(s.terms).not.to.include('kremlin');
    expect(s.terms).not.to.include('script');
    expect(s.names).to.include.members(['putin', 'rusia', 'vladimir', 'minsk']);
  });

  it('terms: stop words and boilerplate out, affixed forms share a root, sorted and unique', () => {
    const s = sketchOf({ title: 'Pemerintah umumkan kebijakan', summary: 'Kebijakan itu diumumkan dan mengumumkan yang baru. Sumber: Reuters. Baca juga: lainnya', content: null });
    expect(s.terms).not.to.include.members(['itu', 'dan', 'yang', 'sumber', 'reuters', 'baca', 'juga']);
    expect(s.terms.filter((t) => t === 'umum')).to.have.length(1);
    expect(s.terms).not.to.include.members(['diumumkan', 'mengumumkan']);
    expect([...s.terms].sort()).to.deep.equal(s.terms);
  });

  it('keeps within its limits on a long article', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `Kata${i} kata${i}an angka ${i * 7}`).join('. ');
    const s = sketchOf({ title: 'Judul', summary: null, content: `<p>${words}</p>` });
    expect(s.terms.length).to.be.at.most(MAX_TERMS);
    expect(s.names.length).to.be.at.most(MAX_NAMES);
    expect(s.numbers.length).to.be.at.most(MAX_NUMBERS);
    expect(s.sig.length).to.be.greaterThan(0);
  });

  it('an empty item gives an empty sketch, not an error', () => {
    expect(sketchOf({ title: '', summary: null, content: null })).to.deep.equal({ v: SKETCH_VERSION, terms: [], sig: [], names: [], numbers: [] });
    expect(() => sketchOf({ title: '<<<&&&', summary: '</p>', content: '<script>' })).not.to.throw();
  });

  it('the same text gives the same sketch (signature included)', () => {
    const text = { title: 'Gempa M 5,6 Guncang Garut', summary: 'Gempa bermagnitudo 5,6 mengguncang Kabupaten Garut, Selasa (3/12/2024).', content: null };
    expect(sketchOf(text)).to.deep.equal(sketchOf({ ...text }));
  });

  it('encodes compactly and decodes to the same sketch', () => {
    const s = sketchOf({ title: 'Harga Beras Medium Naik Jadi Rp 13.500 per Kilogram', summary: 'Harga rata-rata beras medium naik menjadi Rp 13.500 per kilogram, menurut Badan Pangan Nasional (Bapanas), Rabu (4/12/2024).', content: null });
    const encoded = encodeSketch(s);
    expect(encoded.length).to.be.lessThan(JSON.stringify(s).length);
    expect(decodeSketch(encoded)).to.deep.equal(s);
  });

  const garbage: [string, string][] = [
    ['not JSON', 'xx'],
    ['JSON but not an object', '[1,2]'],
    ['null', 'null'],
    ['missing fields', '{"v":1}'],
    ['another version (rebuild it)', encodeSketch({ v: SKETCH_VERSION + 1, terms: [], sig: [], names: [], numbers: [] })],
    ['a bad signature value', '{"v":1,"t":"a","s":"zz-top","n":"","u":""}'],
    ['wrong types', '{"v":1,"t":["a"],"s":"","n":"","u":""}'],
  ];
  for (const [name, text] of garbage) it(`decode of ${name} is null`, () => expect(decodeSketch(text)).to.equal(null));
});
