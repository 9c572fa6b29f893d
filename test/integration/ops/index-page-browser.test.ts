import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX_PAGE_CONTENT_TYPE, INDEX_PAGE_CSP, renderIndexPage } from '../../../src/http/index-page.js';
import { HOSTILE, samplePage } from '../../unit/http/index-page-fixtures.js';
import { pendingBecause, titleWithReason } from '../../helpers/pending.js';

// Debian's chromium driven by playwright-core; nothing is ever downloaded. playwright-core is loaded by a
// computed name and typed here by the little this test uses, so the suite compiles without it installed.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = { desktop: '/tmp/warta-index-desktop.png', mobile: '/tmp/warta-index-mobile-dark.png' };

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
      if (path === '/') {
        res.writeHead(200, { 'Content-Type': INDEX_PAGE_CONTENT_TYPE, 'Content-Security-Policy': INDEX_PAGE_CSP });
        return res.end(renderIndexPage(samplePage({ baseUrl: base })));
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
});
