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
import { getPriority, setPriority } from 'node:os';

/** How much lower background threads run than the process (nice 0 → 10): well below it, not idle-only (19). */
export const BACKGROUND_NICE = 10;

/** The nice value of a background thread of a process at `processNice` (never above the process's priority). */
export function backgroundNice(processNice: number): number {
  return Math.min(19, processNice + BACKGROUND_NICE);
}

/**
 * Lowers the calling thread's priority by BACKGROUND_NICE from the process's (the main thread's); true when it was
 * set. Threads a lowered thread creates inherit its priority: module-worker.ts starts libuv's thread pool from the
 * main thread before the first worker, so the pool's threads (DNS, fs, gzip) are never a lowered thread's children.
 */
export function lowerThisThreadPriority(): boolean {
  let tid: number;
  try {
    // "PID/task/TID"
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return false;
  }
  if (!Number.isInteger(tid) || tid <= 0) return false;
  try {
    setPriority(tid, backgroundNice(getPriority(process.pid)));
    return true;
  } catch {
    return false;
  }
}
