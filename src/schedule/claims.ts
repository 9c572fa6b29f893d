/**
 * Claims for several daemons on one database (store.nodes, PostgreSQL): a source is polled once per cron tick by
 * whichever daemon claims it first, under a lease this daemon renews every third of `leaseMs` with a heartbeat.
 * The same heartbeat records the daemon alive with its tag rules, and takes over sources whose lease ended
 * unreleased (a daemon that died mid-poll): they are polled here at once. On SQLite (one daemon per file) the
 * scheduler does not use this at all.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { NodeStore } from '../store/store.js';

/**
 * Why a source is polled (scheduler.ts), as far as claiming is concerned. `fetch`: `warta fetch` beside the
 * daemons, which polls whatever no daemon polls at this moment (only a live lease keeps it off a source).
 */
export type ClaimReason = 'cron' | 'startup' | 'added' | 'fetch';

/** What the claims need. */
export interface ClaimsDeps {
  nodes: NodeStore;
  /** This daemon's name on the database (makeNodeName()). */
  node: string;
  leaseMs: number;
  /** A start-up poll is skipped for a source another daemon claimed less than this long ago. */
  startupWindowMs: () => number;
  /** The fingerprint of the tag rules in force (recorded with every heartbeat). */
  fingerprint: () => string;
  /** The database's time (makeDatabaseClock().now), which every lease is measured by. */
  now: () => Date;
  /** Measures the database's clock again, before each heartbeat (makeDatabaseClock().sync). */
  syncClock?: () => Promise<void>;
  log: Logger;
  /** Sources taken over from a dead daemon: this daemon now holds them and must poll them. Absent: none are taken over (`warta fetch`). */
  onTakenOver?: (ids: string[]) => void;
  /** After each heartbeat (re-tag waits on the other daemons' rules). */
  onBeat?: () => void;
  counters?: { claimed(granted: number, taken: number, seconds: number): void; expired(n: number): void; held(n: number): void };
}

// Sources taken over per heartbeat: the rest wait for the next one, so one survivor is not flooded at once.
const TAKE_OVER_BATCH = 200;
// A daemon whose heartbeat ended this many leases ago is forgotten (its entry removed) by the next heartbeat of
// any other: a killed daemon's row would otherwise stay for ever. Long enough for a stalled one to come back.
export const FORGET_AFTER_LEASES = 10;

/**
 * The database's clock, read through this machine's: leases, host slots and pauses, and which daemons are alive
 * are all measured by it, so a daemon whose clock is off neither takes the sources of live daemons (ahead) nor
 * holds leases others see as ended (behind). The offset is measured at each heartbeat (half the round trip of
 * error); cron ticks still fire by this machine's clock, and are named by their own time, so a skewed daemon polls
 * early or late but never twice.
 */
export function makeDatabaseClock(nodes: NodeStore, local: () => Date, log: Logger) {
  let offsetMs = 0;
  let warned = false;
  return {
    now: () => new Date(local().getTime() + offsetMs),
    /** Measures the offset again; a database that does not answer keeps the last one. */
    async sync(): Promise<void> {
      try {
        const before = local().getTime();
        const db = (await nodes.clock()).getTime();
        offsetMs = Math.round(db - (before + local().getTime()) / 2);
      } catch {
        return;
      }
      const off = Math.abs(offsetMs) > SKEW_WARN_MS;
      if (off && !warned) log.warn({ offset_ms: offsetMs }, `this machine's clock is ${(offsetMs / -1000).toFixed(1)} s off the database's: leases follow the database; fix the clock (NTP), cron ticks fire by it`);
      warned = off;
    },
    offsetMs: () => offsetMs,
  };
}

/** The database clock's interface, for passing as a dependency. */
export type DatabaseClock = ReturnType<typeof makeDatabaseClock>;

// A difference worth telling the admin about (cron ticks fire this far off the other daemons').
const SKEW_WARN_MS = 5000;

/** A name for this daemon on the database: host, pid and a random part (a restarted daemon is a new one). */
export function makeNodeName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Claims, leases and heartbeats of one daemon. */
export function makeClaims(deps: ClaimsDeps) {
  const { nodes, node, leaseMs, log } = deps;
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> = Promise.resolve();
  let held = 0;
  // Claims whose release failed (the database did not answer): released at the next heartbeat that reaches it.
  const unreleased = new Set<string>();
  const until = (now: Date) => new Date(now.getTime() + leaseMs);

  async function beat(): Promise<void> {
    await deps.syncClock?.();
    const now = deps.now();
    try {
      if (unreleased.size > 0) {
        const ids = [...unreleased];
        await nodes.release(node, ids);
        for (const id of ids) unreleased.delete(id);
      }
      held = await nodes.heartbeat({ node, fingerprint: deps.fingerprint(), now, until: until(now), forgetBefore: new Date(now.getTime() - FORGET_AFTER_LEASES * leaseMs) });
      deps.counters?.held(held);
      const onTakenOver = deps.onTakenOver;
      const taken = onTakenOver ? await nodes.takeExpired(node, now, until(now), TAKE_OVER_BATCH) : [];
      if (taken.length > 0) {
        deps.counters?.expired(taken.length);
        log.warn({ sources: taken, node }, `took over ${taken.length} source(s) whose daemon stopped renewing its lease`);
        onTakenOver!(taken);
      }
    } catch (err) {
      log.warn({ err, node }, 'heartbeat to the database failed; retrying at the next one');
    }
    deps.onBeat?.();
  }

  return {
    node,
    /** Registers this daemon (first heartbeat) and renews its leases every third of the lease from now on. */
    async start(): Promise<void> {
      await (beating = beat());
      timer = setInterval(() => (beating = beating.then(beat)), Math.max(1000, Math.floor(leaseMs / 3)));
      timer.unref();
    },
    /**
     * The sources of `ids` this daemon may poll now: a cron tick claims them for `tick`; a start-up (or a newly
     * added source) for now, unless another daemon claimed them within the start-up window. A database that
     * does not answer grants none (a refresh could not store its result anyway).
     */
    async take(ids: readonly string[], why: ClaimReason, tick?: Date): Promise<string[]> {
      const now = deps.now();
      const cron = why === 'cron' && tick !== undefined;
      const stamp = cron ? tick : now;
      const notClaimedSince = cron ? tick : why === 'fetch' ? now : new Date(now.getTime() - deps.startupWindowMs());
      try {
        const started = process.hrtime.bigint();
        const granted = await nodes.claim(ids, { node, stamp, notClaimedSince, now, until: until(now) });
        for (const id of granted) unreleased.delete(id); // polled again now: released when this poll ends
        deps.counters?.claimed(granted.length, ids.length - granted.length, Number(process.hrtime.bigint() - started) / 1e9);
        return granted;
      } catch (err) {
        log.warn({ err, sources: ids.length, why }, 'could not claim sources (database unavailable); not polling them now');
        return [];
      }
    },
    /** Ends this daemon's claims on `ids` (their poll is over). */
    async release(ids: readonly string[]): Promise<void> {
      for (const id of ids) unreleased.delete(id);
      try {
        await nodes.release(node, ids);
      } catch (err) {
        // The heartbeat would renew these leases: it releases them instead, once the database answers again.
        for (const id of ids) unreleased.add(id);
        log.warn({ err, sources: ids }, 'could not release claims; the next heartbeat releases them');
      }
    },
    /** Leases held at the last heartbeat. */
    held: () => held,
    /** Stops the heartbeat and releases everything this daemon holds (after its polls ended). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await beating;
      try {
        await nodes.leave(node);
      } catch (err) {
        log.warn({ err, node }, 'could not release leases at shutdown; they end on their own within storage.lease');
      }
    },
  };
}

/** The claims' interface, for passing as a dependency. */
export type Claims = ReturnType<typeof makeClaims>;
