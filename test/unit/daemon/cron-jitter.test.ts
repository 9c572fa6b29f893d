import { expect } from 'chai';
import { CRON_JITTER_ENV, cronJitterMs } from '../../../src/main.js';

// The bench-only spread of cron ticks: a number ≥ 0 or the default; anything else is refused at start, not read as NaN.
describe('daemon: the cron jitter bench switch', () => {
  const cases: [string | undefined, number | 'throws'][] = [
    [undefined, 20_000],
    ['0', 0],
    ['250', 250],
    [' 1500 ', 1500],
    ['', 'throws'],
    ['abc', 'throws'],
    ['-5', 'throws'],
    ['Infinity', 'throws'],
  ];
  for (const [raw, want] of cases) {
    it(`${CRON_JITTER_ENV}=${JSON.stringify(raw)} → ${want}`, () => {
      const env = raw === undefined ? {} : { [CRON_JITTER_ENV]: raw };
      if (want === 'throws') expect(() => cronJitterMs(env)).to.throw(CRON_JITTER_ENV);
      else expect(cronJitterMs(env)).to.equal(want);
    });
  }
});
