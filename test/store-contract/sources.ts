/** Sources: rows created from the config, each poll's outcome, and what a new URL forgets. */
import { expect } from 'chai';
import type { PollRecord, SourceRow } from '../../src/store/store.js';
import { at, seed } from './fixtures.js';
import type { Harness } from './harness.js';

const ANTARA = { id: 'antara', url: 'https://www.antaranews.com/rss/dunia.xml' };
const T0 = at('2026-11-24T01:00:00Z');
const T1 = at('2026-11-24T01:15:00Z');

/** A row as ensure() first creates it. */
function freshRow(id: string, url: string): SourceRow {
  return {
    id, url, title: null, siteUrl: null, etag: null, lastModified: null, bodyHash: null, parser: null, format: null,
    state: 'ok', lastStatus: null, lastErrorCode: null, lastErrorMessage: null, consecutiveFailures: 0,
    totalFailures: 0, notModifiedCount: 0, lastPoll: null, lastSuccess: null, heldUntil: null, hintUntil: null,
    feedHintMs: null, effectiveUrl: null, redirectTarget: null, redirectSeen: 0,
  };
}

// A poll that sets every optional field: afterwards no column is at its default.
const FULL: PollRecord = {
  now: T0,
  status: 429,
  state: 'degraded',
  error: { code: 'rate_limited', message: 'HTTP 429 Too Many Requests (Retry-After: 600)' },
  consecutiveFailures: 2,
  notModified: true,
  success: true,
  heldUntil: at('2026-11-24T01:10:00Z'),
  hintUntil: at('2026-11-24T01:30:00Z'),
  feedHintMs: 1_800_000,
  redirect: { target: 'https://www.antaranews.com/rss/dunia', seen: 2, effectiveUrl: 'https://en.antaranews.com/rss/dunia.xml' },
  validators: { etag: 'W/"5f1a-9c2"', lastModified: 'Mon, 24 Nov 2026 00:58:12 GMT', bodyHash: 'b3a1c9f0' },
  feed: { title: 'ANTARA News - Dunia', siteUrl: 'https://www.antaranews.com/dunia', parser: 'rss-parser', format: 'rss2' },
};

/** The row after FULL on a fresh antara row. */
const AFTER_FULL: SourceRow = {
  ...freshRow(ANTARA.id, ANTARA.url),
  title: 'ANTARA News - Dunia', siteUrl: 'https://www.antaranews.com/dunia', parser: 'rss-parser', format: 'rss2',
  etag: 'W/"5f1a-9c2"', lastModified: 'Mon, 24 Nov 2026 00:58:12 GMT', bodyHash: 'b3a1c9f0',
  state: 'degraded', lastStatus: 429, lastErrorCode: 'rate_limited', lastErrorMessage: 'HTTP 429 Too Many Requests (Retry-After: 600)',
  consecutiveFailures: 2, totalFailures: 1, notModifiedCount: 1, lastPoll: T0, lastSuccess: T0,
  heldUntil: at('2026-11-24T01:10:00Z'), hintUntil: at('2026-11-24T01:30:00Z'), feedHintMs: 1_800_000,
  effectiveUrl: 'https://en.antaranews.com/rss/dunia.xml', redirectTarget: 'https://www.antaranews.com/rss/dunia', redirectSeen: 2,
};

// The fields every poll writes; everything else is optional.
const MINIMAL: PollRecord = { now: T1, status: 200, state: 'ok', error: null, consecutiveFailures: 0 };
const MINIMAL_WRITES: Partial<SourceRow> = {
  lastPoll: T1, lastStatus: 200, state: 'ok', lastErrorCode: null, lastErrorMessage: null, consecutiveFailures: 0,
};

export function describeSources(h: Harness): void {
  describe('sources', () => {
    it('ensure creates a row per source, at its defaults', async () => {
      await h.store.sources.ensure([ANTARA, { id: 'tempo', url: 'https://rss.tempo.co/internasional' }]);
      expect(await h.store.sources.get('antara')).to.deep.equal(freshRow(ANTARA.id, ANTARA.url));
      expect(await h.store.sources.get('tempo')).to.deep.equal(freshRow('tempo', 'https://rss.tempo.co/internasional'));
    });

    it('ensure with the same URL keeps everything the polls wrote', async () => {
      await h.store.sources.ensure([ANTARA]);
      await h.store.sources.recordPoll('antara', FULL);
      await h.store.sources.ensure([ANTARA]);
      expect(await h.store.sources.get('antara')).to.deep.equal(AFTER_FULL);
    });

    it('ensure with a new URL forgets validators, state, failures, holds and redirects (a gone source is polled again)', async () => {
      const moved = 'https://www.antaranews.com/rss/internasional.xml';
      await h.store.sources.ensure([ANTARA]);
      await h.store.sources.recordPoll('antara', { ...FULL, state: 'gone', status: 410, error: { code: 'gone', message: 'HTTP 410 Gone' } });
      await h.store.sources.ensure([{ id: 'antara', url: moved }]);
      const row = (await h.store.sources.get('antara'))!;
      expect(row).to.include({
        url: moved, etag: null, lastModified: null, bodyHash: null, state: 'ok', consecutiveFailures: 0,
        heldUntil: null, hintUntil: null, effectiveUrl: null, redirectTarget: null, redirectSeen: 0,
      });
      // Lifetime counters are the source's history, not the old URL's.
      expect(row).to.include({ totalFailures: 1, notModifiedCount: 1 });
    });

    it('ensure of one source leaves the others alone', async () => {
      await h.store.sources.ensure([ANTARA, { id: 'kompas', url: 'https://rss.kompas.com/api/feed/social?section=global' }]);
      await h.store.sources.recordPoll('antara', FULL);
      await h.store.sources.ensure([{ id: 'kompas', url: 'https://rss.kompas.com/api/feed/social?section=nasional' }]);
      expect(await h.store.sources.get('antara')).to.deep.equal(AFTER_FULL);
    });

    describe('recordPoll writes each field given and leaves absent ones unchanged', () => {
      const cases: { name: string; poll: Partial<PollRecord>; writes: Partial<SourceRow> }[] = [
        { name: 'only the fields every poll has', poll: {}, writes: {} },
        {
          name: 'an error: code, message, state, count, and one more failure in total',
          poll: { status: 503, state: 'failing', error: { code: 'http_503', message: 'HTTP 503 Service Unavailable' }, consecutiveFailures: 3 },
          writes: { lastStatus: 503, state: 'failing', lastErrorCode: 'http_503', lastErrorMessage: 'HTTP 503 Service Unavailable', consecutiveFailures: 3, totalFailures: 2 },
        },
        { name: 'a network error has no status', poll: { status: null, error: { code: 'dns', message: 'getaddrinfo ENOTFOUND www.antaranews.com' } }, writes: { lastStatus: null, lastErrorCode: 'dns', lastErrorMessage: 'getaddrinfo ENOTFOUND www.antaranews.com', totalFailures: 2 } },
        { name: 'notModified counts one more 304', poll: { status: 304, notModified: true }, writes: { lastStatus: 304, notModifiedCount: 2 } },
        { name: 'notModified: false counts nothing', poll: { notModified: false }, writes: {} },
        { name: 'success sets lastSuccess to now', poll: { success: true }, writes: { lastSuccess: T1 } },
        { name: 'success: false keeps lastSuccess', poll: { success: false }, writes: {} },
        { name: 'heldUntil: a date', poll: { heldUntil: at('2026-11-24T02:15:00Z') }, writes: { heldUntil: at('2026-11-24T02:15:00Z') } },
        { name: 'heldUntil: null clears the hold', poll: { heldUntil: null }, writes: { heldUntil: null } },
        { name: 'hintUntil: a date', poll: { hintUntil: at('2026-11-24T03:15:00Z') }, writes: { hintUntil: at('2026-11-24T03:15:00Z') } },
        { name: 'hintUntil: null', poll: { hintUntil: null }, writes: { hintUntil: null } },
        { name: 'feedHintMs: a number', poll: { feedHintMs: 3_600_000 }, writes: { feedHintMs: 3_600_000 } },
        { name: 'feedHintMs: null', poll: { feedHintMs: null }, writes: { feedHintMs: null } },
        {
          name: 'redirect without effectiveUrl: target and count, the adopted URL stays',
          poll: { redirect: { target: 'https://www.antaranews.com/rss/dunia-baru', seen: 1 } },
          writes: { redirectTarget: 'https://www.antaranews.com/rss/dunia-baru', redirectSeen: 1 },
        },
        {
          name: 'redirect with effectiveUrl: the target is adopted',
          poll: { redirect: { target: null, seen: 0, effectiveUrl: 'https://www.antaranews.com/rss/dunia-baru' } },
          writes: { redirectTarget: null, redirectSeen: 0, effectiveUrl: 'https://www.antaranews.com/rss/dunia-baru' },
        },
        {
          name: 'validators: all three, nulls included',
          poll: { validators: { etag: null, lastModified: 'Mon, 24 Nov 2026 01:14:00 GMT', bodyHash: 'c0ffee00' } },
          writes: { etag: null, lastModified: 'Mon, 24 Nov 2026 01:14:00 GMT', bodyHash: 'c0ffee00' },
        },
        {
          name: 'feed: title, site, parser, format',
          poll: { feed: { title: null, siteUrl: 'https://www.antaranews.com/', parser: 'fallback', format: 'atom10' } },
          writes: { title: null, siteUrl: 'https://www.antaranews.com/', parser: 'fallback', format: 'atom10' },
        },
      ];
      for (const c of cases) {
        it(c.name, async () => {
          await h.store.sources.ensure([ANTARA]);
          await h.store.sources.recordPoll('antara', FULL);
          await h.store.sources.recordPoll('antara', { ...MINIMAL, ...c.poll });
          expect(await h.store.sources.get('antara')).to.deep.equal({ ...AFTER_FULL, ...MINIMAL_WRITES, ...c.writes });
        });
      }
    });

    it('totals accumulate over polls: failures and 304s', async () => {
      await h.store.sources.ensure([ANTARA]);
      const polls: PollRecord[] = [
        { ...MINIMAL, status: null, state: 'degraded', error: { code: 'timeout', message: 'no answer within 20 s' }, consecutiveFailures: 1 },
        { ...MINIMAL, status: 500, state: 'degraded', error: { code: 'http_500', message: 'HTTP 500' }, consecutiveFailures: 2 },
        { ...MINIMAL, status: 304, notModified: true, success: true },
        { ...MINIMAL, status: 304, notModified: true, success: true },
        { ...MINIMAL, status: 200, success: true },
        { ...MINIMAL, status: 502, state: 'degraded', error: { code: 'http_502', message: 'HTTP 502' }, consecutiveFailures: 1 },
        { ...MINIMAL, status: 304, notModified: true, success: true },
      ];
      for (const p of polls) await h.store.sources.recordPoll('antara', p);
      expect(await h.store.sources.get('antara')).to.include({ totalFailures: 3, notModifiedCount: 3, consecutiveFailures: 0, lastStatus: 304 });
    });

    it('all() lists every row by id', async () => {
      await h.store.sources.ensure([{ id: 'tempo', url: 'https://rss.tempo.co/internasional' }, ANTARA]);
      await h.store.sources.ensure([{ id: 'kompas', url: 'https://rss.kompas.com/api/feed/social?section=global' }]);
      expect((await h.store.sources.all()).map((s) => s.id)).to.deep.equal(['antara', 'kompas', 'tempo']);
    });

    it('all() of an empty store is empty; get() of an unknown id is null', async () => {
      expect(await h.store.sources.all()).to.deep.equal([]);
      await h.store.sources.ensure([ANTARA]);
      expect(await h.store.sources.get('detik')).to.equal(null);
    });

    it('itemCounts counts stored items per source (a source without items counts 0 or is absent)', async () => {
      await seed(h.store);
      await h.store.sources.ensure([{ id: 'detik', url: 'https://rss.detik.com/index.php/detikcom' }]);
      const counts = await h.store.sources.itemCounts();
      expect(Object.fromEntries(['antara', 'kompas', 'tempo', 'detik'].map((id) => [id, counts.get(id) ?? 0]))).to.deep.equal({ antara: 4, kompas: 2, tempo: 1, detik: 0 });
    });

    it('countFailing counts the failing and gone rows, not the ok or degraded ones', async () => {
      const ids = ['antara', 'kompas', 'tempo', 'detik', 'cnn', 'bbc'];
      await h.store.sources.ensure(ids.map((id) => ({ id, url: `https://${id}.example/rss` })));
      expect(await h.store.sources.countFailing()).to.equal(0);
      const fail = (n: number): PollRecord => ({ ...MINIMAL, status: 500, state: n >= 3 ? 'failing' : 'degraded', error: { code: 'http_500', message: 'HTTP 500' }, consecutiveFailures: n });
      await h.store.sources.recordPoll('antara', fail(3));
      await h.store.sources.recordPoll('kompas', fail(4));
      await h.store.sources.recordPoll('tempo', { ...MINIMAL, status: 410, state: 'gone', error: { code: 'gone', message: 'HTTP 410 Gone' }, consecutiveFailures: 1 });
      await h.store.sources.recordPoll('detik', fail(1));
      await h.store.sources.recordPoll('cnn', MINIMAL);
      expect(await h.store.sources.countFailing()).to.equal(3);
      await h.store.sources.recordPoll('kompas', MINIMAL);
      expect(await h.store.sources.countFailing()).to.equal(2);
    });
  });
}
