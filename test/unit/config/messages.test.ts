import { expect } from 'chai';
import { explainCron } from '../../../src/config/cron-explain.js';
import { closestName } from '../../../src/config/suggest.js';
import cron from 'node-cron';

describe('config: why a cron expression is invalid', () => {
  const cases: [expr: string, message: string][] = [
    ['0 25 * * *', 'hour 25 is out of range (0–23)'],
    ['60 * * * *', 'minute 60 is out of range (0–59)'],
    ['0 0 32 * *', 'day of month 32 is out of range (1–31)'],
    ['0 0 0 * *', 'day of month 0 is out of range (1–31)'],
    ['0 0 1 13 *', 'month 13 is out of range (1–12)'],
    ['0 0 * * 8', 'weekday 8 is out of range (0–7)'],
    ['61 0 * * * *', 'second 61 is out of range (0–59)'],
    ['0 9-25 * * *', 'hour 25 is out of range (0–23)'],
    ['0 1,2,99 * * *', 'hour 99 is out of range (0–23)'],
    ['*/0 * * * *', 'minute step "/0" must be a whole number of 1 or more'],
    ['0 0 * foo *', 'month "foo" is not a number or a name (jan…dec)'],
    ['0 0 * * funday', 'weekday "funday" is not a number or a name (sun…sat)'],
    ['0 0 * *', 'it has 4 fields; cron needs five fields: minute hour day-of-month month weekday, or six with seconds first'],
    ['every minute', 'it has 2 fields; cron needs five fields: minute hour day-of-month month weekday, or six with seconds first'],
    ['0 0 * * * * *', 'it has 7 fields; cron needs five fields: minute hour day-of-month month weekday, or six with seconds first'],
  ];
  for (const [expr, message] of cases) {
    it(`"${expr}" → ${message}`, () => {
      // Only expressions node-cron rejects are explained; the explanation must agree that they are wrong.
      expect(cron.validate(expr), 'node-cron accepts it').to.equal(false);
      expect(explainCron(expr)).to.equal(message);
    });
  }

  it('finds nothing wrong with expressions node-cron accepts', () => {
    for (const expr of ['*/15 * * * *', '0 6,18 * * 1-5', '0 0 1 jan,jul *', '30 4 * * sun', '*/10 * * * * *', '0 0 * * 7']) {
      expect(cron.validate(expr), expr).to.equal(true);
      expect(explainCron(expr), expr).to.match(/^five fields/);
    }
  });
});

describe('config: did you mean', () => {
  const keys = ['id', 'url', 'title', 'schedule', 'max_items', 'tags', 'from_categories'];
  const cases: [word: string, candidates: string[], expected: string | null][] = [
    ['max_item', keys, 'max_items'],
    ['maxitems', keys, 'max_items'],
    ['shcedule', keys, 'schedule'],
    ['tag', keys, 'tags'],
    ['colour', keys, null],
    ['x', keys, null],
    ['vivaa', ['viva', 'tempo-dunia'], 'viva'],
    ['antara-duina', ['antara-dunia', 'antara-dunia-2'], 'antara-dunia'],
    ['kompas', ['tempo', 'viva'], null],
  ];
  for (const [word, candidates, expected] of cases) {
    it(`${word} → ${expected}`, () => expect(closestName(word, candidates)).to.equal(expected));
  }
});
