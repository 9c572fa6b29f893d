/**
 * What the store contract writes: Indonesian news as feeds publish it, a keyword classifier standing in for
 * the tag rules, and a refresh written the way the pipeline writes one (lookup → planRefresh → commitRefresh).
 * Only the Store interface and pure pipeline helpers: nothing here knows which store it talks to.
 */
import type { IncomingItem } from '../../src/base/model.js';
import { assignKeys, itemUid } from '../../src/pipeline/dedupe.js';
import { lookupKeys, planRefresh, type Classify, type RefreshPlan } from '../../src/pipeline/plan.js';
import type { CommitResult, MatchedTag, PollRecord, Store } from '../../src/store/store.js';

/** The sources every case starts with. */
export const SOURCES = [
  { id: 'antara', url: 'https://www.antaranews.com/rss/dunia.xml' },
  { id: 'kompas', url: 'https://rss.kompas.com/api/feed/social?section=global' },
  { id: 'tempo', url: 'https://rss.tempo.co/internasional' },
] as const;

export const at = (iso: string) => new Date(iso);

/** An item as normalize hands it to dedupe. */
export function article(o: Partial<IncomingItem> & { title: string }): IncomingItem {
  return { guid: null, link: null, summary: null, content: null, author: null, categories: [], published: null, updated: null, ...o };
}

const antara = (slug: string, id: number) => `https://www.antaranews.com/berita/${id}/${slug}`;

// Published instants are distinct except K1/K2, which share one: order falls back to the id there.
export const A1 = article({
  guid: antara('putin-dan-lukashenko-bahas-negara-kesatuan-di-minsk', 4512345),
  link: antara('putin-dan-lukashenko-bahas-negara-kesatuan-di-minsk', 4512345),
  title: 'Putin dan Lukashenko bahas Negara Kesatuan di Minsk',
  summary: '<p>Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Minsk, Kamis (20/11).</p>',
  content: '<p>Minsk (ANTARA) - Kedua pemimpin membahas integrasi <b>Negara Kesatuan</b> Rusia–Belarus.</p>',
  author: 'Kuntum Khaira Riswan',
  categories: ['Dunia', 'Eropa'],
  published: at('2026-11-20T03:15:00Z'),
  updated: at('2026-11-20T04:02:11Z'),
});
export const A2 = article({
  guid: antara('rusia-tambah-pasokan-gas-ke-belarus', 4514001),
  link: antara('rusia-tambah-pasokan-gas-ke-belarus', 4514001),
  title: 'Rusia tambah pasokan gas ke Belarus',
  summary: 'Gazprom menambah pasokan gas ke Belarus hingga akhir tahun.',
  categories: ['Dunia'],
  published: at('2026-11-21T07:30:00Z'),
});
export const A3 = article({
  guid: antara('harga-beras-medium-di-jakarta-naik-jelang-natal', 4515220),
  link: antara('harga-beras-medium-di-jakarta-naik-jelang-natal', 4515220),
  title: 'Harga beras medium di Jakarta naik jelang Natal',
  categories: ['Ekonomi'],
  published: at('2026-11-22T02:00:00Z'),
});
export const A4 = article({
  guid: antara('opini-putin-dan-masa-depan-eropa-timur', 4511870),
  link: antara('opini-putin-dan-masa-depan-eropa-timur', 4511870),
  title: 'Opini: Putin dan masa depan Eropa Timur',
  categories: ['Opini'],
  published: at('2026-11-19T12:00:00Z'),
});
// Kompas gives bare numeric guids (keys are per source).
export const K1 = article({
  guid: '71234',
  link: 'https://bola.kompas.com/read/2026/11/21/20000078/timnas-indonesia-kalahkan-vietnam-2-0-di-hanoi',
  title: 'Timnas Indonesia kalahkan Vietnam 2-0 di Hanoi',
  categories: ['Bola'],
  published: at('2026-11-21T13:00:00Z'),
});
export const K2 = article({
  guid: '71235',
  link: 'https://megapolitan.kompas.com/read/2026/11/21/20000011/banjir-rendam-300-rumah-di-bekasi',
  title: 'Banjir rendam 300 rumah di Bekasi',
  published: at('2026-11-21T13:00:00Z'),
});
// Tempo: no guid, so the link is the identity.
export const T1 = article({
  link: 'https://www.tempo.co/internasional/kremlin-bantah-rencana-mobilisasi-baru-1234567',
  title: 'Kremlin bantah rencana mobilisasi baru',
  author: 'Tempo',
  published: at('2026-11-23T09:45:00Z'),
});

export const FEEDS = { antara: [A1, A2, A3, A4], kompas: [K1, K2], tempo: [T1] } as const;

/** A tag rule of the stand-in classifier: the tag applies when the title contains any of `words`. */
interface KeywordRule {
  tag: string;
  rule: string;
  words: string[];
}

export const PUTIN = 'Vladimir Putin';
export const RUSIA_BELARUS = 'Hubungan Rusia dengan Belarusia';
export const EKONOMI = 'Ekonomi';
export const BOLA = 'Sepak Bola';
/** A query output: Putin, but no opinion pieces. */
export const PUTIN_TANPA_OPINI = 'putin-tanpa-opini';

export const RULES: KeywordRule[] = [
  { tag: PUTIN, rule: 'Putin OR Kremlin', words: ['Putin', 'Kremlin'] },
  { tag: RUSIA_BELARUS, rule: '(Rusia OR Putin) AND (Belarus* OR Minsk OR Lukashenko)', words: ['Lukashenko', 'Minsk', 'Belarus'] },
  { tag: EKONOMI, rule: 'harga OR gas', words: ['Harga', 'gas'] },
  { tag: BOLA, rule: 'timnas OR "sepak bola"', words: ['Timnas'] },
];

/** A classifier over `rules`: an explanation per word found in the title, with its offsets. */
export function keywordClassifier(rules: readonly KeywordRule[] = RULES): (item: IncomingItem) => { tags: MatchedTag[]; outputs: string[] } {
  return (item) => {
    const tags: MatchedTag[] = [];
    for (const r of rules) {
      const explain = r.words
        .filter((w) => item.title.includes(w))
        .map((w) => ({ rule: r.rule, field: 'title', text: w, start: item.title.indexOf(w), end: item.title.indexOf(w) + w.length }));
      if (explain.length > 0) tags.push({ tag: r.tag, explain });
    }
    const outputs = tags.some((t) => t.tag === PUTIN) && !item.title.startsWith('Opini') ? [PUTIN_TANPA_OPINI] : [];
    return { tags, outputs };
  };
}

export const classify = keywordClassifier();

/** The poll outcome of a 200 that carried the feed. */
export function okPoll(now: Date): PollRecord {
  return { now, status: 200, state: 'ok', error: null, consecutiveFailures: 0, success: true };
}

/** The default instant of a refresh (items' first-seen time). */
export const NOW = at('2026-11-24T00:00:00Z');

export interface RefreshArgs {
  now?: Date;
  classify?: Classify;
  maxItems?: number | null;
  poll?: Partial<PollRecord>;
}

/** Plans one refresh of `sourceId` from what the store holds now. */
export async function plan(store: Store, sourceId: string, items: readonly IncomingItem[], args: RefreshArgs = {}): Promise<RefreshPlan> {
  const keyed = assignKeys(items);
  return planRefresh(sourceId, keyed, await store.items.lookup(sourceId, lookupKeys(keyed)), args.now ?? NOW, args.classify ?? classify);
}

/** Commits a plan as the refresh that made it would. */
export function commit(store: Store, sourceId: string, p: RefreshPlan, args: RefreshArgs = {}): Promise<CommitResult> {
  return store.items.commitRefresh({
    sourceId,
    inserts: p.inserts,
    updates: p.updates,
    maxItems: args.maxItems ?? null,
    poll: { ...okPoll(args.now ?? NOW), ...args.poll },
  });
}

/** One refresh of `sourceId` listing `items`, as the pipeline writes it. */
export async function refresh(store: Store, sourceId: string, items: readonly IncomingItem[], args: RefreshArgs = {}): Promise<CommitResult> {
  return commit(store, sourceId, await plan(store, sourceId, items, args), args);
}

/** Creates the three sources and stores their feeds, in the order antara, kompas, tempo (ids ascend so). */
export async function seed(store: Store): Promise<void> {
  await store.sources.ensure(SOURCES);
  for (const [id, items] of Object.entries(FEEDS)) await refresh(store, id, items);
}

/** The dedupe key the pipeline gives `item` in a feed of its own. */
export const keyOf = (item: IncomingItem) => assignKeys([item])[0]!.key;

/** The public id of `item` in `sourceId`. */
export const uidOf = (sourceId: string, item: IncomingItem) => itemUid(sourceId, keyOf(item));
