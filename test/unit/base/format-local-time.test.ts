import { expect } from 'chai';
import { formatLocalTime } from '../../../src/base/zoned-time.js';

describe('base/formatLocalTime: one CLI time format, in fetch.timezone, with the offset', () => {
  const at = new Date('2026-12-02T04:20:00.500Z');
  const cases: [zone: string, date: Date, expected: string][] = [
    ['UTC', at, '2026-12-02 04:20:00 +00:00'],
    ['Asia/Jakarta', at, '2026-12-02 11:20:00 +07:00'],
    ['Asia/Makassar', at, '2026-12-02 12:20:00 +08:00'],
    ['Asia/Kolkata', at, '2026-12-02 09:50:00 +05:30'],
    ['America/St_Johns', at, '2026-12-02 00:50:00 -03:30'],
    ['Asia/Jayapura', new Date('2026-12-31T23:59:59.999Z'), '2027-01-01 08:59:59 +09:00'],
    ['Europe/Berlin', new Date('2026-07-01T00:00:00Z'), '2026-07-01 02:00:00 +02:00'],
    ['UTC', new Date('2026-12-02T00:00:00Z'), '2026-12-02 00:00:00 +00:00'],
  ];
  for (const [zone, date, expected] of cases) {
    it(`${date.toISOString()} in ${zone} → ${expected}`, () => expect(formatLocalTime(date, zone)).to.equal(expected));
  }
});
