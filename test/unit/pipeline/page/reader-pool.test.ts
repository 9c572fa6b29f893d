/**
 * The page reader pool (reader-pool.ts) with its real worker threads: the same reading as on the caller's thread,
 * a read past the time limit stopped and its thread replaced, a read past the heap limit refused, bounded
 * threads, and shutdown that does not wait for a read in progress.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { WartaError } from '../../../../src/base/errors.js';
import { readPage } from '../../../../src/pipeline/page/index.js';
import { makeReaderPool } from '../../../../src/pipeline/page/reader-pool.js';

const fixture = readFileSync(new URL('../../../fixtures/pages/jurnas-putin.html', import.meta.url));
const URL_ = 'https://fixture.example/jurnas-putin';
const HTML = 'text/html; charset=utf-8';
// 50,000 teasers: seconds of reading on any machine (test/integration/full-text.test.ts measures it).
const slow = Buffer.from(`<html><body>${Array.from({ length: 50_000 }, (_, i) => `<div><a href="/artikel/${100_000 + i}/judul-${i}">Judul ${i}</a></div>`).join('')}</body></html>`);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(WartaError);
    return (err as WartaError).code;
  }
  throw new Error('expected the read to fail');
}

describe('pipeline/page: the page reader pool (worker threads)', function () {
  this.timeout(60_000);

  it('reads a page in a thread exactly as on the caller\'s thread (dates cross as Dates)', async () => {
    const pool = makeReaderPool({ size: () => 2, timeLimitMs: () => 30_000 });
    try {
      const got = await pool.article(fixture, HTML, URL_, {});
      const want = readPage(fixture.toString('utf8'), URL_);
      expect(got).to.deep.equal(want);
      expect(got.published).to.be.instanceOf(Date);
      const listing = await pool.listing(fixture, HTML, URL_, 'div.no-such-list');
      expect(listing.selectorEmpty).to.equal(true);
    } finally {
      await pool.close();
    }
  });

  it('a read past the time limit rejects with extract_timeout, stops its thread, and the next read gets a new one', async () => {
    // The limit is read when a page reaches a thread: generous for the fixture, 100 ms for the seconds-long page.
    let limitMs = 60_000;
    const pool = makeReaderPool({ size: () => 1, timeLimitMs: () => limitMs });
    try {
      await pool.article(fixture, HTML, URL_, {});
      expect(pool.stats()).to.include({ threads: 1, started: 1 });
      limitMs = 100;
      expect(await codeOf(pool.article(slow, HTML, 'https://fixture.example/lambat', {}))).to.equal('extract_timeout');
      expect(pool.stats()).to.include({ threads: 0, busy: 0 });
      limitMs = 60_000;
      const again = await pool.article(fixture, HTML, URL_, {});
      expect(again.text).to.include('Peskov');
      expect(pool.stats()).to.include({ threads: 1, started: 2 });
    } finally {
      await pool.close();
    }
  });

  it('a read that needs more than the heap limit rejects with too_large, and the pool goes on', async () => {
    // A 24 MB heap reads the fixture article, not 14,000 paragraphs (32–48 MB). A body over an eighth of the heap
    // is refused before it reaches a thread: one allocation that size can abort the process (nodejs/node#47224).
    const pool = makeReaderPool({ size: () => 1, timeLimitMs: () => 60_000, heapMb: 24 });
    try {
      expect((await pool.article(fixture, HTML, URL_, {})).text).to.include('Peskov');
      const flat = Buffer.from(`<html><body><article>${'<p>Paragraf yang sangat panjang tentang banjir, dan lagi. </p>'.repeat(14_000)}</article></body></html>`);
      expect(await codeOf(pool.article(flat, HTML, 'https://fixture.example/banyak', {}))).to.equal('too_large');
      expect(pool.stats()).to.include({ threads: 0, started: 1 });
      expect((await pool.article(fixture, HTML, URL_, {})).text).to.include('Peskov');
      expect(await codeOf(pool.article(Buffer.alloc(4 * 1024 * 1024, 'a'), HTML, 'https://fixture.example/besar', {}))).to.equal('too_large');
      expect(pool.stats()).to.include({ started: 2 });
    } finally {
      await pool.close();
    }
  });

  it('never runs more threads than its size; queued reads wait for a free one', async () => {
    const pool = makeReaderPool({ size: () => 2, timeLimitMs: () => 30_000 });
    try {
      const reads = Array.from({ length: 6 }, () => pool.article(fixture, HTML, URL_, {}));
      expect(pool.stats().threads).to.be.at.most(2);
      expect(pool.stats().queued).to.equal(6);
      const done = await Promise.all(reads);
      expect(done.every((r) => r.text.includes('Peskov'))).to.equal(true);
      expect(pool.stats().started).to.equal(2);
    } finally {
      await pool.close();
    }
  });

  it('a section page (a poll of a type: html source) is read before the article pages waiting', async () => {
    const pool = makeReaderPool({ size: () => 1, timeLimitMs: () => 60_000 });
    try {
      const order: string[] = [];
      const reads = [
        pool.article(fixture, HTML, URL_, {}).then(() => order.push('article 1')),
        pool.article(fixture, HTML, URL_, {}).then(() => order.push('article 2')),
        pool.listing(fixture, HTML, URL_, null).then(() => order.push('listing')),
      ];
      await Promise.all(reads);
      expect(order).to.deep.equal(['listing', 'article 1', 'article 2']);
    } finally {
      await pool.close();
    }
  });

  it('an aborted signal stops its read; close() rejects queued and running reads with aborted and leaves no thread', async () => {
    const pool = makeReaderPool({ size: () => 1, timeLimitMs: () => 60_000 });
    const stop = new AbortController();
    const running = pool.article(slow, HTML, 'https://fixture.example/lambat', {}, stop.signal);
    setTimeout(() => stop.abort(), 200);
    expect(await codeOf(running)).to.equal('aborted');
    const a = pool.article(slow, HTML, 'https://fixture.example/lambat', {});
    const b = pool.article(fixture, HTML, URL_, {});
    const closed = pool.close();
    expect(await codeOf(a)).to.equal('aborted');
    expect(await codeOf(b)).to.equal('aborted');
    await closed;
    expect(pool.stats()).to.include({ threads: 0, queued: 0 });
    expect(await codeOf(pool.article(fixture, HTML, URL_, {}))).to.equal('aborted');
  });
});
