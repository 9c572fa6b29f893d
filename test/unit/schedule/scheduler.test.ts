import { expect } from 'chai';
import { pino } from 'pino';
import { makeScheduler, nextRunOf } from '../../../src/schedule/scheduler.js';
import { makeHostGate } from '../../../src/schedule/host-gate.js';
import type { RefreshOutcome } from '../../../src/pipeline/refresh.js';
import { waitFor } from '../../helpers/wait.js';

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

describe('scheduler: one cron task per schedule, ticking for every source on it', () => {
  const outcome = (sourceId: string): RefreshOutcome => ({
    sourceId, result: 'not_modified', httpStatus: 304, inserted: 0, updated: 0, error: null, skipped: null, retryAfter: null, url: null, bytes: 0, parseMs: 0, durationMs: 0,
  });
  function setup(jitterMs: number) {
    const polls: { id: string; why: string }[] = [];
    const idle: number[] = [];
    const scheduler = makeScheduler({
      refresh: async (s) => outcome(s.id),
      gate: makeHostGate({ perHost: 4, concurrency: 4, pauseMaxMs: 60_000, now: () => new Date() }),
      log: pino({ level: 'silent' }),
      timezone: 'UTC',
      jitterMs,
      onOutcome: (s, _o, why) => void polls.push({ id: s.id, why }),
      onIdle: (n) => void idle.push(n),
    });
    return { polls, idle, scheduler };
  }
  const everySecond = '* * * * * *';
  const yearly = '0 0 1 1 *';

  for (const jitterMs of [0, 200]) {
    it(`every source on a ticking schedule polls on its tick, the others do not (jitter ${jitterMs} ms)`, async () => {
      const { polls, scheduler } = setup(jitterMs);
      try {
        scheduler.start([
          { id: 'a', url: 'http://127.0.0.1:9/a', schedule: everySecond },
          { id: 'b', url: 'http://127.0.0.1:9/b', schedule: everySecond },
          { id: 'c', url: 'http://127.0.0.1:9/c', schedule: yearly },
        ]);
        await waitFor(() => ['a', 'b'].every((id) => polls.some((p) => p.id === id && p.why === 'cron')), { what: 'a cron poll of a and of b' });
        expect(polls.filter((p) => p.why === 'startup').map((p) => p.id).sort()).to.deep.equal(['a', 'b', 'c']);
        expect(polls.filter((p) => p.id === 'c' && p.why === 'cron')).to.deep.equal([]);
        expect(scheduler.nextTick('a')!.getTime() - Date.now()).to.be.within(-1000, 1000);
        expect(scheduler.nextTick('c')!.toISOString()).to.match(/-01-01T00:00:00\.000Z$/);
        expect(scheduler.nextTick('nobody')).to.equal(null);
      } finally {
        await scheduler.stop();
      }
    });
  }

  it('a reschedule moves a source to its new schedule and polls only new sources at once', async () => {
    const { polls, idle, scheduler } = setup(0);
    try {
      scheduler.start([{ id: 'a', url: 'http://127.0.0.1:9/a', schedule: yearly }, { id: 'b', url: 'http://127.0.0.1:9/b', schedule: yearly }]);
      await waitFor(() => idle.length === 1, { what: 'the end of the start-up burst (onIdle)' });
      expect(idle, 'one burst of two refreshes').to.deep.equal([2]);
      scheduler.reschedule([{ id: 'a', url: 'http://127.0.0.1:9/a', schedule: everySecond }, { id: 'b', url: 'http://127.0.0.1:9/b', schedule: yearly }, { id: 'n', url: 'http://127.0.0.1:9/n', schedule: yearly }], 'UTC');
      await waitFor(() => polls.some((p) => p.id === 'a' && p.why === 'cron'), { what: 'a cron poll of a on its new schedule' });
      expect(polls.filter((p) => p.why === 'added').map((p) => p.id)).to.deep.equal(['n']);
    } finally {
      await scheduler.stop();
    }
    const after = polls.length;
    expect(scheduler.nextTick('a')).to.equal(null);
    await new Promise((r) => setTimeout(r, 1500)); // the thing under test: no tick after stop
    expect(polls.length).to.equal(after);
  });
});

describe('scheduler: the start-up poll of many sources', () => {
  const outcome = (sourceId: string): RefreshOutcome => ({
    sourceId, result: 'updated', httpStatus: 200, inserted: 0, updated: 0, error: null, skipped: null, retryAfter: null, url: null, bytes: 0, parseMs: 0, durationMs: 0,
  });

  it('keeps at most startupBatch polls queued or running (at most startupPerHost per host), lets other hosts pass a stalled one, and polls every source once', async () => {
    // Host "slow" answers only when released; "b" and "c" at once. 20 + 15 + 15 sources, in config order slow first.
    const list = [
      ...Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, url: `http://slow.example/${i}`, schedule: '0 0 1 1 *' })),
      ...Array.from({ length: 15 }, (_, i) => ({ id: `b${i}`, url: `http://b.example/${i}`, schedule: '0 0 1 1 *' })),
      ...Array.from({ length: 15 }, (_, i) => ({ id: `c${i}`, url: `http://c.example/${i}`, schedule: '0 0 1 1 *' })),
    ];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const polled: string[] = [];
    const idle: number[] = [];
    let mostPending = 0;
    const inHost = new Map<string, number>();
    let mostInHost = 0;
    const scheduler = makeScheduler({
      refresh: async (s) => {
        const host = new URL(s.url).hostname;
        mostPending = Math.max(mostPending, scheduler.pending());
        inHost.set(host, (inHost.get(host) ?? 0) + 1);
        mostInHost = Math.max(mostInHost, inHost.get(host)!);
        if (host === 'slow.example') await slow;
        else await new Promise((r) => setImmediate(r));
        inHost.set(host, inHost.get(host)! - 1);
        polled.push(s.id);
        return outcome(s.id);
      },
      // The gate would let all 50 queue (they wait in it): the scheduler is what bounds them now.
      gate: makeHostGate({ perHost: 8, concurrency: 8, pauseMaxMs: 60_000, now: () => new Date() }),
      log: pino({ level: 'silent' }),
      timezone: 'UTC',
      jitterMs: 0,
      startupBatch: 6,
      startupPerHost: 2,
      onIdle: (n) => void idle.push(n),
    });
    try {
      await scheduler.start(list);
      // While the slow host holds its two, every source of the other hosts is polled.
      await waitFor(() => polled.length === 30, { what: 'the 30 sources of the answering hosts polled', details: () => polled.join(' ') });
      expect(polled.filter((id) => id.startsWith('s')), 'nothing of the stalled host yet').to.deep.equal([]);
      expect(scheduler.pending(), 'only the stalled host\'s share waits').to.equal(2);
      expect(idle, 'no idle report mid-poll').to.deep.equal([]);
      release();
      await waitFor(() => idle.length === 1, { what: 'the end of the start-up poll (onIdle)' });
      expect([...polled].sort()).to.deep.equal(list.map((s) => s.id).sort());
      expect(idle, 'one burst of all 50').to.deep.equal([50]);
      expect(mostPending, 'polls queued or running at once').to.be.at.most(6);
      expect(mostInHost, 'polls of one host at once').to.equal(2);
    } finally {
      await scheduler.stop();
    }
  });
});
