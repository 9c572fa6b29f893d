import { expect } from 'chai';
import { compileTagger, QuerySyntaxError, type ItemText, type TagRule } from '../../../src/tagging/index.js';
import { WartaError } from '../../../src/base/errors.js';
import { BELARUS_ONLY, item, RUSIA_BELARUS, SOCHI_MEETING } from './fixtures.js';

type Case = [name: string, rule: string | Omit<TagRule, 'name'>, item: ItemText, tagged: boolean];

function runCases(cases: Case[]): void {
  for (const [name, rule, it_, tagged] of cases) {
    const r: TagRule = typeof rule === 'string' ? { name: 'T', match: rule } : { name: 'T', ...rule };
    it(`${tagged ? 'tags' : 'does not tag'}: ${name}`, () => {
      expect(compileTagger([r]).tag(it_)).to.deep.equal(tagged ? ['T'] : []);
    });
  }
}

describe('tagging/tagger: compileTagger().tag', () => {
  describe('the "Hubungan Rusia dengan Belarusia" tag', () => {
    const R = RUSIA_BELARUS.match;
    runCases([
      ['an article on Putin meeting Lukashenko', R, SOCHI_MEETING, true],
      ['an article that only mentions Belarus (rusia only in an href)', R, BELARUS_ONLY, false],
      ['an upper-case headline', R, item({ title: 'RUSIA DAN BELARUS TANDATANGANI PAKTA KEAMANAN' }), true],
      ['names joined by an en dash', R, item({ title: 'Pertemuan Putin–Lukashenko Bahas Rudal Oreshnik' }), true],
      ['names joined by a hyphen', R, item({ title: 'Latihan Gabungan Rusia-Belarus Dimulai Pekan Depan' }), true],
      ['Prusia and Belarusia are not Rusia', R, item({ title: 'Sejarah Prusia dan Belarusia dalam Perang Napoleon' }), false],
      ['Belarusia alone', R, item({ title: 'Oposisi Belarusia Gelar Aksi di Vilnius' }), false],
      ['Moskowitz is not Moskow', R, item({ title: 'Dustin Moskowitz Danai Perusahaan Rintisan Asal Minsk' }), false],
      [
        'the Russian side only in content:encoded HTML',
        R,
        item({
          title: 'Dua Pemimpin Bertemu di Tepi Laut Hitam',
          summary: '<p>Presiden Belarus tiba pada Kamis malam.</p>',
          content: '<p>Vladimir <strong>Putin</strong> menjamu tamunya di Sochi.</p>',
        }),
        true,
      ],
      ['HTML-escaped markup in the summary', R, item({ title: 'Sorotan', summary: '&lt;p&gt;Kremlin menyambut delegasi dari Minsk.&lt;/p&gt;' }), true],
      [
        'keywords only in attributes, alt text and scripts',
        R,
        item({
          title: 'Galeri Foto Pekan Ini',
          summary:
            '<a href="https://example.id/rusia-belarus">Lihat galeri</a> <img src="putin.jpg" alt="Putin dan Lukashenko">' +
            '<script>dataLayer.push({topik: "Rusia Belarus"})</script>',
        }),
        false,
      ],
      ['one side in a category', R, item({ title: 'Kerja Sama Energi Diperpanjang hingga 2030', summary: 'Minsk menyetujui harga baru.', categories: ['Rusia'] }), true],
    ]);
  });

  describe('whole words, case and accents', () => {
    runCases([
      ['Rusia in "Rusia-Belarusia"', 'Rusia', item({ title: 'Hubungan Rusia-Belarusia Makin Erat' }), true],
      ['Rusia in "Belarusia"', 'Rusia', item({ title: 'Pemilu Belarusia Digelar Januari' }), false],
      ['Rusia in "Prusia"', 'Rusia', item({ title: 'Museum Prusia Dibuka Kembali' }), false],
      ['Moskow in "Moskowitz"', 'Moskow', item({ title: 'Moskowitz Mundur dari Dewan Direksi' }), false],
      ['Moskow in "Moskow"', 'Moskow', item({ title: 'Moskow Balas Sanksi Uni Eropa' }), true],
      ['lower-case rule, upper-case title', 'kremlin', item({ title: 'KREMLIN BANTAH ISU KUDETA' }), true],
      ["Jumat finds Jum'at", 'Jumat', item({ title: "Ribuan Warga Ikuti Salat Jum'at di Masjid Istiqlal" }), true],
      ["Jum'at finds Jumat", "Jum'at", item({ title: 'Jumat Agung, Umat Kristiani Padati Katedral' }), true],
      ['Jum’at finds JUM’AT', 'Jum’at', item({ title: 'KHUTBAH JUM’AT' }), true],
      ['Lukašenko finds Lukasenko', 'Lukašenko', item({ title: 'Lukasenko Kembali Dilantik' }), true],
      ['Lukasenko finds LUKAŠENKO', 'Lukasenko', item({ title: 'LUKAŠENKO KEMBALI DILANTIK' }), true],
      ['decomposed accent in the text', 'Lukasenko', item({ title: 'Lukas\u030Cenko dilantik' }), true],
      ['a word inside an escaped tag name', 'strong', item({ summary: '&lt;strong&gt;Rusia&lt;/strong&gt; menolak' }), false],
    ]);
  });

  describe('phrases', () => {
    runCases([
      ['consecutive words', '"Rusia Belarus"', item({ title: 'Poros Rusia–Belarus Menguat' }), true],
      ['a hyphenated term is a phrase', 'Rusia-Belarus', item({ title: 'Poros Rusia Belarus Menguat' }), true],
      ['words not consecutive', '"Rusia Belarus"', item({ title: 'Rusia dan Belarus Menguat' }), false],
      ['words in the wrong order', '"Rusia Belarus"', item({ title: 'Belarus Rusia' }), false],
      ['a prefix after the first word', 'Rusia-Bel*', item({ title: 'Hubungan Rusia-Belarusia Makin Erat' }), true],
      ['a prefix after the first word, not next to it', 'Rusia-Bel*', item({ title: 'Rusia dan Belarusia' }), false],
      // The prefilter anchors this rule on Lukashenko and Moskow: bel* is found only through its positions.
      ['a prefix after the first word, in a rule anchored elsewhere', 'Rusia-Bel* AND Lukashenko AND Moskow', item({ title: 'Rusia-Belarusia: Lukashenko ke Moskow' }), true],
      ['a later word not named elsewhere', '"Rusia dengan Belarus"', item({ title: 'Hubungan Rusia dengan Belarus' }), true],
      ['a later word replaced', '"Rusia dengan Belarus"', item({ title: 'Hubungan Rusia tanpa Belarus' }), false],
      ['across title and summary', '"Rusia Belarus"', item({ title: 'Sanksi Baru untuk Rusia', summary: 'Belarus ikut terdampak.' }), false],
      ['across two categories', '"Eropa Timur"', item({ title: 'Berita', categories: ['Eropa', 'Timur Tengah'] }), false],
      ['within one category', '"Eropa Timur"', item({ title: 'Berita', categories: ['Dunia', 'Eropa Timur'] }), true],
      ['across inline markup', '"Presiden Rusia"', item({ summary: '<p>Presiden <b>Rusia</b> berpidato</p>' }), true],
    ]);
  });

  describe('AND, OR, NOT', () => {
    runCases([
      ['adjacent terms mean AND (both present)', 'Putin Minsk', item({ title: 'Putin Terbang ke Minsk' }), true],
      ['adjacent terms mean AND (one missing)', 'Putin Minsk', item({ title: 'Putin Terbang ke Beijing' }), false],
      ['OR with one present', 'Minsk OR Kyiv', item({ title: 'Serangan Drone di Kyiv' }), true],
      ['NOT excludes', 'Rusia NOT olahraga', item({ title: 'Rusia Dilarang Ikut Olimpiade', categories: ['Olahraga'] }), false],
      ['NOT allows', 'Rusia NOT olahraga', item({ title: 'Rusia Naikkan Suku Bunga', categories: ['Ekonomi'] }), true],
      ['a rule of NOT only', 'NOT olahraga', item({ title: 'Harga Minyak Turun' }), true],
      ['NOT binds tighter than AND', 'NOT Putin AND Minsk', item({ title: 'Putin di Minsk' }), false],
      ['AND binds tighter than OR', 'Kyiv OR Putin AND Minsk', item({ title: 'Serangan di Kyiv' }), true],
    ]);
  });

  describe('prefix wildcard', () => {
    runCases([
      ['belarus* finds Belarus', 'belarus*', item({ title: 'Belarus Tutup Perbatasan' }), true],
      ['belarus* finds Belarusia', 'belarus*', item({ title: 'Oposisi Belarusia' }), true],
      ['belarus* finds belarusian', 'belarus*', item({ title: 'The Belarusian Opposition' }), true],
      ['belarus* does not find Rusia', 'belarus*', item({ title: 'Rusia Tutup Perbatasan' }), false],
      ['prefixes start at word starts', 'rus*', item({ title: 'Oposisi Belarusia' }), false],
      ['a phrase ending in a prefix', 'Presiden-Belarus*', item({ title: 'Presiden Belarusia Tiba' }), true],
    ]);
  });

  describe('NEAR/n', () => {
    runCases([
      ['adjacent names', 'Putin NEAR/0 Lukashenko', item({ title: 'Putin–Lukashenko' }), true],
      ['one word apart with NEAR/0', 'Putin NEAR/0 Lukashenko', item({ title: 'Putin dan Lukashenko' }), false],
      ['either order', 'Putin NEAR/1 Lukashenko', item({ title: 'Lukashenko dan Putin' }), true],
      ['exactly n words apart', 'Putin NEAR/5 Lukashenko', item({ title: 'Putin kemarin bertemu langsung dengan presiden Lukashenko' }), true],
      ['n + 1 words apart', 'Putin NEAR/5 Lukashenko', item({ title: 'Putin kemarin bertemu langsung dengan presiden Alexander Lukashenko' }), false],
      ['in different fields', 'Putin NEAR/5 Lukashenko', item({ title: 'Putin', summary: 'Lukashenko' }), false],
      ['one mention cannot be both sides', 'Putin NEAR/3 Putin', item({ title: 'Putin berbicara' }), false],
      ['two mentions can', 'Putin NEAR/3 Putin', item({ title: 'Putin, ya, Putin' }), true],
      ['a phrase as an operand', '"Vladimir Putin" NEAR/3 Minsk', item({ title: 'Vladimir Putin tiba di Minsk' }), true],
      ['an OR group as an operand', '(Putin OR Medvedev) NEAR/2 Minsk', item({ title: 'Medvedev ke Minsk' }), true],
    ]);
  });

  describe('field scopes', () => {
    const full = SOCHI_MEETING;
    runCases([
      ['title: finds the title', 'title:Lukashenko', full, true],
      ['title: ignores the summary', 'title:Rusia', full, false],
      ['summary: finds the summary', 'summary:Rusia', full, true],
      ['content: finds content', 'content:Peskov', full, true],
      ['summary: ignores content', 'summary:Peskov', full, false],
      ['category: finds a category', 'category:Eropa', full, true],
      ['category: ignores the title', 'category:Putin', full, false],
      ['source: matches the whole id', 'source:antara-dunia', full, true],
      ['source: needs the whole id', 'source:antara', full, false],
      ['source: with a prefix', 'source:antara*', full, true],
      ['source: without a source', 'source:antara-dunia', item({ title: 'x' }), false],
      ['author: finds the author', 'author:"Atman Ahdiat"', full, true],
      ['link: finds words of the URL', 'link:integrasi', full, true],
      ['link: only the link', 'link:Peskov', full, false],
      ['unscoped terms skip the link and author', 'Ahdiat OR "4123456"', full, false],
      ['a scoped group', 'title:(Putin AND Lukashen*)', full, true],
      ['a scoped group fails as a whole', 'title:(Putin AND Kremlin)', full, false],
      ['scopes combine with operators', 'source:antara-dunia AND NOT title:opini', full, true],
      ['the innermost scope wins', 'title:(Sochi AND content:Peskov)', full, true],
    ]);
  });

  describe('/regex/', () => {
    runCases([
      ['anchored title regex', 'title:/^opini\\b/i', item({ title: 'Opini: Menakar Poros Moskow–Minsk' }), true],
      ['anchored title regex elsewhere in the title', 'title:/^opini\\b/i', item({ title: 'Kolom Opini Pekan Ini' }), false],
      ['runs on text, not markup', '/Rusia dan Belarus/', item({ summary: '<p>Rusia <b>dan</b> Belarus</p>' }), true],
      ['never sees attributes', '/antaranews/', item({ summary: '<a href="https://antaranews.com">Baca</a>' }), false],
      ['each category on its own', 'category:/^Eropa$/', item({ categories: ['Dunia', 'Eropa'] }), true],
      ['on the source id', 'source:/^antara-/', item({ source: 'antara-dunia' }), true],
    ]);
  });

  describe('aliases', () => {
    const rule = { match: 'Lukashenko', aliases: ['Presiden Belarus', 'Batka'] };
    runCases([
      ['the match itself', rule, item({ title: 'Lukashenko Tiba di Beijing' }), true],
      ['an alias phrase', rule, item({ title: 'Presiden Belarus Tiba di Beijing' }), true],
      ['an alias phrase, not consecutive', rule, item({ title: 'Presiden Rusia dan Belarus' }), false],
      ['a one-word alias, case-insensitive', rule, item({ title: 'BATKA BERPIDATO' }), true],
    ]);
  });

  describe("stem: 'id'", () => {
    const serang = { match: 'serang', stem: 'id' as const };
    runCases([
      ['the root', serang, item({ title: 'Rusia Serang Kyiv' }), true],
      ['-an', serang, item({ title: 'Serangan Drone Hantam Kilang' }), true],
      ['meny-', serang, item({ title: 'Ukraina Menyerang Wilayah Kursk' }), true],
      ['di-', serang, item({ title: 'Kilang Minyak Diserang' }), true],
      ['peny- -an', serang, item({ title: 'Penyerangan di Perbatasan' }), true],
      ['perang is another word', serang, item({ title: 'Perang Dagang Memanas' }), false],
      ['without stemming, serangan is another word', 'serang', item({ title: 'Serangan Drone' }), false],
      ['Rusia never finds Belarusia', { match: 'Rusia', stem: 'id' }, item({ title: 'Oposisi Belarusia' }), false],
      ['Rusia never finds berusia', { match: 'Rusia', stem: 'id' }, item({ title: 'Pria Berusia 40 Tahun Ditangkap' }), false],
      ['Rusia finds Rusianya', { match: 'Rusia', stem: 'id' }, item({ title: 'Kedutaan Rusianya' }), true],
      ['stemmed phrase', { match: '"serang Rusia"', stem: 'id' }, item({ title: 'Serangan Rusia ke Odesa' }), true],
      ['reduplication', { match: 'negara', stem: 'id' }, item({ title: 'Negara-negara Anggota BRICS' }), true],
      ['reduplication with a suffix', { match: 'kata', stem: 'id' }, item({ title: 'Kata-katanya Viral' }), true],
      ['stemmed alias', { match: 'zzz', aliases: ['serang'], stem: 'id' }, item({ title: 'Diserang Drone' }), true],
    ]);
  });

  describe('several rules', () => {
    const tagger = compileTagger([
      { name: 'Rusia', match: 'Rusia OR Kremlin' },
      { name: 'Belarus', match: 'Belarus*' },
      { name: 'Rusia', match: 'Moskow' },
      { name: 'Opini', match: 'title:/^opini\\b/i' },
      { name: 'Bukan olahraga', match: 'NOT olahraga' },
    ]);
    const cases: [string, ItemText, string[]][] = [
      ['in rule order, each name once', item({ title: 'Belarus, Moskow dan Kremlin' }), ['Rusia', 'Belarus', 'Bukan olahraga']],
      ['a later rule of the same name', item({ title: 'Moskow Bersalju', categories: ['Olahraga'] }), ['Rusia']],
      ['rules without an anchor word', item({ title: 'Opini: Ekonomi Kita' }), ['Opini', 'Bukan olahraga']],
      ['nothing', item({ title: 'Liga Inggris', categories: ['Olahraga'] }), []],
    ];
    for (const [name, it_, tags] of cases) it(name, () => expect(tagger.tag(it_)).to.deep.equal(tags));

    it('the tagger is reusable and keeps no state between items', () => {
      const first = tagger.tag(SOCHI_MEETING);
      tagger.tag(BELARUS_ONLY);
      expect(tagger.tag(SOCHI_MEETING)).to.deep.equal(first);
    });
  });

  describe('errors', () => {
    const catchError = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        return err;
      }
      throw new Error('expected an error');
    };

    it('a malformed match names the tag and the column', () => {
      const err = catchError(() => compileTagger([{ name: 'Ok', match: 'Rusia' }, { name: 'Hubungan Rusia', match: 'Rusia AND (Belarus' }]));
      expect(err).to.be.instanceOf(QuerySyntaxError);
      const e = err as QuerySyntaxError;
      expect(e.tag).to.equal('Hubungan Rusia');
      expect(e.column).to.equal(11);
      expect(e.message).to.include('tag "Hubungan Rusia"').and.include('column 11');
      expect(e.detail).to.equal("'(' is never closed");
    });

    it('an alias without letters names the tag', () => {
      const err = catchError(() => compileTagger([{ name: 'Belarus', match: 'Belarus', aliases: ['--'] }]));
      expect(err).to.be.instanceOf(QuerySyntaxError);
      expect((err as QuerySyntaxError).message).to.include('tag "Belarus"').and.include('alias');
    });

    it('an unknown stemmer is a config error', () => {
      const err = catchError(() => compileTagger([{ name: 'X', match: 'x', stem: 'en' as unknown as 'id' }]));
      expect(err).to.be.instanceOf(WartaError).and.not.be.instanceOf(QuerySyntaxError);
      expect((err as WartaError).code).to.equal('config_invalid');
    });

    it('no rules tag nothing', () => {
      expect(compileTagger([]).tag(SOCHI_MEETING)).to.deep.equal([]);
    });
  });
});
