/**
 * Lets the event loop run what is waiting (a request to answer, a connection to accept, a response arriving)
 * before the caller goes on, and lets at most one caller go on per turn of the loop.
 *
 * A refresh is a chain of synchronous stages (parse, classify, sketch, a SQLite transaction) joined by promises
 * that are already settled. Without a turn of the loop between them, thirty-two refreshes whose responses came in
 * together run back to back while every request waits. A plain setImmediate per caller is not enough: callbacks
 * queued before a turn's check phase all run in that one phase, so thirty-two waiting refreshes still made one
 * turn of ~30 stages (300 ms to seconds on a busy machine). And Node 20's libuv accepts about one new connection
 * per turn while immediates are pending (bench/stall.ts: 290 connections left in the listen queue, /healthz
 * answered after 18 s during the start-up poll under load): the number of turns per second is what keeps new
 * connections flowing. So callers queue here, first come first served, and one is released per turn.
 */
import { Fifo } from './fifo.js';

const waiting = new Fifo<() => void>();
let pumping = false;

function pump(): void {
  const next = waiting.take();
  if (next === undefined) {
    pumping = false;
    return;
  }
  // The caller's continuation runs as a microtask right after this callback; the next caller waits for the next
  // turn (an immediate queued during the check phase runs in the following turn, after I/O has been polled).
  setImmediate(pump);
  next();
}

export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}
