import { expect } from 'chai';
import { ingestDocument } from '../../../src/pipeline/feed/ingest.js';
import { cacheLifetimeMs, nextAllowedPoll } from '../../../src/pipeline/hints.js';

const now = new Date('2026-11-26T10:00:00Z');
const feed = (channelExtra: string) =>
  new TextEncoder().encode(`<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>t</title><link>https://a.example/</link><description>d</description>${channelExtra}<item><title>x</title><guid>1</guid></item></channel></rss>`);

describe('pipeline: polling hints', () => {
  const cases: { name: string; extra: string; expect: Record<string, unknown> }[] = [
    { name: 'RSS <ttl>', extra: '<ttl>90</ttl>', expect: { ttlMinutes: 90, updatePeriodMinutes: null } },
    { name: 'sy:updatePeriod hourly, frequency 2', extra: '<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>', expect: { updatePeriodMinutes: 30 } },
    { name: 'sy:updatePeriod daily', extra: '<sy:updatePeriod> daily </sy:updatePeriod>', expect: { updatePeriodMinutes: 1440 } },
    { name: 'skipHours and skipDays', extra: '<skipHours><hour>0</hour><hour>23</hour><hour>99</hour></skipHours><skipDays><day>Sunday</day></skipDays>', expect: { skipHours: [0, 23], skipDays: ['Sunday'] } },
  ];
  for (const c of cases) {
    it(`reads ${c.name}`, () => {
      const f = ingestDocument(feed(c.extra), { contentType: null, url: 'https://a.example/feed', now });
      expect(f).to.deep.include(c.expect);
    });
  }

  const bounds = { minMs: 5 * 60_000, maxMs: 24 * 3_600_000 };
  const none = { feedMs: null, cacheMs: null, skipHours: [], skipDays: [] };
  const next: { name: string; hints: Parameters<typeof nextAllowedPoll>[1]; at: string; maxMs?: number }[] = [
    { name: 'no hints: the minimum interval', hints: none, at: '2026-11-26T10:05:00.000Z' },
    { name: 'ttl within bounds', hints: { ...none, feedMs: 3_600_000 }, at: '2026-11-26T11:00:00.000Z' },
    { name: 'a huge ttl is capped by max_interval', hints: { ...none, feedMs: 30 * 86_400_000 }, at: '2026-11-27T10:00:00.000Z' },
    { name: 'Cache-Control wins when longer', hints: { ...none, feedMs: 600_000, cacheMs: 1_800_000 }, at: '2026-11-26T10:30:00.000Z' },
    { name: 'skipHours steps over the skipped hours (GMT)', hints: { ...none, feedMs: 3_600_000, skipHours: [11, 12] }, at: '2026-11-26T13:00:00.000Z' },
    { name: 'skipDays steps over Friday', hints: { ...none, feedMs: 86_400_000, skipDays: ['Friday'] }, at: '2026-11-28T00:00:00.000Z', maxMs: 3 * 86_400_000 },
    { name: 'skipDays never pushes past max_interval', hints: { ...none, feedMs: 86_400_000, skipDays: ['Friday'] }, at: '2026-11-27T10:00:00.000Z' },
    { name: 'a feed that skips every hour is ignored', hints: { ...none, skipHours: [...Array(24).keys()] }, at: '2026-11-26T10:05:00.000Z' },
  ];
  for (const c of next) {
    it(`next poll: ${c.name}`, () => expect(nextAllowedPoll(now, c.hints, { ...bounds, maxMs: c.maxMs ?? bounds.maxMs }).toISOString()).to.equal(c.at));
  }

  const cache: [string | null, string | null, string | null, number | null][] = [
    ['max-age=600', null, null, 600_000],
    ['public, max-age="120"', null, null, 120_000],
    ['no-cache, max-age=600', null, null, null],
    [null, 'Thu, 26 Nov 2026 11:00:00 GMT', 'Thu, 26 Nov 2026 10:00:00 GMT', 3_600_000],
    [null, 'garbage', null, null],
    [null, null, null, null],
  ];
  for (const [cc, exp, date, want] of cache) it(`cache lifetime of ${cc ?? ''}|${exp ?? ''}`, () => expect(cacheLifetimeMs(cc, exp, date, now)).to.equal(want));
});
