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

describe('scheduler: polls wait their turn in the scheduler, not all in the gate', () => {
  const outcome = (sourceId: string): RefreshOutcome => ({
    sourceId, result: 'updated', httpStatus: 200, inserted: 0, updated: 0, error: null, skipped: null, retryAfter: null, url: null, bytes: 0, parseMs: 0, durationMs: 0,
  });

  function setup(opts: { concurrency: () => number; perHost: () => number; stalled: string }) {
    let release!: () => void;
    const stall = new Promise<void>((r) => (release = r));
    const polls: { id: string; why: string }[] = [];
    const idle: number[] = [];
    let inGate = 0;
    let mostInGate = 0;
    const inHost = new Map<string, number>();
    let mostInHost = 0;
    // The gate alone would take every poll at once (they would wait in its queues): the scheduler bounds them.
    const gate = makeHostGate({ perHost: 64, concurrency: 64, pauseMaxMs: 60_000, now: () => new Date() });
    const counted: typeof gate = {
      ...gate,
      run: (url, fn, o) => {
        mostInGate = Math.max(mostInGate, ++inGate);
        return gate.run(url, fn, o).finally(() => inGate--);
      },
    };
    const scheduler = makeScheduler({
      refresh: async (s) => {
        const host = new URL(s.url).hostname;
        inHost.set(host, (inHost.get(host) ?? 0) + 1);
        mostInHost = Math.max(mostInHost, inHost.get(host)!);
        if (host === opts.stalled) await stall;
        else await new Promise((r) => setImmediate(r));
        inHost.set(host, inHost.get(host)! - 1);
        return outcome(s.id);
      },
      gate: counted,
      log: pino({ level: 'silent' }),
      timezone: 'UTC',
      jitterMs: 0,
      concurrency: opts.concurrency,
      perHost: opts.perHost,
      onOutcome: (s, _o, why) => void polls.push({ id: s.id, why }),
      onIdle: (n) => void idle.push(n),
    });
    return { scheduler, polls, idle, release, most: () => ({ inGate: mostInGate, inHost: mostInHost }), started: () => [...inHost.values()].reduce((a, b) => a + b, 0) };
  }
  const sources = (host: string, n: number, schedule = '0 0 1 1 *') => Array.from({ length: n }, (_, i) => ({ id: `${host}${i}`, url: `http://${host}.example/${i}`, schedule }));

  it('start-up: at most `concurrency` in the gate (`perHost` per host), other hosts pass a stalled one, every source polled once', async () => {
    // The stalled host first in config order, with more sources than the whole window.
    const list = [...sources('slow', 20), ...sources('b', 15), ...sources('c', 15)];
    const { scheduler, polls, idle, release, most } = setup({ concurrency: () => 6, perHost: () => 2, stalled: 'slow.example' });
    try {
      await scheduler.start(list);
      await waitFor(() => polls.length === 30, { what: 'the 30 sources of the answering hosts polled', details: () => polls.map((p) => p.id).join(' ') });
      expect(polls.filter((p) => p.id.startsWith('slow')), 'nothing of the stalled host yet').to.deep.equal([]);
      expect(scheduler.pending(), "the stalled host's 20 still count as pending").to.equal(20);
      expect(idle, 'no idle report mid-poll').to.deep.equal([]);
      release();
      await waitFor(() => idle.length === 1, { what: 'the end of the start-up poll (onIdle)' });
      expect(polls.map((p) => p.id).sort()).to.deep.equal(list.map((s) => s.id).sort());
      expect(polls.every((p) => p.why === 'startup')).to.equal(true);
      expect(idle, 'one burst of all 50').to.deep.equal([50]);
      expect(most().inGate, 'polls in the gate at once').to.be.at.most(6);
      expect(most().inHost, 'polls of one host at once').to.equal(2);
    } finally {
      await scheduler.stop();
    }
  });

  it('a cron tick of many sources: the same bounds, and a source still waiting is not queued twice', async () => {
    const list = [...sources('slow', 10, '* * * * * *'), ...sources('b', 10, '* * * * * *')];
    const { scheduler, polls, release, most } = setup({ concurrency: () => 4, perHost: () => 2, stalled: 'slow.example' });
    try {
      await scheduler.start(list);
      // b's sources poll at start-up and again on ticks while the slow host's wait: its two running, the rest queued once.
      // Two ticks at least: b0 polled by two of them.
      await waitFor(() => polls.filter((p) => p.why === 'cron' && p.id === 'b0').length >= 2, { what: 'two cron polls of b0 while slow stalls', timeoutMs: 10_000 });
      expect(polls.filter((p) => p.id.startsWith('slow')), 'nothing of the stalled host yet').to.deep.equal([]);
      // Each source waiting or running once, whatever the ticks: slow's 2 running and 8 waiting, b's at most 10.
      expect(scheduler.pending(), 'refreshes queued or running').to.be.within(10, 20);
      expect(most().inGate).to.be.at.most(4);
      expect(most().inHost).to.be.at.most(2);
    } finally {
      release();
      await scheduler.stop();
    }
  });

  it('a reload that widens fetch.concurrency and per_host starts more of the waiting polls at once', async () => {
    // One host that never answers until released: with 2 per host only 2 start; the reload allows 5.
    let concurrency = 4;
    let perHost = 2;
    const list = sources('slow', 12);
    const { scheduler, polls, release, most, started } = setup({ concurrency: () => concurrency, perHost: () => perHost, stalled: 'slow.example' });
    try {
      await scheduler.start(list);
      await waitFor(() => started() === 2, { what: 'the first 2 polls of the stalled host started' });
      concurrency = 8;
      perHost = 5;
      scheduler.reschedule(list, 'UTC');
      await waitFor(() => started() === 5, { what: '5 polls of the stalled host running after the reload', details: () => `${started()} started` });
      expect(most().inHost, 'polls of one host at once after the reload').to.equal(5);
      expect(scheduler.pending(), 'the other 7 still waiting or running').to.equal(12);
      expect(polls, 'none finished: the host stalls').to.deep.equal([]);
    } finally {
      release();
      await scheduler.stop();
    }
  });
});
