/** Real-looking Indonesian news items for the tagging tests, in the shapes feeds deliver them. */
import type { ItemText } from '../../../src/tagging/index.js';

/** An item with empty fields except those given. */
export function item(fields: Partial<ItemText>): ItemText {
  return { title: '', summary: null, content: null, categories: [], ...fields };
}

export const RUSIA_BELARUS = {
  name: 'Hubungan Rusia dengan Belarusia',
  match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)',
};

/** An ANTARA-style article on Russia–Belarus relations: must carry the tag. */
export const SOCHI_MEETING = item({
  title: 'Putin dan Lukashenko Bahas Integrasi Ekonomi di Sochi',
  summary:
    '<p><strong>Sochi</strong> (ANTARA) - Presiden Rusia Vladimir Putin menerima Presiden Belarus Alexander ' +
    'Lukashenko di kediamannya di Sochi, Jumat, untuk membahas integrasi ekonomi kedua negara.</p>',
  content:
    '<p>Sochi (ANTARA) - Presiden Rusia Vladimir Putin menerima Presiden Belarus Alexander Lukashenko ' +
    'di kediamannya di Sochi, Jumat.</p><p>&quot;Kami membahas harga gas dan kerja sama pertahanan,&quot; ' +
    'kata juru bicara Kremlin Dmitry Peskov kepada wartawan.</p>' +
    '<p><a href="https://www.antaranews.com/tag/belarus">Baca juga: Minsk tuan rumah KTT CSTO</a></p>',
  categories: ['Dunia', 'Eropa'],
  source: 'antara-dunia',
  author: 'Atman Ahdiat',
  link: 'https://www.antaranews.com/berita/4123456/putin-dan-lukashenko-bahas-integrasi-ekonomi-di-sochi',
});

/** Mentions only Belarus (and Minsk); "rusia" appears only inside a link target: must not carry the tag. */
export const BELARUS_ONLY = item({
  title: 'Belarus Gelar Latihan Militer di Dekat Perbatasan Polandia',
  summary:
    '<p>MINSK (ANTARA) - Kementerian Pertahanan Belarus mengatakan latihan digelar di wilayah Grodno, ' +
    'dekat perbatasan dengan Polandia dan Lithuania. <a href="https://www.antaranews.com/tag/rusia" ' +
    'title="Rusia">Baca selengkapnya</a></p>',
  categories: ['Dunia'],
  source: 'antara-dunia',
});
