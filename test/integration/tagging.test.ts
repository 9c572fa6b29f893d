import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWarta, startDaemon, type Daemon } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';

const TAG = 'Hubungan Rusia dengan Belarusia';
const SLUG = 'hubungan-rusia-dengan-belarusia';

describe('tagging end to end: filtered outputs, source tags, categories, the items API, dry runs', function () {
  this.timeout(60_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  let base: string;
  let file: string;

  const config = (extraTags = '') => `sources:
  - id: antara
    url: "${feeds.url('/antara.xml')}"
    from_categories: { "Rusia-Belarus": "${TAG}" }
  - id: tass-id
    url: "${feeds.url('/tass.xml')}"
    tags: ["Media Rusia"]
tags:
  - name: "${TAG}"
    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'
  - name: "Vladimir Putin"
    match: Putin
  - name: "Media Rusia"
    match: 'source:tass-id'
${extraTags}outputs:
  - id: putin-tanpa-opini
    title: "Putin, tanpa opini"
    tags: ["Vladimir Putin"]
    match: 'NOT source:tass-id AND NOT title:opini'
  - id: serangan
    title: "Serangan"
    match: 'serang*'
  - id: hanya-antara
    title: "Antara saja"
    sources: [antara]
`;

  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/antara.xml', feedRoute(() => ({
      body: rss([
        { guid: 'a1', link: 'https://antara.example/1', title: 'Putin sambut Lukashenko di Kremlin', pubDate: 'Thu, 26 Nov 2026 09:00:00 +0700' },
        { guid: 'a2', link: 'https://antara.example/2', title: 'Opini: Putin dan masa depan Eropa', pubDate: 'Thu, 26 Nov 2026 08:00:00 +0700' },
        { guid: 'a3', link: 'https://antara.example/3', title: 'Latihan militer gabungan dimulai', categories: ['Rusia-Belarus'], pubDate: 'Thu, 26 Nov 2026 07:00:00 +0700' },
        { guid: 'a4', link: 'https://antara.example/4', title: 'Serangan drone di perbatasan', pubDate: 'Thu, 26 Nov 2026 06:00:00 +0700' },
      ]),
    })));
    feeds.routes.set('/tass.xml', feedRoute(() => ({
      body: rss([{ guid: 't1', link: 'https://tass.example/1', title: 'Putin menyerang kebijakan Barat', pubDate: 'Thu, 26 Nov 2026 05:00:00 +0700' }]),
    })));
    daemon = await startDaemon({ yaml: config() });
    ({ base, configPath: file } = daemon);
    await daemon.until(async () => ((await (await fetch(`${base}/api/items`)).json()) as { items: unknown[] }).items.length === 5, { what: 'all 5 items in /api/items' });
  });
  after(async () => {
    await daemon?.close();
    await feeds.stop();
  });

  const urls = async (path: string) => ((await (await fetch(`${base}${path}`)).json()) as { items: { url: string }[] }).items.map((i) => i.url);

  it('publishes outputs filtered by tags AND a query, by a query alone, and by sources', async () => {
    expect(await urls('/feeds/putin-tanpa-opini.json')).to.deep.equal(['https://antara.example/1']);
    // A prefix wildcard matches the start of a word: "Serangan" yes, "menyerang" (no stemming here) no.
    expect(await urls('/feeds/serangan.json')).to.deep.equal(['https://antara.example/4']);
    expect(await urls('/feeds/hanya-antara.json')).to.deep.equal(['https://antara.example/1', 'https://antara.example/2', 'https://antara.example/3', 'https://antara.example/4']);
  });

  it('applies source-level tags and maps publisher categories to tags, and explains them in JSON Feed', async () => {
    expect(await urls('/tags/media-rusia.json')).to.deep.equal(['https://tass.example/1']);
    const feed = (await (await fetch(`${base}/tags/${SLUG}.json`)).json()) as { items: { url: string; _warta: { matches: { tag: string; rule: string; field: string; text: string }[] } }[] };
    expect(feed.items.map((i) => i.url)).to.deep.equal(['https://antara.example/1', 'https://antara.example/3']);
    // Both the mapping and the rule (on the category's words) explain it.
    const reasons = feed.items[1]!._warta.matches.filter((m) => m.tag === TAG);
    expect(reasons.map((m) => [m.rule, m.field, m.text])).to.deep.include(['sources[].from_categories', 'category', 'Rusia-Belarus']);
    const byRule = feed.items[0]!._warta.matches.filter((m) => m.tag === TAG);
    expect(byRule.map((m) => m.field)).to.include('title');
    expect(byRule.map((m) => m.text.toLowerCase())).to.include.members(['putin', 'lukashenko']);
  });

  it('answers /api/items with filters, matches with offsets, and single items', async () => {
    const res = (await (await fetch(`${base}/api/items?tag=${SLUG}&source=antara&since=2026-11-26&limit=10`)).json()) as { items: { id: number; title: string; tags: string[]; matches: { tag: string; field: string; text: string; start: number; end: number }[] }[] };
    expect(res.items.map((i) => i.title)).to.deep.equal(['Putin sambut Lukashenko di Kremlin', 'Latihan militer gabungan dimulai']);
    const first = res.items[0]!;
    for (const m of first.matches.filter((x) => x.field === 'title')) expect(first.title.slice(m.start, m.end)).to.equal(m.text);
    const byName = (await (await fetch(`${base}/api/items?tag=${encodeURIComponent(TAG)}`)).json()) as { items: unknown[] };
    expect(byName.items).to.have.length(2);
    const q = (await (await fetch(`${base}/api/items?q=${encodeURIComponent('title:(Putin NEAR/3 Lukashenko)')}`)).json()) as { items: { title: string }[] };
    expect(q.items.map((i) => i.title)).to.deep.equal(['Putin sambut Lukashenko di Kremlin']);
    const one = (await (await fetch(`${base}/api/items/${first.id}`)).json()) as { id: number; tags: string[] };
    expect(one.id).to.equal(first.id);
    expect(one.tags).to.include(TAG);
  });

  const bad: [string, string][] = [
    ['since=yesterday', 'since'],
    ['since=2026-02-31', 'since'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=-5', 'limit'],
    ['limit=1e3', 'limit'],
    ['tag=no-such-tag', 'tag'],
    ['source=nowhere', 'source'],
    ['q=(Putin', 'q'],
    ['q=a&q=b', 'q'],
    ['sort=asc', 'sort'],
  ];
  for (const [query, parameter] of bad) {
    it(`rejects ?${query} with a 400 JSON error naming "${parameter}"`, async () => {
      const res = await fetch(`${base}/api/items?${query}`);
      expect(res.status).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      const body = (await res.json()) as { error: { code: string; parameter: string; message: string } };
      expect(body.error).to.deep.include({ code: 'bad_request', parameter });
    });
  }
  it('answers 400 for a non-numeric item id and 404 for a missing one', async () => {
    expect((await fetch(`${base}/api/items/abc`)).status).to.equal(400);
    expect((await fetch(`${base}/api/items/999999`)).status).to.equal(404);
  });

  it('dry-runs a rule change with `warta tags test`, then applies it on reload through the output feeds', async () => {
    // The config file as the daemon reads it (with the harness's listen address and database), edited.
    const next = readFileSync(file, 'utf8').replace("match: Putin\n", "match: 'Putin OR Kremlin'\n").replace("match: 'source:tass-id'", "match: 'source:tass-id OR Lukashenko'");
    writeFileSync(join(daemon.dir, 'next.yaml'), next);
    const dry = await runWarta(['tags', 'test', '--config', join(daemon.dir, 'next.yaml'), '--tag', 'media-rusia']);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.match(/^Media Rusia\s+2\s+\+1\s+-0$/m);
    expect(dry.stdout).to.match(/^ {2}\+ \d+\tPutin sambut Lukashenko di Kremlin$/m);
    // Nothing was written by the dry run.
    expect(await urls('/tags/media-rusia.json')).to.deep.equal(['https://tass.example/1']);

    writeFileSync(file, next);
    await daemon.until(async () => (await urls('/tags/media-rusia.json')).length === 2, { what: 'the reloaded rule to tag a second item Media Rusia' });
    expect(await urls('/tags/media-rusia.json')).to.deep.equal(['https://antara.example/1', 'https://tass.example/1']);
    // A store this small is re-tagged on the main thread (retag.ts POOL_MIN_ITEMS); retag-pool.test.ts runs
    // the compiled workers the daemon starts for bigger ones.
    const passes = daemon.logs().filter((l) => l.msg === 'tag rules changed: stored items re-tagged');
    expect(passes.at(-1), 'the re-tag pass log line').to.have.property('workers', 0);

    const explain = await runWarta(['tags', 'explain', '--config', file, String(((await (await fetch(`${base}/api/items?tag=media-rusia&source=antara`)).json()) as { items: { id: number }[] }).items[0]!.id)]);
    expect(explain.code, explain.stderr).to.equal(0);
    expect(explain.stdout).to.match(/stored tags:[\s\S]*Media Rusia\n {4}title\[\d+\.\.\d+\] "Lukashenko"/);
  });
});
