/**
 * Leases go by the database's clock (issue 14): two daemons' claims (src/schedule/claims.ts) on two stores over
 * one schema of the server at 127.0.0.1:5432, one of them on a machine whose clock is ten minutes off. Ahead, it
 * must not take over the live daemon's sources at its heartbeat; behind, the leases it takes must not look ended
 * to the other daemon. Each case also runs the skewed daemon on its own clock (no database clock), and sees the
 * steal happen there, so the case shows what the database clock prevents. Pending, with the reason, where no
 * PostgreSQL answers.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { makeClaims, makeDatabaseClock } from '../../src/schedule/claims.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { pendingWithoutPostgres, testSchema } from '../helpers/postgres.js';

const LEASE_MS = 60_000;
const SKEW_MS = 10 * 60_000;
const log = pino({ level: 'silent' });

describe('leases on a shared PostgreSQL database follow its clock, not a skewed daemon\'s', function () {
  this.timeout(30_000);
  let schema: Awaited<ReturnType<typeof testSchema>> | null = null;
  let stores: Store[] = [];

  before(async function () {
    await pendingWithoutPostgres(this);
  });
  beforeEach(async () => {
    schema = await testSchema();
    stores = [await openStore({ path: 'unused.db', url: schema.url, poolSize: 2 }), await openStore({ path: 'unused.db', url: schema.url, poolSize: 2 })];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await schema?.drop();
  });

  /** A daemon's claims on `store`, its machine's clock `skewMs` off; `databaseClock` false: leases by that clock. */
  function daemon(store: Store, node: string, skewMs: number, databaseClock: boolean) {
    const local = () => new Date(Date.now() + skewMs);
    const clock = makeDatabaseClock(store.nodes, local, log);
    const takenOver: string[] = [];
    const claims = makeClaims({
      nodes: store.nodes, node, leaseMs: LEASE_MS, startupWindowMs: () => 0, fingerprint: () => 'f', log,
      now: databaseClock ? clock.now : local,
      syncClock: databaseClock ? clock.sync : undefined,
      onTakenOver: (ids) => takenOver.push(...ids),
    });
    return { claims, clock, takenOver };
  }

  for (const databaseClock of [true, false]) {
    it(`a daemon ten minutes ahead ${databaseClock ? 'does not take over' : 'on its own clock takes over'} a live daemon's sources`, async () => {
      const live = daemon(stores[0]!, 'live', 0, databaseClock);
      await live.claims.start();
      expect(await live.claims.take(['antara', 'kompas'], 'startup')).to.deep.equal(['antara', 'kompas']);
      const ahead = daemon(stores[1]!, 'ahead', SKEW_MS, databaseClock);
      await ahead.claims.start(); // its first heartbeat looks for ended leases
      if (databaseClock) {
        expect(Math.abs(ahead.clock.offsetMs() + SKEW_MS), 'measured offset vs the skew (ms)').to.be.lessThan(5000);
        expect(ahead.takenOver).to.deep.equal([]);
        expect(await ahead.claims.take(['antara'], 'startup')).to.deep.equal([]);
        // The live daemon still sees it alive, with its rules.
        expect((await stores[0]!.nodes.peers(new Date())).map((p) => p.node)).to.deep.equal(['ahead', 'live']);
      } else {
        expect(ahead.takenOver.sort()).to.deep.equal(['antara', 'kompas']);
      }
      await ahead.claims.stop();
      await live.claims.stop();
    });

    it(`a daemon ten minutes behind ${databaseClock ? 'holds' : 'on its own clock loses'} its leases against a live daemon`, async () => {
      const behind = daemon(stores[1]!, 'behind', -SKEW_MS, databaseClock);
      await behind.claims.start();
      expect(await behind.claims.take(['tempo'], 'startup')).to.deep.equal(['tempo']);
      const other = daemon(stores[0]!, 'other', 0, databaseClock);
      await other.claims.start();
      if (databaseClock) {
        expect(other.takenOver).to.deep.equal([]);
        expect(await other.claims.take(['tempo'], 'startup')).to.deep.equal([]);
        // Its daemon is alive as the others see it, so it still counts in a re-tag's agreement.
        expect((await stores[0]!.nodes.peers(new Date())).map((p) => p.node)).to.include('behind');
      } else {
        expect(other.takenOver).to.deep.equal(['tempo']);
      }
      await other.claims.stop();
      await behind.claims.stop();
    });
  }
});
