/**
 * Background threads yield the core to the main thread (issue 15). The main thread answers HTTP and commits to the
 * store; the parser, page reader and re-tag threads do CPU work that can wait a few milliseconds. On a machine with
 * fewer free cores than busy threads (2 cores: the main thread, a parser thread, V8's compiler and GC threads, a
 * database server), the kernel shared the core evenly, and /healthz waited behind a parser thread's slice.
 *
 * Linux only: setpriority(PRIO_PROCESS, TID) sets one thread's nice value there (the thread's id from
 * /proc/thread-self), where on other systems the same call would lower the whole process. Raising one's own nice
 * needs no privilege; where it is refused (a seccomp profile) or not Linux, nothing changes and the caller is told.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value background threads run at: well below the main thread's 0, not idle-only (19). */
export const BACKGROUND_NICE = 10;

/** Lowers the calling thread's priority to `nice`; true when it was set. */
export function lowerThisThreadPriority(nice = BACKGROUND_NICE): boolean {
  let tid: number;
  try {
    // "PID/task/TID"
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return false;
  }
  if (!Number.isInteger(tid) || tid <= 0) return false;
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
