/**
 * nodes: what lets several daemons share one store. A source is claimed for one poll per tick by one daemon,
 * under a lease that a dead daemon loses; host slots and pauses hold for all daemons together; jobs run on one
 * at a time. SQLite (one daemon per file) keeps the same rules, so one contract holds both.
 */
import { expect } from 'chai';
import type { ClaimRequest, Store } from '../../src/store/store.js';
import { at } from './fixtures.js';
import type { Harness } from './harness.js';

const T0 = at('2026-12-02T08:00:00Z');
const S = 1000;
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
/** A claim for the cron tick `tick`, asked at `now`, leased for 60 s. */
const forTick = (node: string, tick: Date, now = tick): ClaimRequest => ({ node, stamp: tick, notClaimedSince: tick, now, until: plus(now, 60 * S) });
const IDS = ['antara', 'kompas', 'tempo'];

export function describeNodes(h: Harness): void {
  describe('nodes: claims', () => {
    it('a tick grants each source once: a second daemon asking for the same tick gets none', async () => {
      expect((await h.store.nodes.claim(IDS, forTick('a', T0))).sort()).to.deep.equal(IDS);
      expect(await h.store.nodes.claim(IDS, forTick('b', T0, plus(T0, 5 * S)))).to.deep.equal([]);
    });

    it('released, the same tick stays polled; the next tick is granted to anyone', async () => {
      await h.store.nodes.claim(IDS, forTick('a', T0));
      await h.store.nodes.release('a', IDS);
      expect(await h.store.nodes.claim(IDS, forTick('b', T0, plus(T0, 10 * S)))).to.deep.equal([]);
      const next = plus(T0, 15 * 60 * S);
      expect((await h.store.nodes.claim(IDS, forTick('b', next))).sort()).to.deep.equal(IDS);
    });

    it('a live lease holds the source even for a later tick; only the holder releases it', async () => {
      await h.store.nodes.claim(['antara'], forTick('a', T0));
      const next = plus(T0, 30 * S);
      await h.store.nodes.release('b', ['antara']);
      expect(await h.store.nodes.claim(['antara'], forTick('b', next))).to.deep.equal([]);
      await h.store.nodes.release('a', ['antara']);
      expect(await h.store.nodes.claim(['antara'], forTick('b', next))).to.deep.equal(['antara']);
    });

    it("a daemon's own unreleased lease (its release never reached the database) does not keep it off its next tick", async () => {
      await h.store.nodes.claim(['antara'], forTick('a', T0));
      const next = plus(T0, 30 * S);
      expect(await h.store.nodes.claim(['antara'], forTick('b', next))).to.deep.equal([]);
      expect(await h.store.nodes.claim(['antara'], forTick('a', next))).to.deep.equal(['antara']);
    });

    it('a start-up claim (stamped now, refused when claimed within a window) skips what another daemon just polled', async () => {
      await h.store.nodes.claim(['antara'], forTick('a', T0));
      await h.store.nodes.release('a', ['antara']);
      const now = plus(T0, 20 * S);
      const startup = (node: string, t: Date): ClaimRequest => ({ node, stamp: t, notClaimedSince: plus(t, -60 * S), now: t, until: plus(t, 60 * S) });
      expect((await h.store.nodes.claim(IDS, startup('b', now))).sort()).to.deep.equal(['kompas', 'tempo']);
      await h.store.nodes.release('b', ['kompas', 'tempo']);
      // The cron tick that follows is after the start-up: it polls again.
      expect((await h.store.nodes.claim(IDS, forTick('c', plus(T0, 15 * 60 * S)))).sort()).to.deep.equal(IDS);
    });

    it("a dead daemon's unreleased claims are taken over once their lease ended, never before", async () => {
      await h.store.nodes.claim(['antara', 'kompas'], { ...forTick('a', T0), until: plus(T0, 10 * S) });
      await h.store.nodes.release('a', ['kompas']);
      expect(await h.store.nodes.takeExpired('b', plus(T0, 9 * S), plus(T0, 70 * S), 100)).to.deep.equal([]);
      expect(await h.store.nodes.takeExpired('b', plus(T0, 10 * S), plus(T0, 70 * S), 100)).to.deep.equal(['antara']);
      // Now b's: neither a late release by a nor another sweep moves it.
      await h.store.nodes.release('a', ['antara']);
      expect(await h.store.nodes.takeExpired('c', plus(T0, 20 * S), plus(T0, 80 * S), 100)).to.deep.equal([]);
      expect(await h.store.nodes.claim(['antara'], forTick('c', plus(T0, 60 * S), plus(T0, 60 * S)))).to.deep.equal([]);
    });

    it('takeExpired takes at most `limit`, the longest expired first', async () => {
      for (const [i, id] of IDS.entries()) await h.store.nodes.claim([id], { ...forTick('a', T0), until: plus(T0, (3 - i) * S) });
      expect((await h.store.nodes.takeExpired('b', plus(T0, 5 * S), plus(T0, 65 * S), 2)).sort()).to.deep.equal(['kompas', 'tempo']);
    });

    it('a heartbeat extends every lease of its daemon and counts them', async () => {
      await h.store.nodes.claim(['antara', 'kompas'], { ...forTick('a', T0), until: plus(T0, 10 * S) });
      await h.store.nodes.claim(['tempo'], { ...forTick('b', T0), until: plus(T0, 10 * S) });
      expect(await h.store.nodes.heartbeat({ node: 'a', fingerprint: 'f1', now: plus(T0, 5 * S), until: plus(T0, 40 * S) })).to.equal(2);
      expect(await h.store.nodes.takeExpired('c', plus(T0, 30 * S), plus(T0, 90 * S), 100)).to.deep.equal(['tempo']);
    });

    it('a heartbeat forgets daemons whose own heartbeat ended before forgetBefore, and only those', async () => {
      await h.store.nodes.heartbeat({ node: 'killed', fingerprint: 'f1', now: T0, until: plus(T0, 60 * S) });
      await h.store.nodes.heartbeat({ node: 'stalled', fingerprint: 'f1', now: plus(T0, 100 * S), until: plus(T0, 160 * S) });
      await h.store.nodes.heartbeat({ node: 'a', fingerprint: 'f1', now: plus(T0, 700 * S), until: plus(T0, 760 * S), forgetBefore: plus(T0, 100 * S) });
      // Asked as of T0, every entry left would be listed.
      expect((await h.store.nodes.peers(T0)).map((p) => p.node)).to.deep.equal(['a', 'stalled']);
      // Its own entry stays, whatever forgetBefore says.
      await h.store.nodes.heartbeat({ node: 'a', fingerprint: 'f1', now: plus(T0, 720 * S), until: plus(T0, 780 * S), forgetBefore: plus(T0, 10_000 * S) });
      expect((await h.store.nodes.peers(T0)).map((p) => p.node)).to.deep.equal(['a']);
    });

    it('peers: daemons whose heartbeat lasts, with their rules; leave() releases everything and removes the daemon', async () => {
      await h.store.nodes.heartbeat({ node: 'a', fingerprint: 'f1', now: T0, until: plus(T0, 60 * S) });
      await h.store.nodes.heartbeat({ node: 'b', fingerprint: 'f2', now: T0, until: plus(T0, 10 * S) });
      expect(await h.store.nodes.peers(plus(T0, 5 * S))).to.deep.equal([
        { node: 'a', fingerprint: 'f1' },
        { node: 'b', fingerprint: 'f2' },
      ]);
      expect(await h.store.nodes.peers(plus(T0, 20 * S))).to.deep.equal([{ node: 'a', fingerprint: 'f1' }]);
      await h.store.nodes.claim(['antara'], forTick('a', T0));
      expect(await h.store.nodes.acquireHost('antaranews.com', 'a', 1, T0, plus(T0, 60 * S))).to.deep.equal({ slot: 0 });
      await h.store.nodes.leave('a');
      expect(await h.store.nodes.peers(plus(T0, 5 * S))).to.deep.equal([{ node: 'b', fingerprint: 'f2' }]);
      expect(await h.store.nodes.claim(['antara'], forTick('b', plus(T0, 60 * S)))).to.deep.equal(['antara']);
      expect(await h.store.nodes.acquireHost('antaranews.com', 'b', 1, T0, plus(T0, 60 * S))).to.deep.equal({ slot: 0 });
    });
  });

  describe('nodes: hosts', () => {
    const until = plus(T0, 60 * S);
    it('hands out `slots` slots of a host across daemons, then none until one is released', async () => {
      expect(await h.store.nodes.acquireHost('kompas.com', 'a', 2, T0, until)).to.deep.equal({ slot: 0 });
      expect(await h.store.nodes.acquireHost('kompas.com', 'b', 2, T0, until)).to.deep.equal({ slot: 1 });
      expect(await h.store.nodes.acquireHost('kompas.com', 'c', 2, T0, until)).to.deep.equal({ slot: null, pausedUntil: null });
      expect(await h.store.nodes.acquireHost('tempo.co', 'c', 2, T0, until)).to.deep.equal({ slot: 0 });
      await h.store.nodes.releaseHost('kompas.com', 1, 'a'); // not a's: stays held
      expect(await h.store.nodes.acquireHost('kompas.com', 'c', 2, T0, until)).to.deep.equal({ slot: null, pausedUntil: null });
      await h.store.nodes.releaseHost('kompas.com', 1, 'b');
      expect(await h.store.nodes.acquireHost('kompas.com', 'c', 2, T0, until)).to.deep.equal({ slot: 1 });
    });

    it("a dead daemon's slot is free once its lease ended", async () => {
      await h.store.nodes.acquireHost('kompas.com', 'a', 1, T0, plus(T0, 10 * S));
      expect((await h.store.nodes.acquireHost('kompas.com', 'b', 1, plus(T0, 9 * S), until)).slot).to.equal(null);
      expect(await h.store.nodes.acquireHost('kompas.com', 'b', 1, plus(T0, 10 * S), until)).to.deep.equal({ slot: 0 });
    });

    it('a paused host gives no slot to anyone until the pause ends; a shorter pause never shortens it', async () => {
      await h.store.nodes.pauseHost('kompas.com', plus(T0, 120 * S));
      await h.store.nodes.pauseHost('kompas.com', plus(T0, 30 * S));
      expect(await h.store.nodes.acquireHost('kompas.com', 'b', 2, plus(T0, 60 * S), until)).to.deep.equal({ slot: null, pausedUntil: plus(T0, 120 * S) });
      expect(await h.store.nodes.acquireHost('tempo.co', 'b', 2, plus(T0, 60 * S), until)).to.deep.equal({ slot: 0 });
      expect(await h.store.nodes.acquireHost('kompas.com', 'b', 2, plus(T0, 120 * S), plus(T0, 180 * S))).to.deep.equal({ slot: 0 });
    });

    it('hostPauses: every daemon reads the pauses still running, whoever recorded them', async () => {
      const other: Store = h.store.nodes.shared && h.canReopen ? await h.reopen() : h.store;
      await h.store.nodes.pauseHost('kompas.com', plus(T0, 120 * S));
      await h.store.nodes.pauseHost('tempo.co', plus(T0, 30 * S));
      expect(await other.nodes.hostPauses(plus(T0, 60 * S))).to.deep.equal(new Map([['kompas.com', plus(T0, 120 * S)]]));
      expect(await other.nodes.hostPauses(plus(T0, 120 * S))).to.deep.equal(new Map());
    });
  });

  describe('nodes: jobs', () => {
    // On SQLite one daemon runs per file (the daemon lock): its jobs compete within that process only.
    it('exclusive: one holder at a time (on a shared store, another store on the same data included), free again after release', async () => {
      const other: Store = h.store.nodes.shared && h.canReopen ? await h.reopen() : h.store;
      const lock = await h.store.nodes.exclusive('retag');
      expect(lock).to.not.equal(null);
      expect(await other.nodes.exclusive('retag')).to.equal(null);
      const retention = await other.nodes.exclusive('retention');
      expect(retention).to.not.equal(null);
      await lock!.release();
      const again = await other.nodes.exclusive('retag');
      expect(again).to.not.equal(null);
      await again!.release();
      await retention!.release();
    });

    it('claims racing from two stores on the same data: every source granted exactly once', async function () {
      const other: Store = h.canReopen ? await h.reopen() : h.store;
      const ids = Array.from({ length: 60 }, (_, i) => `src-${i}`);
      const [a, b] = await Promise.all([h.store.nodes.claim(ids, forTick('a', T0)), other.nodes.claim(ids, forTick('b', T0))]);
      expect(a.filter((id) => b.includes(id))).to.deep.equal([]);
      expect([...a, ...b].sort()).to.deep.equal([...ids].sort());
    });
  });
}
