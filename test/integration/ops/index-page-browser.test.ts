import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_PAGE_CONTENT_TYPE, INDEX_PAGE_CSP, renderIndexPage } from '../../../src/http/index-page.js';
import { HOSTILE, SAMPLE_SOURCES, samplePage } from '../../unit/http/index-page-fixtures.js';
import { pendingBecause, titleWithReason } from '../../helpers/pending.js';

// Debian's chromium driven by playwright-core; nothing is ever downloaded. playwright-core is loaded by a
// computed name and typed here by the little this test uses, so the suite compiles without it installed.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// One folder per run: worktrees testing side by side on one machine would overwrite each other's fixed paths.
const SHOT_DIR = process.env.WARTA_SHOTS_DIR ?? join(tmpdir(), `warta-index-shots-${process.pid}`);
const SHOTS = { desktop: join(SHOT_DIR, 'desktop.png'), mobile: join(SHOT_DIR, 'mobile-dark.png') };
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
// Every source failing and the last reload rejected: the page a new admin must not read as healthy.
const failingPage = (baseUrl: string) =>
  samplePage({
    baseUrl,
    feeds: samplePage().feeds.slice(1, 3),
    sources: SAMPLE_SOURCES.slice(0, 3).map((s) => ({ ...s, state: 'failing', consecutiveFailures: 3, items: 0, lastError: 'network: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1', nextPoll: new Date('2024-06-01T13:00:00Z'), nextPollReason: 'backoff', delayedUntil: new Date('2024-06-01T12:50:00Z') })),
    config: { file: '/etc/warta/warta.yaml', since: new Date('2024-06-01T09:00:00Z'), how: 'start', lastRejected: { at: new Date('2024-06-01T11:00:00Z'), reason: 'config file changed', problems: ['/etc/warta/warta.yaml:13:5: unknown key "max_item" in sources.2'] } },
  });

interface Page {
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  on(event: 'dialog', fn: (d: { message(): string; dismiss(): Promise<void> }) => void): void;
  on(event: 'requestfailed', fn: (r: { url(): string }) => void): void;
  goto(url: string): Promise<{ status(): number; headers(): Record<string, string> } | null>;
  title(): Promise<string>;
  evaluate<R>(fn: string): Promise<R>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  emulateMedia(media: { colorScheme: 'light' | 'dark' }): Promise<void>;
  screenshot(opts: { path: string; fullPage: boolean }): Promise<Buffer>;
}
interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launchPersistentContext(dir: string, opts: Record<string, unknown>): Promise<Context> };
}

/** Why this suite cannot run here, or null. */
function missingTool(): string | null {
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    return 'playwright-core not installed (npm install --no-save playwright-core)';
  }
  return existsSync(CHROMIUM) ? null : `chromium not installed: no browser at ${CHROMIUM} (apt-get install chromium)`;
}
const MISSING = missingTool();

describe(titleWithReason('http/renderIndexPage in headless Chromium', MISSING), function () {
  this.timeout(60_000);
  let server: Server;
  let base: string;
  let context: Context;
  let profile: string;
  const served: string[] = [];

  before(async function () {
    if (MISSING !== null) pendingBecause(this, MISSING);
    const name = 'playwright-core';
    const playwright = (await import(name)) as Playwright;
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      served.push(path);
      const pages: Record<string, () => string> = {
        '/': () => renderIndexPage(samplePage({ baseUrl: base })),
        '/failing': () => renderIndexPage(failingPage(base)),
        '/public': () => renderIndexPage(samplePage({ baseUrl: base, sources: undefined, config: undefined })),
      };
      if (pages[path]) {
        res.writeHead(200, { 'Content-Type': INDEX_PAGE_CONTENT_TYPE, 'Content-Security-Policy': INDEX_PAGE_CSP });
        return res.end(pages[path]());
      }
      const feed = /^\/(tags|feeds)\/[a-z0-9-]+\.(rss|atom|json)$/.exec(path);
      if (feed || path === '/opml' || path === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        return res.end('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>');
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'warta-chromium-'));
    mkdirSync(SHOT_DIR, { recursive: true });
    console.log(`      (screenshots for a human to look at: ${SHOT_DIR})`);
    context = await playwright.chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await context?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders under its CSP with no console error, no script, no dialog and no request but its own', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`console ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    served.length = 0;
    const response = await page.goto(`${base}/`);
    expect(response?.status()).to.equal(200);
    expect(response?.headers()['content-security-policy']).to.equal(INDEX_PAGE_CSP);
    expect(await page.title()).to.equal('warta — Berita Rusia & Belarusia');
    expect(await page.evaluate<number>('document.querySelectorAll("script, img, iframe, object").length')).to.equal(0);
    // The inline style was allowed (a CSP refusal would also have been a console error).
    expect(await page.evaluate<string>('getComputedStyle(document.querySelector("ul.feeds")).borderTopLeftRadius')).to.equal('8px');
    expect(served, 'no favicon.ico or other request').to.deep.equal(['/']);
    expect(problems).to.deep.equal([]);
  });

  it('shows a hostile title as text, in the feed list, the table and the error column', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const names = await page.evaluate<string[]>('[...document.querySelectorAll(".feeds .name")].map((e) => e.textContent)');
    expect(names).to.include(HOSTILE);
    const cells = await page.evaluate<string[]>('[...document.querySelectorAll("tbody td")].map((e) => e.textContent)');
    expect(cells.some((c) => c.startsWith(HOSTILE))).to.equal(true);
    expect(cells).to.include(`http_500: ${HOSTILE}`);
    expect(await page.evaluate<number>('document.querySelectorAll("a[href^=javascript]").length')).to.equal(0);
  });

  it('has a subscribe link in each format for every feed, and every one answers 200', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const hrefs = await page.evaluate<string[]>('[...document.querySelectorAll(".formats a, a[href$=\\"/opml\\"]")].map((a) => a.href)');
    const expected = samplePage().feeds.flatMap((f) => ['rss', 'atom', 'json'].map((ext) => `${base}${f.path}.${ext}`));
    expect(hrefs.filter((h) => !h.endsWith('/opml'))).to.deep.equal(expected);
    expect(hrefs).to.include(`${base}/opml`);
    for (const href of hrefs) expect((await fetch(href)).status, href).to.equal(200);
  });

  it('fits a phone screen without sideways scrolling, in dark mode too; screenshots for a human look', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.screenshot({ path: SHOTS.desktop, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).to.equal(true);
    expect(await page.evaluate<string>('getComputedStyle(document.querySelector("thead")).display')).to.equal('none');
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).to.equal('rgb(13, 17, 23)');
    await page.screenshot({ path: SHOTS.mobile, fullPage: true });
    expect(existsSync(SHOTS.desktop) && existsSync(SHOTS.mobile)).to.equal(true);
  });

  for (const w of WIDTHS) {
    for (const path of ['/failing', '/', '/public']) {
      it(`${path} at ${w.width} px: fits without sideways scrolling, says what is failing and why; screenshot ${w.name}-${path === '/' ? 'sample' : path.slice(1)}.png`, async () => {
        const page = await context.newPage();
        await page.setViewportSize({ width: w.width, height: w.height });
        await page.goto(`${base}${path}`);
        expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), 'no sideways scroll').to.equal(true);
        // Nothing sticks out of its box (a long URL or error pushing a cell past the page's edge).
        const overflowing = await page.evaluate<string[]>(`[...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => e.tagName + '.' + e.className)`);
        expect(overflowing).to.deep.equal([]);
        const text = await page.evaluate<string>('document.body.innerText');
        expect(text).to.match(/times in Asia\/Jakarta \(UTC\+07:00\)/);
        if (path === '/failing') {
          expect(text).to.include('0 of 3 sources answering');
          expect(text).to.include('No source is answering');
          expect(text).to.include('was rejected');
          expect(text).to.include('unknown key "max_item"');
          expect(text).to.include('retry: backoff after 3 failures until 2024-06-01 19:50');
          expect(await page.evaluate<string>('getComputedStyle(document.querySelector(".alert")).borderTopColor')).to.equal('rgb(207, 34, 46)');
        }
        if (path === '/') {
          expect(text).to.include('empty');
          expect(text).to.include('its host is paused (Retry-After) until');
          // Each source's name links to its site, its feed URL stands beside it.
          expect(await page.evaluate<string[]>('[...document.querySelectorAll("td.source a.name")].map((a) => a.href)')).to.include('https://www.antaranews.com/dunia');
          expect(await page.evaluate<string[]>('[...document.querySelectorAll("td.source .feed-url")].map((a) => a.textContent)')).to.include('https://www.antaranews.com/rss/dunia.xml');
        }
        if (path === '/public') expect(await page.evaluate<number>('document.querySelectorAll("#sources, .config").length')).to.equal(0);
        // A phone gets cards (no header row to scroll to); a desktop a table whose every column shows.
        const headRow = await page.evaluate<string>('getComputedStyle(document.querySelector("thead") ?? document.body).display');
        if (path !== '/public') expect(headRow).to.equal(w.width < 640 ? 'none' : 'table-header-group');
        // The page is not a strip down the middle of a wide screen: the content uses the width it has.
        const used = await page.evaluate<number>('document.querySelector("main").getBoundingClientRect().width / window.innerWidth');
        expect(used).to.be.above(0.9);
        // Nor glued to the top edge (a phone rule once reset the header's padding).
        expect(await page.evaluate<number>('document.querySelector("h1").getBoundingClientRect().top')).to.be.at.least(16);
        await page.screenshot({ path: shot(w.name, path), fullPage: true });
        expect(existsSync(shot(w.name, path))).to.equal(true);
        if (path === '/failing') {
          // The alarms stay alarms in dark mode: red border, dark red ground, light text.
          await page.emulateMedia({ colorScheme: 'dark' });
          expect(await page.evaluate<string>('getComputedStyle(document.querySelector(".alert")).backgroundColor')).to.equal('rgb(60, 22, 24)');
          await page.screenshot({ path: shot(`${w.name}-dark`, path), fullPage: true });
        }
      });
    }
  }
});

function shot(width: string, path: string): string {
  return join(SHOT_DIR, `${width}-${path === '/' ? 'sample' : path.slice(1)}.png`);
}
