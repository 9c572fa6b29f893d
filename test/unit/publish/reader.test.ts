/**
 * Reads the rendered feeds back with a real feed reader library (Python feedparser; Debian python3-feedparser)
 * and parses every HTML field with html5lib in strict mode, as the W3C validator does (python3-html5lib).
 * Pending, with the reason printed, where Python lacks feedparser (every test) or html5lib (the HTML checks).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredItem } from '../../../src/base/model.js';
import { type FeedFormat, renderFeed, sanitizeHtml } from '../../../src/publish/index.js';
import { HOSTILE_HTML, META, SOURCES, hostileItems, storedItem } from './fixtures.js';
import { tagSoups } from './soup.js';
import { pendingBecause, titleWithReason } from '../../helpers/pending.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'read_feed.py');

// Debian's python3-feedparser lands in /usr/bin/python3, which may not be the python3 first on PATH (pyenv).
function findPython(): string | null {
  for (const candidate of [process.env.WARTA_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-c', 'import feedparser'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  return null;
}

interface Reading {
  reads_json_feed: boolean;
  version: string;
  bozo: number;
  bozo_exception: string | null;
  feed: { title: string | null; link: string | null; id: string | null };
  entries: {
    id: string;
    title: string | null;
    link: string | null;
    published: string | null;
    updated: string | null;
    tags: string[];
    author: string | null;
  }[];
  html_errors: string[] | null;
}

const seconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** Items whose fields a reader must get back unchanged (after warta's documented cleaning). */
function readableItems(): { items: StoredItem[]; titles: string[]; tags: string[][] } {
  const items = [
    storedItem({
      title: 'Fish & chips <3 ]]> "quoted" \'single\' 😀 ünïcödé\u0001\u0085 end',
      tags: ['a&b', '<tag>', '"quoted"', 'café', 'ai'],
      content: HOSTILE_HTML.join('\n'),
    }),
    storedItem({ title: 'Plain title', tags: ['x'] }),
    storedItem({ title: 'Summary and content', summary: '<p>Short.</p>', content: '<p>Long.</p>', tags: [] }),
    storedItem({
      title: 'Updated later',
      published: new Date('2024-05-02T09:00:00Z'),
      updated: new Date('2024-05-03T09:30:15Z'),
      tags: ['Zeta', 'alpha'],
    }),
  ];
  return {
    items,
    titles: ['Fish & chips <3 ]]> "quoted" \'single\' 😀 ünïcödé end', 'Plain title', 'Summary and content', 'Updated later'],
    tags: [['"quoted"', '<tag>', 'a&b', 'ai', 'café'], ['x'], [], ['Zeta', 'alpha']],
  };
}

const python = findPython();
const NO_FEEDPARSER = 'python3-feedparser not installed (apt-get install python3-feedparser python3-html5lib)';
const NO_HTML5LIB = 'python3-html5lib not installed, the strict HTML parse was not done (apt-get install python3-html5lib)';

describe(titleWithReason('publish: feeds read back by feedparser, HTML parsed by html5lib (strict)', python === null ? NO_FEEDPARSER : null), function () {
  this.timeout(60_000);

  let dir: string;
  before(function () {
    if (python === null) pendingBecause(this, NO_FEEDPARSER);
    dir = mkdtempSync(join(tmpdir(), 'warta-publish-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const read = (format: FeedFormat, items: StoredItem[]): Reading => {
    const file = join(dir, `feed.${format}`);
    writeFileSync(file, renderFeed(format, META, items, SOURCES));
    const r = spawnSync(python!, [SCRIPT, file, format], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`read_feed.py failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Reading;
  };
  // Last in a test: without html5lib the test is pending (what ran before has passed), never a silent pass.
  const expectHtmlClean = (ctx: Mocha.Context, htmlErrors: string[] | null) => {
    if (htmlErrors === null) pendingBecause(ctx, NO_HTML5LIB);
    expect(htmlErrors).to.deep.equal([]);
  };

  for (const format of ['rss', 'atom'] as const) {
    describe(format, () => {
      it('parses without errors (bozo 0) and reads back titles, links, ids, dates, tags', function () {
        const { items, titles, tags } = readableItems();
        const reading = read(format, items);
        expect(reading.bozo, reading.bozo_exception ?? '').to.equal(0);
        expect(reading.version).to.equal(format === 'rss' ? 'rss20' : 'atom10');
        expect(reading.feed.title).to.equal(META.title);
        expect(reading.feed.link).to.equal(META.homeUrl);
        expect(reading.entries.map((e) => e.id)).to.deep.equal(items.map((i) => i.uid));
        expect(reading.entries.map((e) => e.title)).to.deep.equal(titles);
        expect(reading.entries.map((e) => e.link)).to.deep.equal(items.map((i) => i.link));
        expect(reading.entries.map((e) => e.published)).to.deep.equal(items.map((i) => seconds(i.published)));
        if (format === 'atom') expect(reading.entries.map((e) => e.updated)).to.deep.equal(items.map((i) => seconds(i.updated)));
        expect(reading.entries.map((e) => e.tags)).to.deep.equal(tags);
        expect(reading.entries.map((e) => e.author)).to.deep.equal(items.map(() => 'Jane Doe'));
        expectHtmlClean(this, reading.html_errors);
      });

      it('hostile items: bozo 0, every id read back, HTML strictly valid', function () {
        const items = hostileItems();
        const reading = read(format, items);
        expect(reading.bozo, reading.bozo_exception ?? '').to.equal(0);
        expect(reading.entries.map((e) => e.id)).to.deep.equal(items.map((i) => i.uid));
        expectHtmlClean(this, reading.html_errors);
      });
    });
  }

  it('sanitizeHtml output of 1000 random tag soups parses without a single html5lib error', function () {
    const file = join(dir, 'fragments.json');
    writeFileSync(file, JSON.stringify(tagSoups(7, 1000).map((h) => sanitizeHtml(h, 'https://blog.example/p/1'))));
    const r = spawnSync(python!, [SCRIPT, file, 'html-list'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`read_feed.py failed: ${r.stderr}`);
    const { html_errors } = JSON.parse(r.stdout) as { html_errors: string[] | null };
    expectHtmlClean(this, html_errors);
  });

  describe('json', () => {
    it('content_html is strictly valid HTML; feedparser reads it back where it supports JSON Feed', function () {
      const { items, titles, tags } = readableItems();
      const reading = read('json', [...items, ...hostileItems()]);
      if (reading.reads_json_feed) {
        expect(reading.bozo, reading.bozo_exception ?? '').to.equal(0);
        expect(reading.entries.slice(0, items.length).map((e) => [e.id, e.title, e.link, e.tags])).to.deep.equal(
          items.map((i, n) => [i.uid, titles[n], i.link, tags[n]]),
        );
      }
      expectHtmlClean(this, reading.html_errors);
      if (!reading.reads_json_feed) pendingBecause(this, 'this feedparser (< 6.1) has no JSON Feed parser: the JSON read-back was not done (pip install "feedparser>=6.1")');
    });
  });
});
