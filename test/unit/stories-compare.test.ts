import { expect } from 'chai';
import { compareSketches, DEFAULT_THRESHOLD, sketchOf, type StoryText } from '../../src/stories/index.js';

const t = (title: string, summary: string): StoryText => ({ title, summary, content: null });

describe('stories/compare: the same story, told by two outlets', () => {
  const same: [string, StoryText, StoryText][] = [
    ['Putin–Lukashenko pact, Kompas and Antara',
      t('Putin dan Lukashenko Bertemu di Minsk, Teken Pakta Jaminan Keamanan', 'MINSK, KOMPAS.com – Presiden Rusia Vladimir Putin dan Presiden Belarus Alexander Lukashenko menandatangani perjanjian jaminan keamanan bersama di Minsk, Jumat (6/12/2024). Pakta itu mencakup kemungkinan penggunaan senjata nuklir Rusia untuk melindungi Belarus. Sumber: Reuters'),
      t('Rusia dan Belarus tandatangani perjanjian jaminan keamanan', 'Minsk (ANTARA) - Rusia dan Belarus pada Jumat menandatangani perjanjian jaminan keamanan yang memungkinkan Moskow menggunakan senjata nuklir untuk membela Belarus, kata Presiden Vladimir Putin usai bertemu Presiden Alexander Lukashenko di Minsk.')],
    ['Persib 3-1 Persija, Detik and Okezone',
      t('Persib Tekuk Persija 3-1 di Si Jalak Harupat', 'Persib Bandung mengalahkan Persija Jakarta 3-1 dalam laga pekan ke-14 Liga 1 di Stadion Si Jalak Harupat, Kamis (5/12/2024). Dua gol David da Silva dan satu gol Tyronne del Pino membawa Maung Bandung kokoh di puncak klasemen.'),
      t('Hasil Liga 1: Persib Bandung Menang 3-1 atas Persija Jakarta', 'Persib Bandung meraih kemenangan 3-1 atas Persija Jakarta di Stadion Si Jalak Harupat, Kabupaten Bandung. David da Silva mencetak dua gol, sedangkan gol Persija dicetak Gustavo Almeida.')],
    ['rice price with "Rp 13.500" and "Rp13.500/kg"',
      t('Harga Beras Medium Naik Jadi Rp 13.500 per Kilogram', 'JAKARTA, KOMPAS.com - Harga rata-rata beras medium di tingkat konsumen naik menjadi Rp 13.500 per kilogram pada pekan pertama Desember 2024, menurut Panel Harga Badan Pangan Nasional (Bapanas).'),
      t('Bapanas Catat Harga Beras Medium Tembus Rp13.500/kg', 'Badan Pangan Nasional (Bapanas) mencatat harga beras medium di tingkat konsumen mencapai Rp13.500 per kg, di atas harga eceran tertinggi (HET) Rp12.500.')],
    ['a headline figure that is a change, not the price ("Turun Rp 400")',
      t('Harga Pertamax Turun Jadi Rp 12.100 per Liter Mulai 1 Desember', 'KOMPAS.com - PT Pertamina (Persero) menurunkan harga BBM nonsubsidi mulai Minggu (1/12/2024). Harga Pertamax turun dari Rp 12.500 menjadi Rp 12.100 per liter untuk wilayah Jabodetabek.'),
      t('Daftar Harga BBM Pertamina 1 Desember 2024, Pertamax Turun Rp 400', 'TRIBUNNEWS.COM - Harga BBM nonsubsidi Pertamina turun mulai 1 Desember 2024. Pertamax kini Rp 12.100 per liter, turun Rp 400 dari bulan lalu.')],
  ];
  for (const [name, a, b] of same) {
    it(name, () => {
      const c = compareSketches(sketchOf(a), sketchOf(b), DEFAULT_THRESHOLD);
      expect(c.same, JSON.stringify(c)).to.equal(true);
      expect(c.sharedNames.length + c.sharedNumbers.length).to.be.greaterThan(0);
    });
  }
});

describe('stories/compare: one topic, different stories (names and numbers as evidence)', () => {
  const traps: [string, StoryText, StoryText, 'names' | 'numbers'][] = [
    ['two Persib matches: opponent and score differ',
      t('Persib Tekuk Persija 3-1 di Si Jalak Harupat', 'Persib Bandung mengalahkan Persija Jakarta 3-1 dalam laga pekan ke-14 Liga 1 di Stadion Si Jalak Harupat, Kamis (5/12/2024).'),
      t('Persib Ditahan Imbang PSM Makassar 0-0', 'Persib Bandung ditahan imbang tanpa gol oleh PSM Makassar dalam laga pekan ke-15 Liga 1 di Stadion BJ Habibie, Parepare, Minggu (8/12/2024).'),
      'numbers'],
    ['rice versus chili: the same words, other amounts',
      t('Harga Beras Medium Naik Jadi Rp 13.500 per Kilogram', 'Harga rata-rata beras medium di tingkat konsumen naik menjadi Rp 13.500 per kilogram pada pekan pertama Desember 2024, menurut Panel Harga Badan Pangan Nasional.'),
      t('Harga Cabai Rawit Melonjak Jadi Rp 80.000 per Kilogram', 'Harga cabai rawit merah di sejumlah pasar tradisional Jakarta melonjak menjadi Rp 80.000 per kilogram pada pekan pertama Desember 2024, menurut Panel Harga Badan Pangan Nasional.'),
      'numbers'],
    ['two Putin–Lukashenko meetings months apart: dates and places differ',
      t('Putin dan Lukashenko Bertemu di Minsk, Teken Pakta Jaminan Keamanan', 'Presiden Rusia Vladimir Putin dan Presiden Belarus Alexander Lukashenko menandatangani perjanjian jaminan keamanan di Minsk, Jumat (6/12/2024).'),
      t('Putin Terima Lukashenko di Kremlin, Bahas Latihan Nuklir Taktis', 'Presiden Rusia Vladimir Putin menerima Presiden Belarus Alexander Lukashenko di Kremlin, Moskwa, Jumat (21/6/2024). Keduanya membahas latihan senjata nuklir taktis bersama.'),
      'numbers'],
    ['two earthquakes the same day: places and magnitudes differ',
      t('Gempa M 5,6 Guncang Garut, Getaran Terasa hingga Bandung', 'Gempa bumi bermagnitudo 5,6 mengguncang Kabupaten Garut, Jawa Barat, Selasa (3/12/2024). BMKG menyebut pusat gempa berada di darat pada kedalaman 10 kilometer dan tidak berpotensi tsunami.'),
      t('Gempa M 6,1 Guncang Maluku Tenggara Barat, Tak Berpotensi Tsunami', 'Gempa bumi bermagnitudo 6,1 mengguncang wilayah Kepulauan Tanimbar, Maluku, Selasa (3/12/2024) siang. BMKG mencatat pusat gempa berada di laut pada kedalaman 120 kilometer dan tidak berpotensi tsunami.'),
      'numbers'],
    ['an aftershock that mentions the main quake',
      t('Gempa M 5,6 Guncang Garut', 'Gempa bumi bermagnitudo 5,6 mengguncang Kabupaten Garut, Jawa Barat, Selasa (3/12/2024). BMKG menyebut gempa tidak berpotensi tsunami.'),
      t('Gempa Susulan M 4,2 Kembali Guncang Garut', 'Gempa susulan bermagnitudo 4,2 kembali mengguncang Kabupaten Garut, Jawa Barat, Kamis (5/12/2024). BMKG menyebut gempa ini susulan dari gempa M 5,6 pada Selasa lalu.'),
      'numbers'],
    ['two market fires: no name in common',
      t('Pasar Kosambi Bandung Terbakar Dini Hari', 'Kebakaran melanda Pasar Kosambi, Kota Bandung, dini hari. Diskar PB Kota Bandung mengerahkan mobil pemadam. Api diduga berasal dari korsleting listrik di kios pakaian.'),
      t('Pasar Turi Surabaya Terbakar Dini Hari', 'Kebakaran melanda Pasar Turi, Kota Surabaya, dini hari. Dinas Pemadam Kebakaran Surabaya mengerahkan mobil pemadam. Api diduga berasal dari korsleting listrik di lantai dua.'),
      'names'],
    ['two volcanoes erupting: names and heights differ',
      t('Gunung Lewotobi Laki-laki Kembali Erupsi, Tinggi Kolom Abu 2.000 Meter', 'Gunung Lewotobi Laki-laki di Kabupaten Flores Timur, Nusa Tenggara Timur, kembali erupsi dengan tinggi kolom abu 2.000 meter di atas puncak.'),
      t('Gunung Semeru Erupsi, Tinggi Kolom Abu 800 Meter', 'Gunung Semeru di perbatasan Kabupaten Lumajang dan Malang, Jawa Timur, erupsi dengan tinggi kolom abu 800 meter di atas puncak.'),
      'names'],
  ];
  for (const [name, a, b, evidence] of traps) {
    it(name, () => {
      const c = compareSketches(sketchOf(a), sketchOf(b), DEFAULT_THRESHOLD);
      expect(c.same, JSON.stringify(c)).to.equal(false);
      if (evidence === 'numbers') expect(c.differingNumbers).not.to.deep.equal([]);
      else expect(c.differingNames).not.to.deep.equal([]);
    });
  }

  it('reports its evidence: shared and differing names and numbers, sorted', () => {
    const c = compareSketches(
      sketchOf(t('Persib Tekuk Persija 3-1', 'Persib Bandung mengalahkan Persija Jakarta 3-1 di Stadion Si Jalak Harupat.')),
      sketchOf(t('Persib Ditahan PSM 0-0', 'Persib Bandung ditahan imbang PSM Makassar 0-0 di Parepare.')),
      DEFAULT_THRESHOLD,
    );
    expect(c.sharedNames).to.include.members(['persib', 'bandung']);
    expect(c.differingNames).to.include.members(['persija', 'psm', 'makassar', 'parepare']);
    expect(c.differingNumbers).to.deep.equal(['0-0', '3-1']);
    expect(c.sharedNumbers).to.deep.equal([]);
  });

  it('is symmetric and bounded', () => {
    const a = sketchOf(t('Harga Emas Antam Naik Rp 8.000', 'Harga emas batangan Antam naik Rp 8.000 menjadi Rp 1.523.000 per gram pada Selasa (3/12/2024).'));
    const b = sketchOf(t('Emas Antam Naik Rp8.000', 'Harga emas Antam naik Rp8.000 ke level Rp1.523.000 per gram pada perdagangan Selasa.'));
    const ab = compareSketches(a, b, DEFAULT_THRESHOLD);
    const ba = compareSketches(b, a, DEFAULT_THRESHOLD);
    expect(ab.similarity).to.equal(ba.similarity);
    expect(ab.same).to.equal(ba.same);
    expect(compareSketches(a, a, DEFAULT_THRESHOLD).similarity).to.be.at.most(1);
    expect(compareSketches(a, a, DEFAULT_THRESHOLD).same).to.equal(true);
  });

  it('empty sketches are never the same story', () => {
    const empty = sketchOf({ title: '', summary: null, content: null });
    expect(compareSketches(empty, empty, DEFAULT_THRESHOLD).same).to.equal(false);
  });
});
