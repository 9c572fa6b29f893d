import { expect } from 'chai';
import { makePrettyFormatter } from '../../../src/base/log-pretty.js';
import { resolveLogFormat } from '../../../src/base/log.js';

const line = (o: Record<string, unknown>) => JSON.stringify({ level: 'info', time: '2026-12-02T05:30:12.345Z', service: 'warta', ...o });

describe('base/log-pretty: log lines for a terminal', () => {
  const cases: { name: string; in: Record<string, unknown>; out: string }[] = [
    { name: 'a message with fields', in: { source: 'antara', httpStatus: 200, inserted: 3, msg: 'refresh updated' }, out: '12:30:12.345 INFO  refresh updated  source=antara httpStatus=200 inserted=3' },
    { name: 'strings that need quotes and objects; nulls left out', in: { level: 'warn', msg: 'refresh failed', error: { code: 'timeout', message: 'no answer' }, url: 'http://a.example/x y', held: null }, out: '12:30:12.345 WARN  refresh failed  error={"code":"timeout","message":"no answer"} url="http://a.example/x y"' },
    {
      name: 'a message carrying its problems: continuation lines indented, the list not repeated',
      in: { level: 'error', reason: 'SIGHUP', problems: ['/c/w.yaml:3:5: unknown key "max_item"'], msg: 'config reload rejected, the running config stays in force:\n/c/w.yaml:3:5: unknown key "max_item"' },
      out: '12:30:12.345 ERROR config reload rejected, the running config stays in force:  reason=SIGHUP\n    /c/w.yaml:3:5: unknown key "max_item"',
    },
    { name: 'a list the message does not carry is shown', in: { keys: ['server.listen'], level: 'warn', msg: 'these settings change only after a restart' }, out: '12:30:12.345 WARN  these settings change only after a restart  keys=["server.listen"]' },
    { name: 'an error: its message, then its stack', in: { level: 'error', msg: 're-tagging failed', err: { type: 'Error', message: 'disk I/O error', stack: 'Error: disk I/O error\n    at a (file.js:1:2)\n    at b (file.js:3:4)' } }, out: '12:30:12.345 ERROR re-tagging failed\n    Error: disk I/O error\n      at a (file.js:1:2)\n      at b (file.js:3:4)' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const format = makePrettyFormatter({ zone: 'Asia/Jakarta', color: false });
      format(line({ msg: 'first' })); // the day line comes once, before the first line of a day
      expect(format(line(c.in))).to.equal(`${c.out}\n`);
    });
  }

  it('prints a day line with the zone at the first line and when the date changes in that zone', () => {
    const format = makePrettyFormatter({ zone: 'Asia/Jakarta', color: false });
    expect(format(line({ msg: 'warta started' }))).to.equal('── 2026-12-02 · Asia/Jakarta (UTC+07:00) ──\n12:30:12.345 INFO  warta started\n');
    expect(format(line({ msg: 'same day', time: '2026-12-02T16:59:59.000Z' }))).to.equal('23:59:59.000 INFO  same day\n');
    expect(format(line({ msg: 'next day', time: '2026-12-02T17:00:00.000Z' }))).to.equal('── 2026-12-03 · Asia/Jakarta (UTC+07:00) ──\n00:00:00.000 INFO  next day\n');
  });

  it('colours the level when asked, and passes a line it cannot read through unchanged', () => {
    const format = makePrettyFormatter({ zone: 'UTC', color: true });
    expect(format(line({ level: 'error', msg: 'x' }))).to.include('\x1b[31mERROR\x1b[0m x');
    expect(format('not json\n')).to.equal('not json\n');
  });

  it('chooses pretty on a terminal and JSON elsewhere unless told', () => {
    const cases: [string | undefined, boolean, string][] = [[undefined, true, 'pretty'], [undefined, false, 'json'], ['json', true, 'json'], ['pretty', false, 'pretty']];
    for (const [given, tty, want] of cases) expect(resolveLogFormat(given, tty), `${given} tty=${tty}`).to.equal(want);
  });
});
