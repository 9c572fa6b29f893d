import { expect } from 'chai';
import { makeZonedFormat } from '../../../src/base/zoned-time.js';
import type { SourceStatus } from '../../../src/daemon/source-status.js';
import { runWarta, startDaemon, withDaemon, type Daemon } from '../../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../../helpers/feed-server.js';

// Issue 16 items 8, 10, 11: what an admin sees on `/`, /api/sources, `warta sources` and /metrics when sources
// fail, are held back or paused, and when a reload is rejected.
describe('admin status: next poll reasons, answering sources, rejected reloads (real daemon, real feeds)', function () {
  this.timeout(60_000);
  let feeds: FeedServer;
  let daemon: Daemon;
  let file: string;
  const base = () => daemon.base;

  // Every source lives on 127.0.0.1, one host: the 429 pauses it for all. `limited` comes last, so every other
  // start-up poll has left the host queue before the pause.
  const SOURCES = {
    fresh: `  - id: fresh\n    title: Fresh news\n    url: "URL/fresh.xml"\n`,
    plain: `  - id: plain\n    url: "URL/plain.xml"\n`,
    empty: `  - id: empty\n    url: "URL/empty.xml"\n`,
    down: `  - id: down\n    url: "URL/down.xml"\n`,
    gone: `  - id: gone\n    url: "URL/gone.xml"\n`,
    limited: `  - id: limited\n    url: "URL/limited.xml"\n`,
  };
  // The harness adds server.listen and storage.path, the same on every rewrite.
  const config = (ids: (keyof typeof SOURCES)[], tags = '  - name: Putin\n    match: Putin\n  - name: Lukashenko\n    match: Lukashenko\n') => `fetch:
  schedule: "* * * * *"
  timezone: Asia/Jakarta
  min_interval: 1m
  host_pause_max: 10m
sources:
${ids.map((id) => SOURCES[id].replace('URL', feeds.origin)).join('')}tags:
${tags}`;

  const sources = async () => (await (await fetch(`${base()}/api/sources`)).json()) as SourceStatus[];
  const page = async () => (await fetch(`${base()}/`)).text();
  const metric = async (name: string) => {
    const text = await (await fetch(`${base()}/metrics`)).text();
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };

  before(async () => {
    feeds = await new FeedServer().start();
    const withTtl = rss([{ guid: '1', title: 'Putin di Minsk', link: 'https://fresh.example/1' }], { title: 'Fresh', link: 'https://fresh.example/' }).replace('<description>fixture</description>', '<description>fixture</description><ttl>120</ttl>');
    feeds.routes.set('/fresh.xml', feedRoute(() => ({ body: withTtl })));
    feeds.routes.set('/plain.xml', feedRoute(() => ({ body: rss([{ guid: '1', title: 'Putin di Moskow', link: 'https://plain.example/1' }]) })));
    feeds.routes.set('/empty.xml', feedRoute(() => ({ body: rss([]) })));
    feeds.routes.set('/down.xml', (_req, res) => res.writeHead(500).end('broken'));
    feeds.routes.set('/gone.xml', (_req, res) => res.writeHead(410).end('gone'));
    feeds.routes.set('/limited.xml', (_req, res) => res.writeHead(429, { 'Retry-After': '3600' }).end('slow down'));
    daemon = await startDaemon({ yaml: config(['fresh', 'plain', 'empty', 'down', 'gone', 'limited']) });
    file = daemon.configPath;
    await daemon.until(async () => (await sources()).every((s) => s.last_poll !== null) && (await sources()).find((s) => s.id === 'plain')!.next_poll_reason === 'host_paused', {
      what: 'every source polled once and plain held back by the host pause',
    });
  });
  after(async () => {
    await daemon?.stop('SIGKILL');
    await daemon?.close();
    await feeds?.stop();
  });

  it('GET /api/sources says what moved each next poll, and until when', async () => {
    const list = await sources();
    const by = Object.fromEntries(list.map((s) => [s.id, s]));
    const after = (s: SourceStatus, minutes: number) => Date.parse(s.last_poll!) + minutes * 60_000;
    expect(Object.fromEntries(list.map((s) => [s.id, s.next_poll_reason]))).to.deep.equal({ fresh: 'feed_hint', plain: 'host_paused', empty: 'host_paused', down: 'backoff', gone: 'gone', limited: 'retry_after' });
    // <ttl>120: two hours after the poll; the next poll is the first tick after that.
    expect(Date.parse(by.fresh!.delayed_until!)).to.equal(after(by.fresh!, 120));
    expect(Date.parse(by.fresh!.next_poll!)).to.be.within(after(by.fresh!, 120) - 30_000, after(by.fresh!, 121));
    // Retry-After: 3600 holds the source an hour and pauses its host for host_pause_max (10 min).
    expect(Date.parse(by.limited!.delayed_until!)).to.be.within(after(by.limited!, 60) - 2000, after(by.limited!, 60) + 2000);
    expect(Date.parse(by.plain!.delayed_until!)).to.be.within(after(by.limited!, 10) - 2000, after(by.limited!, 10) + 2000);
    // One failure: 15 min ±10 %.
    expect(Date.parse(by.down!.delayed_until!)).to.be.within(after(by.down!, 13.5), after(by.down!, 16.5));
    expect(by.gone!.next_poll).to.equal(null);
    expect(by.gone!.delayed_until).to.equal(null);
    expect(by.fresh!.site_url).to.equal('https://fresh.example/');
  });

  it('warta sources shows the reason column; it reads the database, so a host pause is the daemon\'s to show', async () => {
    const r = await runWarta(['sources', '--config', file]);
    expect(r.code).to.equal(0);
    const rows = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.split(/\s+/)[0]!, l]));
    expect(rows.ID).to.match(/NEXT POLL\s+DELAYED BY\s+LAST ERROR/);
    expect(rows.fresh).to.match(/\sfeed_hint\s*$/);
    expect(rows.down).to.match(/\sbackoff\s+http_500/);
    expect(rows.limited).to.match(/\sretry_after\s+rate_limited/);
    expect(rows.gone).to.match(/\s-\s+gone\s+gone/);
    const json = JSON.parse((await runWarta(['sources', '--json', '--config', file])).stdout) as SourceStatus[];
    expect(json.find((s) => s.id === 'fresh')!.next_poll_reason).to.equal('feed_hint');
    expect(json.find((s) => s.id === 'plain')!.next_poll_reason).not.to.equal('host_paused');
  });

  it('the index page counts answering sources, shows items per feed and source, the next poll\'s reason, times in fetch.timezone', async () => {
    const html = await page();
    const list = await sources();
    const jakarta = makeZonedFormat('Asia/Jakarta');
    expect(html).to.include('<strong class="warn">3 of 6 sources answering</strong>');
    expect(html).to.include('times in Asia/Jakarta (UTC+07:00)');
    const fresh = list.find((s) => s.id === 'fresh')!;
    expect(html).to.include(`<time datetime="${fresh.last_poll}">${jakarta(new Date(fresh.last_poll!))}</time>`);
    expect(html).to.include('<a class="name" href="https://fresh.example/" rel="noreferrer nofollow">Fresh news</a>');
    expect(html).to.include(`<a class="feed-url" href="${feeds.url('/fresh.xml')}"`);
    expect(html).to.include('<span class="name">Putin</span><span class="count">2 items</span>');
    expect(html).to.include('<span class="name">Lukashenko</span><span class="count zero">empty</span>');
    // A source whose feed lists nothing: named by its feed's title, its 0 marked.
    expect(html).to.match(/<span class="id">empty<\/span>.*<td data-label="Items" class="num"><span class="zero">0<\/span><\/td>/);
    expect(html).to.include('retry: backoff after 1 failure until');
    expect(html).to.include('retry: the server asked to wait (Retry-After) until');
    expect(html).to.include('its host is paused (Retry-After) until');
    expect(html).to.include('feed hint (ttl, update period or Cache-Control) until');
    expect(html).to.include(`Config <code>${file}</code> in force since`);
    expect(html).not.to.include('was rejected');
  });

  it('/metrics counts the failing and gone sources (gone: 1; down and limited have failed once: degraded)', async () => {
    expect((await sources()).map((s) => [s.id, s.state]).filter(([, st]) => st !== 'ok').sort()).to.deep.equal([['down', 'degraded'], ['gone', 'gone'], ['limited', 'degraded']]);
    expect(await metric('warta_failing_sources')).to.equal(1);
  });

  it('a rejected reload shows on / with its problems and in /metrics; a later good reload clears the alarm', async () => {
    expect(await metric('warta_config_last_reload_successful')).to.equal(1);
    expect(await metric('warta_config_reload_failures_total')).to.equal(0);
    const started = await metric('warta_config_last_reload_success_timestamp_seconds');
    expect(started).to.be.within(Date.now() / 1000 - 120, Date.now() / 1000);

    daemon.writeConfig(config(['fresh'], '  - name: Putin\n    match: "(Putin OR"\n'));
    daemon.child.kill('SIGHUP');
    await daemon.until(async () => (await page()).includes('was rejected'), { what: '/ to show the rejected reload' });
    const html = await page();
    expect(html).to.include('<section class="config rejected" aria-label="Config" role="alert">');
    expect(html).to.match(new RegExp(`<li><code>${file.replace(/[/.]/g, '\\$&')}:\\d+:\\d+: tag &#34;Putin&#34;: `));
    expect(await metric('warta_config_last_reload_successful')).to.equal(0);
    expect(await metric('warta_config_reload_failures_total')).to.be.at.least(1);
    expect(await metric('warta_config_last_reload_success_timestamp_seconds')).to.equal(started);

    // Only the failing sources stay: the header must not read as healthy.
    daemon.writeConfig(config(['down', 'gone', 'limited']));
    daemon.child.kill('SIGHUP');
    await daemon.until(async () => (await metric('warta_config_last_reload_successful')) === 1, { what: 'warta_config_last_reload_successful 1 after the good reload' });
    const after = await page();
    expect(after).to.include('<strong class="bad">0 of 3 sources answering</strong>');
    expect(after).to.include('No source is answering');
    expect(after).to.include('<details><summary>An earlier reload at');
    expect(after).not.to.include('role="alert">Config');
    expect(await metric('warta_config_last_reload_success_timestamp_seconds')).to.be.above(started!);
  });

  it('writes readable lines with --log-format pretty, JSON lines when its output is not a terminal', async () => {
    // The daemon above runs with its stdout on a pipe: JSON by default.
    expect(daemon.logs().some((l) => l.msg === 'warta started')).to.equal(true);
    // A second daemon, in its own dir on its own port, stopped (and its dir removed) before its output is checked.
    const pretty = await withDaemon(
      { yaml: `fetch:\n  timezone: Asia/Jakarta\nsources:\n  - id: down\n    url: "${feeds.url('/down.xml')}"\n`, args: ['--log-format', 'pretty'] },
      async (d) => {
        await d.until(() => d.stdout.includes('refresh failed'), { what: 'a "refresh failed" line from the pretty daemon' });
        return d;
      },
    );
    expect(pretty.stdout).to.match(/^── \d{4}-\d\d-\d\d · Asia\/Jakarta \(UTC\+07:00\) ──\n\d\d:\d\d:\d\d\.\d{3} INFO {2}warta started {2}listen=127\.0\.0\.1:/);
    expect(pretty.stdout).to.match(/\n\d\d:\d\d:\d\d\.\d{3} WARN {2}refresh failed {2}source=down .*httpStatus=500/);
    expect(pretty.stdout).not.to.match(/^\{/m);
    expect(pretty.stdout).not.to.include('\x1b['); // no colours into a pipe, even when pretty is asked for
  });
});
