import { expect } from 'chai';
import { stemCandidates } from '../../../src/tagging/stem.js';

// Two words match under `stem: 'id'` when their candidate sets intersect.
const sameRoot = (a: string, b: string): boolean => stemCandidates(a).some((k) => stemCandidates(b).includes(k));

describe('tagging/stem: Indonesian affix stripping', () => {
  const related: [string, string][] = [
    ['serang', 'serangan'],
    ['serang', 'menyerang'],
    ['serang', 'diserang'],
    ['serang', 'penyerangan'],
    ['serang', 'terserang'],
    ['kirim', 'mengirim'],
    ['ambil', 'mengambil'],
    ['pukul', 'memukul'],
    ['tulis', 'menulis'],
    ['beli', 'membeli'],
    ['cari', 'mencari'],
    ['hadir', 'menghadiri'],
    ['lihat', 'melihat'],
    ['kira', 'diperkirakan'],
    ['berita', 'pemberitaan'],
    ['berita', 'diberitakan'],
    ['usia', 'berusia'],
    ['rusia', 'rusianya'],
    ['kata', 'katanya'],
  ];
  for (const [a, b] of related) {
    it(`${a} ~ ${b}`, () => expect(sameRoot(a, b), `${stemCandidates(a)} vs ${stemCandidates(b)}`).to.equal(true));
  }

  const unrelated: [string, string][] = [
    ['rusia', 'belarusia'],
    ['rusia', 'prusia'],
    ['rusia', 'berusia'], // "aged": be- + rusia would be a disaster in news text
    ['serang', 'perang'],
    ['moskow', 'moskowitz'],
    ['iran', 'ir'],
    ['suharto', 'suharti'],
  ];
  for (const [a, b] of unrelated) {
    it(`${a} ≁ ${b}`, () => expect(sameRoot(a, b), `${stemCandidates(a)} vs ${stemCandidates(b)}`).to.equal(false));
  }

  it('always includes the word itself', () => {
    for (const w of ['rusia', 'menyerang', 'di', 'g20']) expect(stemCandidates(w)).to.include(w);
  });

  it('keeps roots of at least four letters', () => {
    expect(stemCandidates('makan')).to.deep.equal(['makan']); // not "mak"
    expect(stemCandidates('perang')).to.deep.equal(['perang']); // not "ang"
  });
});
