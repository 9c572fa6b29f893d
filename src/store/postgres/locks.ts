import type { JobName } from '../store.js';

/**
 * Advisory locks warta takes, as (class, object) pairs of int4: the class is "wart" in ASCII, so warta's locks
 * never collide with another application's single-bigint locks on the same database.
 */
const WARTA = 0x77617274;

/** Held by the transaction that migrates the schema. */
export const MIGRATE_LOCK: [number, number] = [WARTA, 1];

/**
 * Retention holds it exclusively; a refresh that inserts holds it shared from before its tombstone check to its
 * commit. So a prune never commits between a refresh's check and its insert (which would bring a pruned item
 * back), while refreshes never wait for each other. SQLite gets the same from its single writer.
 */
export const PRUNE_LOCK: [number, number] = [WARTA, 2];

/**
 * Background jobs that run on one daemon of a database at a time, held for a whole pass on a connection of
 * their own (session locks: the server frees them when that connection ends, a dead daemon's included).
 */
export const JOB_LOCKS: Record<JobName, [number, number]> = {
  retag: [WARTA, 3],
  retention: [WARTA, 4],
  recluster: [WARTA, 5],
};
