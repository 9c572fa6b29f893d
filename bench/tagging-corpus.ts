/**
 * The synthetic corpus of bench/tagging.ts: Indonesian-style news items over a vocabulary of 4,000 made-up
 * names and common words, and rules over those names. Deterministic for a given size, so worker threads
 * build the very same items instead of receiving copies.
 */
import type { ItemText, TagRule } from '../src/tagging/index.js';
import { makeRandom } from '../test/helpers/random.js';

export function makeCorpus(ITEMS: number, RULES: number): { rules: TagRule[]; items: ItemText[] } {
  const random = makeRandom(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

  const COMMON = (
    'yang dan di ke dari untuk dengan pada dalam ini itu tidak akan sudah juga karena oleh sebagai bisa ada ' +
    'telah saat kata menurut lebih tahun hari orang para pihak kami mereka baru masih harus dapat secara kali ' +
    'pemerintah presiden menteri warga kota negara daerah rapat kebijakan ekonomi harga pasar polisi sidang ' +
    'jumat senin selasa rabu kamis sabtu minggu banyak besar kecil utama terkait soal meminta menyebut diduga'
  ).split(' ');
  const SYLLABLES = 'ba be bi bu ka ke ki ku la li lu ma me mi mu na ni nu pa pe pi ra ri ru sa se si su ta te ti tu ja jo wa ya'.split(' ');
  const NAMES = Array.from({ length: 4_000 }, () => {
    let w = '';
    for (let n = 2 + Math.floor(random() * 3); n > 0; n--) w += pick(SYLLABLES);
    return w;
  });
  const capital = (w: string): string => w[0]!.toUpperCase() + w.slice(1);

  function makeRule(i: number): TagRule {
    const n = (): string => capital(pick(NAMES));
    const kind = random();
    let match: string;
    if (kind < 0.5) match = `(${n()} OR ${n()} OR ${n()}) AND (${n()} OR ${n()})`;
    else if (kind < 0.65) match = `"${n()} ${pick(COMMON)} ${n()}"`;
    else if (kind < 0.75) match = `${n()}* AND ${n()}`;
    else if (kind < 0.85) match = `${n()} NEAR/5 ${n()}`;
    else if (kind < 0.92) match = `title:${n()} OR ${n()}-${n()}`;
    else match = `${n()} NOT ${n()}`;
    return { name: `tag-${i}`, match };
  }

  function sentence(words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(random() < 0.25 ? capital(pick(NAMES)) : pick(COMMON));
    return out.join(' ');
  }

  // Title + ~35-word HTML summary; 30% also carry ~140 words of content:encoded.
  function makeItem(): ItemText {
    const withContent = random() < 0.3;
    return {
      title: sentence(8 + Math.floor(random() * 6)),
      summary: `<p><strong>JAKARTA</strong> &ndash; ${sentence(30)} <a href="https://example.id/${pick(NAMES)}">baca</a></p>`,
      content: withContent ? `<p>${sentence(60)}</p><p>${sentence(60)} &amp; ${sentence(20)}</p>` : null,
      categories: [capital(pick(COMMON)), capital(pick(NAMES))],
      source: 'antara-dunia',
      link: `https://example.id/berita/${Math.floor(random() * 1e6)}`,
    };
  }

  const rules = Array.from({ length: RULES }, (_, i) => makeRule(i));
  const items = Array.from({ length: ITEMS }, makeItem);
  return { rules, items };
}
