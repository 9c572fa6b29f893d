import { expect } from 'chai';
import { makeZonedFormat, zoneLabel } from '../../../src/base/zoned-time.js';

describe('base/zoned-time', () => {
  const at = new Date('2026-12-02T17:02:59Z');
  const cases: { zone: string; time: string; label: string }[] = [
    { zone: 'UTC', time: '2026-12-02 17:02', label: 'UTC' },
    { zone: 'Asia/Jakarta', time: '2026-12-03 00:02', label: 'Asia/Jakarta (UTC+07:00)' },
    { zone: 'Asia/Makassar', time: '2026-12-03 01:02', label: 'Asia/Makassar (UTC+08:00)' },
    { zone: 'America/St_Johns', time: '2026-12-02 13:32', label: 'America/St_Johns (UTC-03:30)' },
    { zone: 'Europe/London', time: '2026-12-02 17:02', label: 'Europe/London (UTC+00:00)' },
  ];
  for (const c of cases) {
    it(`${c.zone}: ${c.time}, labelled ${c.label}`, () => {
      expect(makeZonedFormat(c.zone)(at)).to.equal(c.time);
      expect(zoneLabel(c.zone, at)).to.equal(c.label);
    });
  }
  it('a zone with summer time is labelled with the offset of the moment shown', () => {
    expect(zoneLabel('Europe/Berlin', new Date('2026-07-01T12:00:00Z'))).to.equal('Europe/Berlin (UTC+02:00)');
    expect(makeZonedFormat('Europe/Berlin')(new Date('2026-07-01T22:30:00Z'))).to.equal('2026-07-02 00:30');
  });
});
