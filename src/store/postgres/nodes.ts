/**
 * Several daemons on one database (NodeStore in store.ts). Each operation is one statement on the pool, in its
 * own transaction, except `exclusive`, which holds a session advisory lock on a connection of its own (the
 * server drops it when that connection ends, so a job of a daemon that died is free for another at once).
 * Claims use UPDATE … WHERE key IN (SELECT … FOR UPDATE SKIP LOCKED): two daemons claiming the same source at
 * the same moment never wait for each other, and the loser simply does not get it.
 */
import type pg from 'pg';
import { WartaError } from '../../base/errors.js';
import type { ClaimRequest, HostSlot, JobLock, NodeBeat, NodeStore } from '../store.js';
import { storageError } from './errors.js';
import { JOB_LOCKS } from './locks.js';
import { statement } from './statement.js';

const ensureClaims = statement('claims_ensure', 'INSERT INTO source_claims (source_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING');
// Granted where nobody else's lease is live and no claim for this tick (or a later one) was made. A lease of the
// asking daemon's own is one whose release did not reach the database (it was down): the daemon asks only for
// sources it is not polling, and its heartbeat would otherwise renew that lease for ever.
const claim = statement(
  'claims_take',
  `UPDATE source_claims SET claimed_by = $2, lease_until = $3, stamp = $4
    WHERE source_id IN (SELECT source_id FROM source_claims
                         WHERE source_id = ANY($1::text[])
                           AND (claimed_by IS NULL OR claimed_by = $2 OR lease_until <= $5)
                           AND (stamp IS NULL OR stamp < $6)
                           FOR UPDATE SKIP LOCKED)
    RETURNING source_id`,
);
const release = statement('claims_release', 'UPDATE source_claims SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1 AND source_id = ANY($2::text[])');
const takeExpired = statement(
  'claims_take_expired',
  `UPDATE source_claims SET claimed_by = $1, lease_until = $2
    WHERE source_id IN (SELECT source_id FROM source_claims
                         WHERE claimed_by IS NOT NULL AND lease_until <= $3
                         ORDER BY lease_until LIMIT $4 FOR UPDATE SKIP LOCKED)
    RETURNING source_id`,
);
// One round trip: the daemon's entry, its source leases and its host slots move together, and the entries of
// daemons dead for long go (their claims and slots were free once their leases ended; only the row stayed).
const heartbeat = statement(
  'nodes_heartbeat',
  `WITH n AS (INSERT INTO nodes (node, fingerprint, started_at, lease_until) VALUES ($1, $2, $3, $4)
              ON CONFLICT (node) DO UPDATE SET fingerprint = excluded.fingerprint, lease_until = excluded.lease_until),
        h AS (UPDATE host_slots SET lease_until = $4 WHERE node = $1),
        f AS (DELETE FROM nodes WHERE lease_until < $5 AND node <> $1)
   UPDATE source_claims SET lease_until = $4 WHERE claimed_by = $1 RETURNING source_id`,
);
const peers = statement('nodes_peers', 'SELECT node, fingerprint FROM nodes WHERE lease_until > $1 ORDER BY node');
const leave = statement(
  'nodes_leave',
  `WITH c AS (UPDATE source_claims SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1),
        h AS (UPDATE host_slots SET node = NULL, lease_until = NULL WHERE node = $1)
   DELETE FROM nodes WHERE node = $1`,
);
const ensureSlots = statement('hosts_ensure', 'INSERT INTO host_slots (host, slot) SELECT $1, generate_series(0, $2 - 1) ON CONFLICT DO NOTHING');
// The pause is read in the same statement, so a paused host hands out no slot.
const acquireHost = statement(
  'hosts_acquire',
  `WITH p AS (SELECT until FROM host_pauses WHERE host = $1 AND until > $5),
        s AS (UPDATE host_slots SET node = $2, lease_until = $3
               WHERE (host, slot) IN (SELECT host, slot FROM host_slots
                                       WHERE host = $1 AND slot < $4 AND (node IS NULL OR lease_until <= $5)
                                         AND NOT EXISTS (SELECT 1 FROM p)
                                       ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING slot)
   SELECT (SELECT slot FROM s) AS slot, (SELECT until FROM p) AS paused`,
);
const releaseHost = statement('hosts_release', 'UPDATE host_slots SET node = NULL, lease_until = NULL WHERE host = $1 AND slot = $2 AND node = $3');
const clock = statement('nodes_clock', 'SELECT clock_timestamp() AS now');
const hostPauses = statement('hosts_paused', 'SELECT host, until FROM host_pauses WHERE until > $1');
const pauseHost = statement(
  'hosts_pause',
  'INSERT INTO host_pauses (host, until) VALUES ($1, $2) ON CONFLICT (host) DO UPDATE SET until = greatest(host_pauses.until, excluded.until)',
);

/** The NodeStore of a PostgreSQL store over `pool`; `guard` throws once the store is closed. */
export function makePostgresNodes(pool: pg.Pool, location: string, guard: () => void): NodeStore {
  // Rows this store created (or found) already: claims and slots need their row once per process.
  const knownSources = new Set<string>();
  const knownHosts = new Map<string, number>();
  async function run<T>(fn: () => Promise<T>): Promise<T> {
    guard();
    try {
      return await fn();
    } catch (err) {
      throw storageError(err, location);
    }
  }

  return {
    shared: true,
    claim: (ids, c: ClaimRequest) =>
      run(async () => {
        const missing = ids.filter((id) => !knownSources.has(id));
        if (missing.length > 0) {
          await ensureClaims(pool, [missing]);
          for (const id of missing) knownSources.add(id);
        }
        const { rows } = await claim<{ source_id: string }>(pool, [ids, c.node, c.until, c.stamp, c.now, c.notClaimedSince]);
        return rows.map((r) => r.source_id);
      }),
    release: (node, ids) => run(async () => void (await release(pool, [node, ids]))),
    takeExpired: (node, now, until, limit) =>
      run(async () => (await takeExpired<{ source_id: string }>(pool, [node, until, now, limit])).rows.map((r) => r.source_id)),
    heartbeat: (b: NodeBeat) => run(async () => (await heartbeat(pool, [b.node, b.fingerprint, b.now, b.until, b.forgetBefore ?? null])).rowCount ?? 0),
    peers: (now) => run(async () => (await peers<{ node: string; fingerprint: string | null }>(pool, [now])).rows),
    leave: (node) => run(async () => void (await leave(pool, [node]))),
    acquireHost: (host, node, slots, now, until) =>
      run(async (): Promise<HostSlot> => {
        if ((knownHosts.get(host) ?? 0) < slots) {
          await ensureSlots(pool, [host, slots]);
          knownHosts.set(host, slots);
        }
        const row = (await acquireHost<{ slot: number | null; paused: Date | null }>(pool, [host, node, until, slots, now])).rows[0]!;
        return row.slot !== null ? { slot: row.slot } : { slot: null, pausedUntil: row.paused };
      }),
    releaseHost: (host, slot, node) => run(async () => void (await releaseHost(pool, [host, slot, node]))),
    pauseHost: (host, until) => run(async () => void (await pauseHost(pool, [host, until]))),
    clock: () => run(async () => (await clock<{ now: Date }>(pool, [])).rows[0]!.now),
    hostPauses: (now) =>
      run(async () => new Map((await hostPauses<{ host: string; until: Date }>(pool, [now])).rows.map((r) => [r.host, r.until]))),
    exclusive: (job) =>
      run(async (): Promise<JobLock | null> => {
        const client = await pool.connect();
        // The lock's connection sits checked out for a whole pass: if the server ends it (a restart, a terminated
        // backend, a failover) the lock is gone with it, and another daemon may take the job. The error arrives on
        // the client (unheard, it would crash the daemon), and 'end' follows; either aborts `lost`, so the pass
        // stops at its next checkpoint instead of running on without its lock.
        const lost = new AbortController();
        const onLost = (err?: Error) =>
          lost.signal.aborted ||
          lost.abort(new WartaError('storage', `the ${job} job's lock on ${location} was lost with its database connection`, { cause: err }));
        client.on('error', onLost);
        client.on('end', onLost);
        const forget = () => {
          client.removeListener('end', onLost);
          client.removeListener('error', onLost);
        };
        let got = false;
        try {
          got = (await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', JOB_LOCKS[job])).rows[0]!.got;
        } finally {
          if (!got) {
            forget();
            client.release();
          }
        }
        if (!got) return null;
        let released = false;
        return {
          lost: lost.signal,
          async release() {
            if (released) return;
            released = true;
            forget();
            // The connection is dropped below; an error on the way there must stay heard.
            client.on('error', () => {});
            // Unlocking may fail when the connection died (the server then dropped the lock with it): either way
            // the connection is not reused, so no lock can outlive this call on it.
            await client.query('SELECT pg_advisory_unlock($1, $2)', JOB_LOCKS[job]).catch(() => {});
            client.release(true);
          },
        };
      }),
  };
}
