/**
 * Starts queued polls a few at a time, hosts in turn: at most `window` running at once, at most `perHost` of them
 * on one host. The scheduler hands every poll it wants (the start-up poll, cron ticks, added sources) to one
 * feeder instead of queuing them all in the host gate at once: 10,000 sources queued there held ~2.6 KB of
 * promises and closures each (26 MB) for as long as the burst lasted, and one slow host could fill the gate's
 * global queue ahead of every other host. Here a slow host holds only its own share of the window.
 */
import { Fifo } from '../base/fifo.js';

/** One poll waiting for its turn: `key` names it (a key already waiting is not queued twice). */
interface Waiting {
  key: string;
  run: () => Promise<void> | undefined;
}

/** One host's queue and how many of its polls run. */
interface HostTurn {
  queue: Fifo<Waiting>;
  running: number;
  /** In the ring of hosts waiting for their turn. */
  inRing: boolean;
}

/** A feeder (see the module comment). */
export interface Feeder {
  /** Queues a poll; false (and nothing queued) when one of the same key waits already. */
  add(key: string, host: string, run: () => Promise<void> | undefined): boolean;
  /** Polls queued, not started yet. */
  waiting(): number;
  /** Polls this feeder started that have not ended. */
  running(): number;
  /** Starts what the bounds allow now (after they grew: a reload); otherwise polls start as others end. */
  pump(): void;
  /** Drops every queued poll (the daemon stops); running ones end on their own. */
  clear(): void;
}

/**
 * A feeder with the given bounds; `window()` and `perHost()` are read each time a poll could start (a reload
 * changes them). `run` returns undefined when it started nothing (the source was busy): the next is tried.
 */
export function makeFeeder(bounds: { window: () => number; perHost: () => number }): Feeder {
  const hosts = new Map<string, HostTurn>();
  const queued = new Set<string>();
  // Hosts with a queued poll and a free share, in turn.
  const ring = new Fifo<HostTurn>();
  let running = 0;

  const offer = (h: HostTurn) => {
    if (!h.inRing && h.queue.length > 0 && h.running < Math.max(1, bounds.perHost())) {
      h.inRing = true;
      ring.push(h);
    }
  };

  function pump(): void {
    while (running < Math.max(1, bounds.window()) && ring.length > 0) {
      const h = ring.take()!;
      h.inRing = false;
      // Its share shrank since it was offered (a reload): offered again as one of its polls ends.
      if (h.running >= Math.max(1, bounds.perHost())) continue;
      const next = h.queue.take()!;
      queued.delete(next.key);
      const job = next.run();
      if (job) {
        running++;
        h.running++;
        void job.finally(() => {
          running--;
          h.running--;
          offer(h);
          pump();
        });
      }
      offer(h);
    }
    // A host with nothing queued and nothing running is forgotten (it comes back with its next poll).
    if (ring.length === 0 && hosts.size > 0 && queued.size === 0) {
      for (const [key, h] of hosts) if (h.running === 0) hosts.delete(key);
    }
  }

  return {
    add(key, host, run) {
      if (queued.has(key)) return false;
      queued.add(key);
      let h = hosts.get(host);
      if (!h) hosts.set(host, (h = { queue: new Fifo(), running: 0, inRing: false }));
      h.queue.push({ key, run });
      offer(h);
      pump();
      return true;
    },
    waiting: () => queued.size,
    running: () => running,
    pump() {
      // A wider per-host share: hosts that had used theirs up wait outside the ring.
      for (const h of hosts.values()) offer(h);
      pump();
    },
    clear() {
      queued.clear();
      for (const h of hosts.values()) {
        h.queue.clear();
        h.inRing = false;
      }
      ring.clear();
    },
  };
}

/**
 * Runs `run` for every entry of `list` through a feeder (`bounds` as makeFeeder's; `host` keys the per-host
 * share) and resolves with the results in the list's order; rejects with the first failure (the rest queued are
 * dropped). A one-shot command's polls wait here instead of all in the host gate at once.
 */
export function feedAll<T, R>(list: readonly T[], bounds: { window: () => number; perHost: () => number }, host: (entry: T) => string, run: (entry: T) => Promise<R>): Promise<R[]> {
  return new Promise<R[]>((resolve, reject) => {
    const results = new Array<R>(list.length);
    let left = list.length;
    let failed = false;
    if (left === 0) return resolve(results);
    const feeder = makeFeeder(bounds);
    list.forEach((entry, i) => {
      feeder.add(String(i), host(entry), () =>
        run(entry).then(
          (r) => {
            results[i] = r;
            if (--left === 0) resolve(results);
          },
          (err: unknown) => {
            if (failed) return;
            failed = true;
            feeder.clear();
            reject(err);
          },
        ),
      );
    });
  });
}
