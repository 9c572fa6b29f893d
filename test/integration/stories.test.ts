/**
 * Stories end to end (issue 13): the real daemon over fixture feeds of several outlets on 127.0.0.1 — one wire
 * story rewritten by three outlets (a tracking-parameter link, a mobile AMP link), an aggregator relaying one
 * outlet's link, and same-topic traps (another Putin–Lukashenko meeting in another city on another day, chili
 * prices beside rice prices). Plain and collapsed outputs side by side, the cluster API, and a later member
 * written by `warta fetch` in another process updating the collapsed entry instead of adding one.
 */
import { expect } from 'chai';
import { runWarta, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { checkAtom, checkJsonFeed, checkRss } from '../unit/publish/feed-rules.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';

// Dates relative to the run, whole seconds: the story window (72 h) is counted back from now.
const NOW_S = Math.floor(Date.now() / 1000) * 1000;
const at = (hours: number) => new Date(NOW_S - hours * 3_600_000);
const ago = (hours: number) => at(hours).toUTCString();

const MINSK = {
  antara: { guid: 'antara-4520001', link: 'https://www.antaranews.com/berita/4520001/putin-dan-lukashenko-bahas-negara-kesatuan-di-minsk', title: 'Putin dan Lukashenko bahas Negara Kesatuan di Minsk', description: 'Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Minsk pada Kamis (20/11) untuk membahas integrasi Negara Kesatuan dan kerja sama energi senilai 2,5 miliar dolar AS.', pubDate: ago(30) },
  // Kompas links carry tracking parameters; the published link must not.
  kompas: { guid: '81001', link: 'https://internasional.kompas.com/read/2026/11/20/12000071/putin-temui-lukashenko-di-minsk?utm_source=rss&amp;utm_medium=feed&amp;page=all', title: 'Putin temui Lukashenko di Minsk, bahas integrasi Negara Kesatuan', description: 'Vladimir Putin dan Alexander Lukashenko bertemu di Minsk, Belarus, Kamis (20/11), membahas integrasi Negara Kesatuan Rusia-Belarus serta kerja sama energi 2,5 miliar dolar AS. Sumber: Reuters', pubDate: ago(28) },
  // Detik's feed gives the mobile AMP page.
  detik: { guid: 'd-7654321', link: 'https://m.detik.com/news/internasional/d-7654321/bertemu-di-minsk-putin-dan-lukashenko/amp', title: 'Bertemu di Minsk, Putin dan Lukashenko bicarakan Negara Kesatuan', description: 'Presiden Vladimir Putin mengunjungi Minsk pada Kamis (20/11) dan bertemu Alexander Lukashenko. Keduanya membahas Negara Kesatuan serta proyek energi 2,5 miliar dolar AS.', pubDate: ago(29) },
  // Arrives later, through `warta fetch` in another process.
  tempo: { link: 'https://www.tempo.co/internasional/putin-lukashenko-sepakati-kerja-sama-energi-1239001', title: 'Putin dan Lukashenko sepakati kerja sama energi di Minsk', description: 'Di Minsk, Kamis (20/11), Vladimir Putin dan Alexander Lukashenko membahas Negara Kesatuan dan menyepakati kerja sama energi senilai 2,5 miliar dolar AS.', pubDate: ago(26.5) },
};
// Same topic, another story: another meeting, in Sochi, two days earlier, another amount.
const SOCHI = { guid: 'agg-sochi', link: 'https://agregat.example/2026/11/18/putin-lukashenko-sochi', title: 'Putin dan Lukashenko bertemu di Sochi bahas Negara Kesatuan', description: 'Presiden Rusia Vladimir Putin bertemu Presiden Belarus Alexander Lukashenko di Sochi pada Selasa (18/11) untuk membahas Negara Kesatuan dan pinjaman 1,5 miliar dolar AS.', pubDate: ago(60) };
// An aggregator relaying Antara's own article (its link, with tracking parameters): the same article.
const RELAY = { guid: 'agg-relay-1', link: `${MINSK.antara.link}?utm_source=agregat&amp;fbclid=XYZ`, title: 'ANTARA - Putin dan Lukashenko bahas Negara Kesatuan di Minsk', description: 'Dikutip dari ANTARA.', pubDate: ago(29.5) };
const BERAS = { guid: 'antara-4520050', link: 'https://www.antaranews.com/berita/4520050/harga-beras-medium-di-jakarta-naik', title: 'Harga beras medium di Jakarta naik jadi Rp 13.500 per kilogram', description: 'Harga beras medium di pasar-pasar Jakarta naik menjadi Rp 13.500 per kilogram menjelang Natal, kata Dinas Ketahanan Pangan.', pubDate: ago(5) };
const BERAS_KOMPAS = { guid: '81050', link: 'https://megapolitan.kompas.com/read/2026/11/21/beras-medium-kini-rp-13500', title: 'Beras medium di Jakarta kini Rp 13.500 per kilogram jelang Natal', description: 'Dinas Ketahanan Pangan Jakarta mencatat harga beras medium di pasar naik menjadi Rp 13.500 per kilogram menjelang Natal.', pubDate: ago(4) };
const CABAI = { guid: 'd-7654400', link: 'https://news.detik.com/berita/d-7654400/harga-cabai-rawit-naik', title: 'Harga cabai rawit di Jakarta naik jadi Rp 85.000 per kilogram', description: 'Harga cabai rawit di pasar-pasar Jakarta naik menjadi Rp 85.000 per kilogram menjelang Natal, kata Dinas Ketahanan Pangan.', pubDate: ago(4.5) };

const unescape = (s: string) => s.replace(/&amp;/g, '&');

interface ApiItem { id: number; uid: string; source: string; title: string; link: string; cluster: string; cluster_size: number }
interface JsonFeed { items: { id: string; url: string; title: string; content_html: string; date_modified?: string; _warta?: { cluster?: { id: string; size: number; members: { source: string; title: string; url: string; published: string }[] } } }[] }

describe('stories end to end: canonical URLs, clusters, collapsed and plain outputs, the cluster API', function () {
  this.timeout(90_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  let base: string;
  let tempoItems: typeof MINSK.tempo[] = [];
  let agregatItems = [SOCHI];

  const config = () => `sources:
  - id: antara
    url: "${feeds.url('/antara.xml')}"
  - id: kompas
    url: "${feeds.url('/kompas.xml')}"
    priority: 2
  - id: detik
    url: "${feeds.url('/detik.xml')}"
  - id: agregat
    url: "${feeds.url('/agregat.xml')}"
  - id: tempo
    url: "${feeds.url('/tempo.xml')}"
    schedule: "0 0 1 1 *"
tags:
  - name: Harga Pangan
    match: harga OR beras
outputs:
  - id: semua
    title: Semua berita
    sources: [antara, kompas, detik, agregat, tempo]
  - id: ringkas
    title: Semua berita, satu per cerita
    sources: [antara, kompas, detik, agregat, tempo]
    collapse: true
  - id: agregat-saja
    title: Agregat saja
    sources: [agregat]
`;

  const json = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`);
    expect(res.status, `${path}: ${res.status}`).to.equal(200);
    return (await res.json()) as T;
  };
  const items = async (q = '') => (await json<{ items: ApiItem[] }>(`/api/items?limit=100${q}`)).items;

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/antara.xml', feedRoute(() => ({ body: rss([MINSK.antara, BERAS]) })));
    feeds.routes.set('/kompas.xml', feedRoute(() => ({ body: rss([MINSK.kompas, BERAS_KOMPAS]) })));
    feeds.routes.set('/detik.xml', feedRoute(() => ({ body: rss([MINSK.detik, CABAI]) })));
    feeds.routes.set('/agregat.xml', feedRoute(() => ({ body: rss(agregatItems) })));
    feeds.routes.set('/tempo.xml', feedRoute(() => ({ body: rss(tempoItems) })));
    daemon = await startDaemon({ yaml: config() });
    base = daemon.base;
    await daemon.until(async () => (await items()).length === 7, { what: 'the 7 items of the fixture feeds in /api/items', timeoutMs: 30_000 });
    // The relay comes after the article it relays (which of two is the article is decided by which came first).
    agregatItems = [SOCHI, RELAY];
    const fetched = await runWarta(['fetch', 'agregat', '--config', daemon.configPath]);
    expect(fetched.code, fetched.stderr + fetched.stdout).to.equal(0);
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  const byTitle = (list: ApiItem[], title: string) => {
    const found = list.find((i) => i.title === title);
    expect(found, title).to.not.equal(undefined);
    return found!;
  };

  it('puts the three rewrites of the wire story in one cluster, and keeps the same-topic traps apart', async () => {
    const list = await items();
    const minsk = [MINSK.antara, MINSK.kompas, MINSK.detik].map((m) => byTitle(list, m.title));
    expect(new Set(minsk.map((i) => i.cluster)).size, 'one cluster for the Minsk story').to.equal(1);
    expect(minsk.map((i) => i.cluster_size)).to.deep.equal([3, 3, 3]);
    // The story's id is the item that started it.
    expect(minsk.map((i) => String(i.id))).to.include(minsk[0]!.cluster);
    const sochi = byTitle(list, SOCHI.title);
    expect(sochi.cluster, 'another meeting (Sochi, 18/11) is another story').to.not.equal(minsk[0]!.cluster);
    expect(sochi.cluster_size).to.equal(1);
    const beras = [BERAS, BERAS_KOMPAS].map((m) => byTitle(list, m.title));
    expect(beras[0]!.cluster).to.equal(beras[1]!.cluster);
    const cabai = byTitle(list, CABAI.title);
    expect(cabai.cluster, 'chili prices are not rice prices').to.not.equal(beras[0]!.cluster);
    expect(cabai.cluster).to.equal(String(cabai.id));
  });

  it('publishes the relayed article once in a plain output, and an output limited to the relaying source still includes it', async () => {
    const plain = await json<JsonFeed>('/feeds/semua.json');
    const titles = plain.items.map((i) => i.title);
    expect(titles.filter((t) => t === MINSK.antara.title)).to.have.length(1);
    expect(titles, 'the relay is no second entry').to.not.include(RELAY.title);
    expect(titles).to.have.length(7);
    const agregat = await json<JsonFeed>('/feeds/agregat-saja.json');
    expect(agregat.items.map((i) => i.title)).to.deep.equal([MINSK.antara.title, SOCHI.title]);
    // The relay row is kept (its feed must not bring it back as new), in Antara's story.
    const list = await items();
    expect(byTitle(list, RELAY.title).cluster).to.equal(byTitle(list, MINSK.antara.title).cluster);
  });

  it('publishes links without tracking parameters', async () => {
    const plain = await json<JsonFeed>('/feeds/semua.json');
    const kompas = plain.items.find((i) => i.title === MINSK.kompas.title)!;
    expect(kompas.url).to.equal('https://internasional.kompas.com/read/2026/11/20/12000071/putin-temui-lukashenko-di-minsk?page=all');
    for (const i of plain.items) expect(i.url, i.title).to.not.match(/utm_|fbclid/);
  });

  it('collapses each story to one entry: the highest-priority source represents it, the other outlets are listed', async () => {
    const collapsed = await json<JsonFeed>('/feeds/ringkas.json');
    expect(collapsed.items.map((i) => i.title).sort()).to.deep.equal([MINSK.kompas.title, SOCHI.title, BERAS_KOMPAS.title, CABAI.title].sort());
    const story = collapsed.items.find((i) => i.title === MINSK.kompas.title)!;
    const list = await items();
    // The entry's id is the story's first stored member's (the lowest item id), whichever outlet represents it.
    const first = [MINSK.antara, MINSK.kompas, MINSK.detik].map((m) => byTitle(list, m.title)).reduce((a, b) => (b.id < a.id ? b : a));
    expect(story.id, 'the entry id is the first stored member\'s').to.equal(first.uid);
    expect(story.content_html).to.include('<p>Juga diberitakan oleh:</p>');
    expect(story.content_html).to.include(MINSK.antara.title).and.include(MINSK.detik.title);
    const cluster = story._warta!.cluster!;
    expect(cluster.id).to.equal(byTitle(list, MINSK.kompas.title).cluster);
    expect(cluster.size).to.equal(3);
    expect(cluster.members.map((m) => m.title)).to.deep.equal([MINSK.kompas.title, MINSK.antara.title, MINSK.detik.title]);
    // Detik's mobile AMP link is published as the feed gave it; Kompas's without its tracking parameters.
    expect(cluster.members[0]!.url).to.not.include('utm_');
    // The plain output beside it still has every article.
    expect((await json<JsonFeed>('/feeds/semua.json')).items).to.have.length(7);
  });

  it('serves collapsed outputs that pass the W3C feed rules in all three formats', async () => {
    for (const [ext, check] of [['rss', checkRss], ['atom', checkAtom], ['json', checkJsonFeed]] as const) {
      const selfUrl = `${base}/feeds/ringkas.${ext}`;
      const text = await (await fetch(selfUrl)).text();
      expect(check(text, { selfUrl }), ext).to.deep.equal([]);
      expect(text, ext).to.include('Juga diberitakan oleh:');
    }
  });

  it('/api/items?cluster=ID lists a story\'s items; /api/clusters lists stories with their members', async () => {
    const list = await items();
    const id = byTitle(list, MINSK.antara.title).cluster;
    const members = await items(`&cluster=${id}`);
    expect(members.map((i) => i.source).sort()).to.deep.equal(['agregat', 'antara', 'detik', 'kompas']);
    const { clusters } = await json<{ clusters: { id: string; size: number; members: { source: string; title: string; url: string; published: string }[] }[] }>('/api/clusters?limit=10');
    expect(clusters.map((c) => c.size).sort()).to.deep.equal([1, 1, 2, 3]);
    // Newest first, by a story's newest member: the price stories (hours ago) before the Minsk one (yesterday).
    expect(clusters.map((c) => c.id).indexOf(id)).to.be.greaterThan(clusters.map((c) => c.id).indexOf(byTitle(list, BERAS.title).cluster));
    const minsk = clusters.find((c) => c.id === id)!;
    expect(minsk.members.map((m) => m.source)).to.deep.equal(['antara', 'detik', 'kompas']);
    expect(minsk.members[0]).to.deep.equal({ id: byTitle(list, MINSK.antara.title).id, source: 'antara', title: MINSK.antara.title, url: MINSK.antara.link, published: at(30).toISOString() });
    expect(minsk.members[2]!.url).to.not.include('utm_');
    const tagged = await json<{ clusters: { id: string }[] }>(`/api/clusters?tag=harga-pangan&since=${at(10).toISOString()}`);
    expect(tagged.clusters.map((c) => c.id).sort()).to.deep.equal([byTitle(list, BERAS.title).cluster, byTitle(list, CABAI.title).cluster].sort());
  });

  it('answers bad /api/clusters and ?cluster= parameters with 400 and a clear message', async () => {
    for (const [path, parameter] of [
      ['/api/clusters?limit=0', 'limit'],
      ['/api/clusters?limit=abc', 'limit'],
      ['/api/clusters?since=kemarin', 'since'],
      ['/api/clusters?tag=tidak-ada', 'tag'],
      ['/api/clusters?sort=new', 'sort'],
      ['/api/clusters?limit=1&limit=2', 'limit'],
      ['/api/items?cluster=abc', 'cluster'],
      ['/api/items?cluster=0', 'cluster'],
    ] as const) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).to.equal(400);
      const body = (await res.json()) as { error: { code: string; parameter: string; message: string } };
      expect(body.error.code, path).to.equal('bad_request');
      expect(body.error.parameter, path).to.equal(parameter);
      expect(body.error.message, path).to.be.a('string').and.not.equal('');
    }
  });

  it('`warta stories explain` shows an item\'s story, its members, the similarity and the names and numbers', async () => {
    const list = await items();
    const kompas = byTitle(list, MINSK.kompas.title);
    const r = await runWarta(['stories', 'explain', kompas.uid, '--config', daemon.configPath]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`story ${kompas.cluster}: 3 members`);
    for (const m of [MINSK.antara, MINSK.kompas, MINSK.detik]) expect(r.stdout).to.include(m.title);
    expect(r.stdout).to.match(/similarity 0\.\d{3}: the same story/);
    expect(r.stdout).to.match(/names shared: [^;\n]*putin/);
    expect(r.stdout).to.match(/numbers shared: [^;\n]*2,5/);
    const byNumber = await runWarta(['stories', 'explain', String(byTitle(list, SOCHI.title).id), '--config', daemon.configPath]);
    expect(byNumber.code).to.equal(0);
    expect(byNumber.stdout).to.include('1 member (').and.include('it started the story');
    const none = await runWarta(['stories', 'explain', '987654', '--config', daemon.configPath]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.include('no item 987654');
  });

  it('a later member, stored by `warta fetch` in another process, updates the collapsed entry instead of adding one', async () => {
    const before = await fetch(`${base}/feeds/ringkas.json`);
    const etag = before.headers.get('etag');
    const entries = ((await before.json()) as JsonFeed).items;
    tempoItems = [MINSK.tempo];
    const fetched = await runWarta(['fetch', 'tempo', '--config', daemon.configPath]);
    expect(fetched.code, fetched.stderr + fetched.stdout).to.equal(0);
    expect(fetched.stdout).to.match(/tempo\tupdated\t200\tnew 1/);
    const list = await items();
    const tempo = byTitle(list, MINSK.tempo.title);
    expect(tempo.cluster, 'the fetch process read the window from the store').to.equal(byTitle(list, MINSK.antara.title).cluster);
    await daemon.until(async () => (await fetch(`${base}/feeds/ringkas.json`)).headers.get('etag') !== etag, { what: 'the collapsed feed to change' });
    const after = (await json<JsonFeed>('/feeds/ringkas.json')).items;
    expect(after.map((i) => i.id)).to.deep.equal(entries.map((i) => i.id));
    const story = after.find((i) => i.title === MINSK.kompas.title)!;
    expect(story._warta!.cluster!.size).to.equal(4);
    expect(story.content_html).to.include(MINSK.tempo.title);
    expect(story.date_modified, 'the entry\'s update time moves').to.be.a('string');
    expect((await json<JsonFeed>('/feeds/semua.json')).items).to.have.length(8);
  });

  it('re-clusters the window in the background when stories.threshold changes, and back', async () => {
    const minskCluster = async () => {
      const list = await items();
      return new Set([MINSK.antara, MINSK.kompas, MINSK.detik, MINSK.tempo].map((m) => byTitle(list, m.title).cluster)).size;
    };
    expect(await minskCluster()).to.equal(1);
    daemon.writeConfig(`${config()}stories:\n  threshold: 0.99\n`);
    daemon.child.kill('SIGHUP');
    await daemon.until(async () => (await minskCluster()) === 4, { what: 'the Minsk rewrites to be four stories under threshold 0.99', timeoutMs: 30_000 });
    const collapsed = await json<JsonFeed>('/feeds/ringkas.json');
    expect(collapsed.items.filter((i) => i.title.includes('Minsk'))).to.have.length(4);
    daemon.writeConfig(config());
    daemon.child.kill('SIGHUP');
    await daemon.until(async () => (await minskCluster()) === 1, { what: 'the Minsk rewrites to be one story again under the default threshold', timeoutMs: 30_000 });
    // The relay follows its article.
    const list = await items();
    expect(byTitle(list, RELAY.title).cluster).to.equal(byTitle(list, MINSK.antara.title).cluster);
  });
});

describe('stories end to end: a collapsed entry keeps its id when a later member becomes the representative', function () {
  this.timeout(90_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  let tinggiItems: typeof MINSK.kompas[] = [];

  // `tinggi` (high priority) is polled only by the `warta fetch` below.
  const config = () => `sources:
  - id: rendah
    url: "${feeds.url('/rendah.xml')}"
  - id: tinggi
    url: "${feeds.url('/tinggi.xml')}"
    priority: 3
    schedule: "0 0 1 1 *"
outputs:
  - id: ringkas
    title: Satu per cerita
    sources: [rendah, tinggi]
    collapse: true
`;

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/rendah.xml', feedRoute(() => ({ body: rss([MINSK.antara]) })));
    feeds.routes.set('/tinggi.xml', feedRoute(() => ({ body: rss(tinggiItems) })));
    daemon = await startDaemon({ yaml: config() });
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  // Each format's entry ids and titles, from the feed's bytes.
  const entries = async () => {
    const text = async (ext: string) => (await fetch(`${daemon.base}/feeds/ringkas.${ext}`)).text();
    const rssText = await text('rss');
    const atomText = await text('atom');
    const feed = JSON.parse(await text('json')) as JsonFeed;
    return {
      rss: [...rssText.matchAll(/<guid[^>]*>([^<]+)<\/guid>/g)].map((m) => m[1]),
      atom: [...atomText.matchAll(/<entry>[\s\S]*?<id>([^<]+)<\/id>/g)].map((m) => m[1]),
      json: feed.items.map((i) => i.id),
      titles: feed.items.map((i) => i.title),
      // Each format is rendered and cached on its own (kept at least a second): every one must show the change.
      rssTitles: [...rssText.matchAll(/<item>[\s\S]*?<title>([^<]*)<\/title>/g)].map((m) => m[1]),
      atomTitles: [...atomText.matchAll(/<entry>[\s\S]*?<title[^>]*>([^<]*)<\/title>/g)].map((m) => m[1]),
      size: feed.items[0]?._warta?.cluster?.size,
    };
  };
  const allShow = async (title: string) => {
    const e = await entries();
    return [e.titles, e.rssTitles, e.atomTitles].every((t) => t.length === 1 && t[0] === title);
  };

  it('keeps the RSS guid, Atom id and JSON Feed id of the first item when a higher-priority outlet\'s item arrives', async () => {
    await daemon.until(() => allShow(MINSK.antara.title), { what: 'the first item in the collapsed feed, in all three formats', timeoutMs: 30_000 });
    const before = await entries();
    expect(before.titles).to.deep.equal([MINSK.antara.title]);
    expect(before.rss).to.have.length(1);
    expect(before.atom).to.deep.equal(before.rss);
    expect(before.json).to.deep.equal(before.rss);
    tinggiItems = [MINSK.kompas];
    const fetched = await runWarta(['fetch', 'tinggi', '--config', daemon.configPath]);
    expect(fetched.code, fetched.stderr + fetched.stdout).to.equal(0);
    expect(fetched.stdout).to.match(/tinggi\tupdated\t200\tnew 1/);
    await daemon.until(async () => (await entries()).size === 2 && (await allShow(MINSK.kompas.title)), { what: 'the collapsed entry to list both members, in all three formats', timeoutMs: 30_000 });
    const after = await entries();
    // The representative is now the higher-priority outlet's item; the entry is the same one, updated.
    expect(after.titles).to.deep.equal([MINSK.kompas.title]);
    expect(after.rss, 'RSS guid').to.deep.equal(before.rss);
    expect(after.atom, 'Atom id').to.deep.equal(before.atom);
    expect(after.json, 'JSON Feed id').to.deep.equal(before.json);
  });
});

describe('stories: `warta fetch` re-clusters the window after a threshold change, as the daemon does', function () {
  this.timeout(90_000);
  let feeds: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  const configPath = () => join(tmp.dir, 'warta.yaml');
  const writeConfig = (extra: string) => writeFileSync(configPath(), `storage:
  path: "${join(tmp.dir, 'warta.db')}"
sources:
  - id: antara
    url: "${feeds.url('/antara.xml')}"
  - id: kompas
    url: "${feeds.url('/kompas.xml')}"
  - id: detik
    url: "${feeds.url('/detik.xml')}"
${extra}`);
  const members = async () => {
    const r = await runWarta(['stories', 'explain', '1', '--config', configPath()]);
    expect(r.code, r.stderr).to.equal(0);
    return r.stdout;
  };

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/antara.xml', feedRoute(() => ({ body: rss([MINSK.antara]) })));
    feeds.routes.set('/kompas.xml', feedRoute(() => ({ body: rss([MINSK.kompas]) })));
    feeds.routes.set('/detik.xml', feedRoute(() => ({ body: rss([MINSK.detik]) })));
    tmp = tempDir();
  });
  after(async () => {
    await feeds.stop();
    tmp.cleanup();
  });

  it('splits the story under threshold 0.99 on the next `warta fetch`, and says so', async () => {
    writeConfig('');
    const first = await runWarta(['fetch', '--config', configPath()]);
    expect(first.code, first.stderr + first.stdout).to.equal(0);
    expect(first.stderr).to.not.include('re-clustered');
    expect(await members()).to.include(': 3 members');
    writeConfig('stories:\n  threshold: 0.99\n');
    const second = await runWarta(['fetch', '--config', configPath()]);
    expect(second.code, second.stderr + second.stdout).to.equal(0);
    expect(second.stderr).to.include('warta fetch: stories re-clustered over the window (threshold 0.99, 3 items written)');
    expect(await members()).to.include('1 member (');
    // The pass is done: the next fetch under the same threshold has nothing to re-cluster.
    const third = await runWarta(['fetch', '--config', configPath()]);
    expect(third.stderr).to.not.include('re-clustered');
  });
});
