/**
 * NodeStore (store.ts) on SQLite. One daemon runs per file (daemon-lock.ts), so nobody competes for its claims,
 * slots or jobs; the same rules are kept anyway, in the same tables as PostgreSQL, so one contract holds both.
 * Statements are prepared on first use: a read-only store over an older schema never needs these tables.
 */
import type { ClaimRequest, HostSlot, JobLock, NodeBeat, NodeStore } from '../store.js';
import type Database from 'better-sqlite3';
import type { Db } from './open.js';

type Statement = Database.Statement<unknown[]>;
const iso = (d: Date) => d.toISOString();

/**
 * The NodeStore of a SQLite store; `write` runs a function as one write transaction (busy-waiting as every
 * write does), `read` as a read.
 */
export function makeSqliteNodes(db: Db, write: <T>(fn: () => T) => Promise<T>, read: <T>(fn: () => T) => Promise<T>): NodeStore {
  const prepared = new Map<string, Statement>();
  const sql = (text: string): Statement => {
    let s = prepared.get(text);
    if (!s) prepared.set(text, (s = db.prepare<unknown[]>(text)));
    return s;
  };
  // Jobs held by this process: with one daemon per file, the process is the whole competition.
  const jobs = new Set<string>();

  return {
    shared: false,
    claim: (ids, c: ClaimRequest) =>
      write(() => {
        const ensure = sql('INSERT OR IGNORE INTO source_claims (source_id) VALUES (?)');
        const take = sql(
          `UPDATE source_claims SET claimed_by = @node, lease_until = @until, stamp = @stamp
            WHERE source_id = @id AND (claimed_by IS NULL OR claimed_by = @node OR lease_until <= @now) AND (stamp IS NULL OR stamp < @since)
            RETURNING source_id`,
        );
        const granted: string[] = [];
        const values = { node: c.node, until: iso(c.until), stamp: iso(c.stamp), now: iso(c.now), since: iso(c.notClaimedSince) };
        for (const id of ids) {
          ensure.run(id);
          if (take.get({ ...values, id }) !== undefined) granted.push(id);
        }
        return granted;
      }),
    release: (node, ids) =>
      write(() => {
        const free = sql('UPDATE source_claims SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ? AND source_id = ?');
        for (const id of ids) free.run(node, id);
      }),
    takeExpired: (node, now, until, limit) =>
      write(() =>
        (
          sql(
            `UPDATE source_claims SET claimed_by = ?, lease_until = ?
              WHERE source_id IN (SELECT source_id FROM source_claims WHERE claimed_by IS NOT NULL AND lease_until <= ?
                                   ORDER BY lease_until LIMIT ?)
              RETURNING source_id`,
          ).all(node, iso(until), iso(now), limit) as { source_id: string }[]
        ).map((r) => r.source_id),
      ),
    heartbeat: (b: NodeBeat) =>
      write(() => {
        sql(
          `INSERT INTO nodes (node, fingerprint, started_at, lease_until) VALUES (?, ?, ?, ?)
           ON CONFLICT (node) DO UPDATE SET fingerprint = excluded.fingerprint, lease_until = excluded.lease_until`,
        ).run(b.node, b.fingerprint, iso(b.now), iso(b.until));
        sql('UPDATE host_slots SET lease_until = ? WHERE node = ?').run(iso(b.until), b.node);
        if (b.forgetBefore) sql('DELETE FROM nodes WHERE lease_until < ? AND node <> ?').run(iso(b.forgetBefore), b.node);
        return sql('UPDATE source_claims SET lease_until = ? WHERE claimed_by = ?').run(iso(b.until), b.node).changes;
      }),
    peers: (now) =>
      read(() => sql('SELECT node, fingerprint FROM nodes WHERE lease_until > ? ORDER BY node').all(iso(now)) as { node: string; fingerprint: string | null }[]),
    leave: (node) =>
      write(() => {
        sql('UPDATE source_claims SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?').run(node);
        sql('UPDATE host_slots SET node = NULL, lease_until = NULL WHERE node = ?').run(node);
        sql('DELETE FROM nodes WHERE node = ?').run(node);
      }),
    acquireHost: (host, node, slots, now, until) =>
      write((): HostSlot => {
        const paused = sql('SELECT until FROM host_pauses WHERE host = ? AND until > ?').pluck().get(host, iso(now)) as string | undefined;
        if (paused !== undefined) return { slot: null, pausedUntil: new Date(paused) };
        const ensure = sql('INSERT OR IGNORE INTO host_slots (host, slot) VALUES (?, ?)');
        for (let i = 0; i < slots; i++) ensure.run(host, i);
        const row = sql(
          `UPDATE host_slots SET node = @node, lease_until = @until
            WHERE host = @host AND slot = (SELECT slot FROM host_slots WHERE host = @host AND slot < @slots
                                             AND (node IS NULL OR lease_until <= @now) ORDER BY slot LIMIT 1)
            RETURNING slot`,
        ).get({ host, node, until: iso(until), slots, now: iso(now) }) as { slot: number } | undefined;
        return row ? { slot: row.slot } : { slot: null, pausedUntil: null };
      }),
    releaseHost: (host, slot, node) =>
      write(() => void sql('UPDATE host_slots SET node = NULL, lease_until = NULL WHERE host = ? AND slot = ? AND node = ?').run(host, slot, node)),
    pauseHost: (host, until) =>
      write(
        () =>
          void sql('INSERT INTO host_pauses (host, until) VALUES (?, ?) ON CONFLICT (host) DO UPDATE SET until = max(until, excluded.until)').run(
            host,
            iso(until),
          ),
      ),
    // One daemon per file: its own clock is the only one.
    clock: async () => new Date(),
    hostPauses: (now) =>
      read(() => new Map((sql('SELECT host, until FROM host_pauses WHERE until > ?').all(iso(now)) as { host: string; until: string }[]).map((r) => [r.host, new Date(r.until)]))),
    async exclusive(job): Promise<JobLock | null> {
      if (jobs.has(job)) return null;
      jobs.add(job);
      let released = false;
      return {
        // Held in this process's memory: it cannot be lost, only released.
        lost: new AbortController().signal,
        async release() {
          if (released) return;
          released = true;
          jobs.delete(job);
        },
      };
    },
  };
}
