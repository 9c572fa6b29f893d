/**
 * Politeness across daemons on one database (store.nodes): a request to a registrable domain needs one of its
 * `fetch.per_host` slots in the database, whichever daemon sends it, and a Retry-After pause recorded by one
 * daemon holds for all. Slots are leased like claims (renewed by the daemon's heartbeat), so a dead daemon's
 * slots come free within storage.lease. Waiting for a slot polls the database with a growing interval (50 ms
 * to 1 s); a paused host is waited out once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { NodeStore } from '../store/store.js';

/** What the shared host limits need. */
export interface SharedHostsDeps {
  nodes: NodeStore;
  node: string;
  perHost: number;
  leaseMs: number;
  now: () => Date;
  /** Ends every wait (shutdown): the work then runs at once and sees its own abort. */
  signal: AbortSignal;
  log: Logger;
}

const FIRST_WAIT_MS = 50;
const LONGEST_WAIT_MS = 1000;

/** The per-host slots and pauses shared through the database, as the host gate uses them. */
export function makeSharedHosts(deps: SharedHostsDeps) {
  const { nodes, node, log, signal } = deps;
  let perHost = deps.perHost;
  return {
    /** A new fetch.per_host (a config reload): asked for from the next slot on. */
    setPerHost(n: number): void {
      perHost = n;
    },
    /**
     * Waits for a slot of `host` (and for its pause to end); resolves with the function that frees it. A database
     * that does not answer lets the request go under this daemon's own limits (its refresh reports the failure).
     */
    async acquire(host: string): Promise<() => void> {
      for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
        if (signal.aborted) return () => {};
        const now = deps.now();
        let slot: number | null;
        let pausedUntil: Date | null = null;
        try {
          const r = await nodes.acquireHost(host, node, perHost, now, new Date(now.getTime() + deps.leaseMs));
          slot = r.slot;
          if (r.slot === null) pausedUntil = r.pausedUntil;
        } catch (err) {
          log.warn({ err, host }, 'could not take a shared host slot (database unavailable); going by this daemon\'s limits');
          return () => {};
        }
        if (slot !== null) {
          const held = slot;
          return () => void nodes.releaseHost(host, held, node).catch((err: unknown) => log.warn({ err, host }, 'could not free a host slot; its lease ends on its own'));
        }
        const ms = pausedUntil ? Math.max(0, pausedUntil.getTime() - now.getTime()) : wait * (0.5 + Math.random());
        try {
          await sleep(ms, undefined, { signal });
        } catch {
          return () => {}; // aborted: shutting down
        }
      }
    },
    /** Records a Retry-After pause of `host` (already capped) for every daemon. */
    pause(host: string, until: Date): void {
      nodes.pauseHost(host, until).catch((err: unknown) => log.warn({ err, host }, 'could not share a host pause with the other daemons'));
    },
  };
}

/** The shared host limits' interface, for the host gate. */
export type SharedHosts = ReturnType<typeof makeSharedHosts>;
