import { expect } from 'chai';
import { nextRunOf } from '../../../src/schedule/scheduler.js';

describe('scheduler: nextRunOf (admin views of held-back sources)', () => {
  const minute = 60_000;
  const cases: [string, string, number, (t: Date, notBefore: Date) => boolean][] = [
    ['every 15 minutes, from now', '*/15 * * * *', 0, (t, nb) => t >= nb && t.getTime() - nb.getTime() <= 15 * minute && t.getUTCMinutes() % 15 === 0],
    ['every minute, held for a day (the longest backoff)', '* * * * *', 24 * 60 * minute, (t, nb) => t >= nb && t.getTime() - nb.getTime() <= minute],
    ['hourly at :07, held for 3 hours', '7 * * * *', 3 * 60 * minute, (t, nb) => t >= nb && t.getTime() - nb.getTime() <= 60 * minute && t.getUTCMinutes() === 7],
    ['a time in the past asks for the next run', '*/5 * * * *', -60 * minute, (t) => t.getTime() > Date.now() && t.getTime() - Date.now() <= 5 * minute],
  ];
  for (const [name, schedule, ahead, ok] of cases) {
    it(name, () => {
      const notBefore = new Date(Date.now() + ahead);
      const t = nextRunOf(schedule, 'UTC', notBefore);
      expect(t, 'a run').to.be.instanceOf(Date);
      expect(ok(t!, notBefore), `${t!.toISOString()} for not before ${notBefore.toISOString()}`).to.equal(true);
    });
  }

  it('gives up past 2,048 runs rather than searching for ever', () => {
    expect(nextRunOf('* * * * *', 'UTC', new Date(Date.now() + 3 * 24 * 60 * minute))).to.equal(null);
  });

  it('gives the same answer a second time, at once (worked out once per hold)', () => {
    const notBefore = new Date(Date.now() + 20 * 60 * minute);
    const first = nextRunOf('* * * * *', 'Asia/Jakarta', notBefore);
    // The very same Date: remembered, not walked again through 1,200 runs.
    expect(nextRunOf('* * * * *', 'Asia/Jakarta', notBefore)).to.equal(first);
    expect(first!.getTime() - notBefore.getTime()).to.be.within(0, minute);
  });
});
