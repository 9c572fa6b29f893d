import { expect } from 'chai';
import { parseDate, parseDateGeneral, parseRfc822 } from '../../../../src/pipeline/feed/dates.js';

describe('pipeline: parseDate', () => {
  // [what feeds write, the instant in UTC (or null: not a date we can read)]
  const cases: [input: string, utc: string | null][] = [
    // RFC 822 / RFC 2822 (RSS)
    ['Mon, 12 Aug 2024 10:00:00 +0700', '2024-08-12T03:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 GMT', '2024-08-12T10:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 UT', '2024-08-12T10:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 Z', '2024-08-12T10:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 -0000', '2024-08-12T10:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 EST', '2024-08-12T15:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 EDT', '2024-08-12T14:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 PDT', '2024-08-12T17:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 CEST', '2024-08-12T08:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 WIB', '2024-08-12T03:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 WITA', '2024-08-12T02:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 WIT', '2024-08-12T01:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 IST', '2024-08-12T04:30:00.000Z'],
    // RFC 2822 §4.3: military letters other than Z, and unknown names, mean "-0000" (UTC)
    ['Mon, 12 Aug 2024 10:00:00 A', '2024-08-12T10:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 XYZ', '2024-08-12T10:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 +07:00', '2024-08-12T03:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 GMT+7', '2024-08-12T03:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00:00 +0700 (WIB)', '2024-08-12T03:00:00.000Z'],
    ['Mon, 12 Aug 2024 10:00 +0700', '2024-08-12T03:00:00.000Z'], // no seconds
    ['Mon, 12 Aug 24 10:00:00 +0700', '2024-08-12T03:00:00.000Z'], // two-digit year
    ['Thu, 01 Jan 99 00:00:00 GMT', '1999-01-01T00:00:00.000Z'],
    ['Fri, 12 Aug 2024 10:00:00 +0700', '2024-08-12T03:00:00.000Z'], // wrong day name
    ['12 Aug 2024 10:00:00 +0700', '2024-08-12T03:00:00.000Z'], // no day name
    ['Mon,12 Aug 2024 10:00:00 +0700', '2024-08-12T03:00:00.000Z'],
    ['Mon, 12 August 2024 10:00:00 +0700', '2024-08-12T03:00:00.000Z'],
    ['Mon, 12 Aug, 2024 10:00:00 UTC', '2024-08-12T10:00:00.000Z'],
    ['Mon, 12 Aug 2024', '2024-08-12T00:00:00.000Z'],
    // W3C-DTF / ISO 8601 / RFC 3339 (Atom, dc:date)
    ['2024-08-12T10:00:00+07:00', '2024-08-12T03:00:00.000Z'],
    ['2024-08-12T10:00:00Z', '2024-08-12T10:00:00.000Z'],
    ['2024-08-12T10:00:00.52Z', '2024-08-12T10:00:00.520Z'],
    ['2024-08-12T10:00:00', '2024-08-12T10:00:00.000Z'], // no zone: UTC, never the local zone
    ['2024-08-12 10:00:00', '2024-08-12T10:00:00.000Z'],
    ['2024-08-12 10:00:00 +0700', '2024-08-12T03:00:00.000Z'],
    ['2024-08-12T10:00+07:00', '2024-08-12T03:00:00.000Z'],
    ['20240812T100000Z', '2024-08-12T10:00:00.000Z'],
    ['2024-08-12', '2024-08-12T00:00:00.000Z'],
    ['2024-08', '2024-08-01T00:00:00.000Z'],
    ['2024', '2024-01-01T00:00:00.000Z'],
    // asctime, JavaScript's Date#toString, Twitter
    ['Mon Aug 12 10:00:00 2024', '2024-08-12T10:00:00.000Z'],
    ['Mon Aug 12 2024 10:00:00 GMT+0700 (Western Indonesia Time)', '2024-08-12T03:00:00.000Z'],
    ['Mon Aug 12 10:00:00 +0000 2024', '2024-08-12T10:00:00.000Z'],
    // common broken forms
    ['Aug 12, 2024 10:00 AM', '2024-08-12T10:00:00.000Z'],
    ['August 12th, 2024 10:00 p.m.', '2024-08-12T22:00:00.000Z'],
    ['12 Aug 2024 10:00 WIB', '2024-08-12T03:00:00.000Z'],
    ['Senin, 12 Agustus 2024 10:00 WIB', '2024-08-12T03:00:00.000Z'],
    ['Senin, 12 Agustus 2024 - 10.00 WIB', '2024-08-12T03:00:00.000Z'],
    ['Senin, 12/08/2024 10:00 WIB', '2024-08-12T03:00:00.000Z'], // day first in an Indonesian context
    ['2024/08/12 10:00:00 EDT', '2024-08-12T14:00:00.000Z'],
    ['13/08/2024', '2024-08-13T00:00:00.000Z'], // unambiguous: day first
    ['  Mon, 12 Aug 2024\n 10:00:00 GMT ', '2024-08-12T10:00:00.000Z'],
    ['1723456800', '2024-08-12T10:00:00.000Z'], // Unix seconds
    // not dates, or not unambiguous ones
    ['', null],
    ['unknown', null],
    ['12/08/2024', null], // 12 August or December 8?
    ['Mon, 32 Aug 2024 10:00:00 GMT', null],
    ['Mon, 30 Feb 2024 10:00:00 GMT', null], // no rollover to March
    ['2024-08-12T25:00:00Z', null],
    ['2024-08-12T10:00:00+99:99', null],
    ['Mon, 12 Foo 2024 10:00:00 GMT', null],
    ['2024-08-12T10:00:00+07:00 and then some', null],
  ];

  for (const [input, utc] of cases) {
    it(`${JSON.stringify(input)} → ${utc}`, () => {
      const d = parseDate(input);
      expect(d === null ? null : d.toISOString()).to.equal(utc);
    });
  }

  it('reads the plain RFC 822 shape directly, to the instant the general reader gives; other shapes fall through', () => {
    const plain = [
      'Mon, 12 Aug 2024 10:00:00 +0700', 'Tue, 01 Dec 2026 23:59:59 -0000', 'Wed, 3 Dec 2026 07:05 GMT', '3 Dec 2026 7:05:09 UT',
      'Mon,12 Aug 2024 10:00:00 UTC', 'Mon, 12 Aug 2024 10:00:00 Z', 'Mon, 12 Aug 2024 10:00:00 EST', 'Mon, 12 Aug 2024 10:00:00 PDT',
      'Sun, 29 Feb 2032 12:00:00 +1300', 'Fri, 12 Aug 2024 10:00:00 +0700', 'Thu, 01 Jan 0100 00:00:01 +0100',
      // out of range: null from both
      'Mon, 31 Feb 2024 10:00:00 GMT', 'Mon, 12 Aug 2024 24:00:00 GMT', 'Mon, 12 Aug 2024 10:60:00 GMT', 'Mon, 12 Aug 2024 10:00:00 +2400', 'Mon, 12 Aug 2024 10:00:00 +0760',
    ];
    for (const s of plain) {
      const fast = parseRfc822(s);
      expect(fast, s).to.not.equal(undefined);
      expect(fast?.toISOString() ?? null, s).to.equal(parseDateGeneral(s)?.toISOString() ?? null);
    }
    // Read by the general reader only: a meridiem, Indonesian zones, other zone spellings, two-digit years, no zone.
    const other = ['Mon, 12 Aug 2024 10:00:00 PM', 'Mon, 12 Aug 2024 10:00:00 WIB', 'Mon, 12 Aug 2024 10:00:00 +07:00', 'Mon, 12 Aug 24 10:00:00 GMT', 'Mon, 12 Aug 2024 10:00:00', 'Mon, 12 August 2024 10:00:00 GMT', '2024-08-12T10:00:00Z'];
    for (const s of other) expect(parseRfc822(s), s).to.equal(undefined);
  });

  it('reads zone-less dates as UTC whatever the process time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Asia/Jakarta', 'America/New_York']) {
        process.env.TZ = tz;
        expect(parseDate('2024-08-12T10:00:00')?.toISOString(), tz).to.equal('2024-08-12T10:00:00.000Z');
        expect(parseDate('Mon, 12 Aug 2024 10:00:00')?.toISOString(), tz).to.equal('2024-08-12T10:00:00.000Z');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('keeps four-digit years below 100 as written', () => {
    expect(parseDate('Thu, 01 Jan 0100 00:00:01 +0100')?.getUTCFullYear()).to.equal(99);
  });

  it('never returns an Invalid Date', () => {
    const junk = ['0000-00-00', '9999-99-99T99:99:99Z', '+', '--', 'T', '::', '2024-13-01', 'Mon, 12 Aug 99999 10:00 GMT', '1e400'];
    for (const s of junk) {
      const d = parseDate(s);
      if (d !== null) expect(Number.isNaN(d.getTime()), s).to.equal(false);
    }
  });
});
