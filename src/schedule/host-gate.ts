import PQueue from 'p-queue';
import { getDomain } from 'tldts';
import type { SharedHosts } from './shared-hosts.js';

/** Limits of the host gate. */
export interface HostGateOptions {
  /** Requests in flight at once to one registrable domain. */
  perHost: number;
  /** Requests in flight at once overall. */
  concurrency: number;
  /** The longest a host's queue is paused for a Retry-After, however long the server asks. */
  pauseMaxMs: number;
  now: () => Date;
  /** Several daemons on one database: per-host slots and pauses held for all of them (absent: this process's only). */
  shared?: SharedHosts;
}

/**
 * The key politeness is counted by: the registrable domain (a.example.com and b.example.com share one queue),
 * or the host itself for IP addresses, localhost and unknown suffixes.
 */
export function hostKey(url: string): string {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return url;
  }
  return getDomain(host, { allowPrivateDomains: false }) ?? host;
}

/**
 * Runs fetches so that each registrable domain sees at most `perHost` at once and the process at most
 * `concurrency`; a host that answered 429/503 with Retry-After is paused (up to `pauseMaxMs`).
 * Host slot first, then a global slot: a slow host then holds only its own slots while it waits.
 */
export function makeHostGate(options: HostGateOptions) {
  const opts = { ...options };
  const global = new PQueue({ concurrency: opts.concurrency });
  const hosts = new Map<string, { queue: PQueue; pausedUntil: Date | null; timer: NodeJS.Timeout | null }>();

  function host(key: string) {
    let h = hosts.get(key);
    if (!h) hosts.set(key, (h = { queue: new PQueue({ concurrency: opts.perHost }), pausedUntil: null, timer: null }));
    return h;
  }

  return {
    /**
     * Runs `fn` when both a host slot and a global slot are free (and the host is not paused). Queued work of a
     * higher `priority` goes first: feed polls (0) before article pages (PAGE_PRIORITY), so pages never hold
     * a feed poll back longer than the page already running.
     */
    run<T>(url: string, fn: () => Promise<T>, runOpts: { priority?: number } = {}): Promise<T> {
      const priority = runOpts.priority ?? 0;
      const key = hostKey(url);
      const shared = opts.shared;
      if (!shared) return host(key).queue.add(() => global.add(fn, { priority }), { priority }) as Promise<T>;
      // The database's slot of the host is taken after this process's own, so a daemon waits for it with one
      // local slot of the host at most per_host times, and holds no global slot meanwhile.
      return host(key).queue.add(async () => {
        const release = await shared.acquire(key);
        try {
          return await global.add(fn, { priority });
        } finally {
          release();
        }
      }, { priority }) as Promise<T>;
    },
    /**
     * New limits (a config reload): queued work starts at once as far as wider ones allow; running work that a
     * narrower one exceeds finishes, and nothing new starts until it fits.
     */
    configure(limits: { perHost: number; concurrency: number }): void {
      opts.perHost = limits.perHost;
      opts.concurrency = limits.concurrency;
      global.concurrency = limits.concurrency;
      for (const h of hosts.values()) h.queue.concurrency = limits.perHost;
      opts.shared?.setPerHost(limits.perHost);
    },
    /** Until when the host of `url` is paused, or null. */
    pausedUntil(url: string): Date | null {
      const h = hosts.get(hostKey(url));
      return h?.pausedUntil && h.pausedUntil > opts.now() ? h.pausedUntil : null;
    },
    /** Pauses the host of `url` until `until`, capped at pauseMaxMs from now. */
    pause(url: string, until: Date): Date {
      const h = host(hostKey(url));
      const capped = new Date(Math.min(until.getTime(), opts.now().getTime() + opts.pauseMaxMs));
      if (h.pausedUntil && h.pausedUntil >= capped) return h.pausedUntil;
      h.pausedUntil = capped;
      opts.shared?.pause(hostKey(url), capped);
      h.queue.pause();
      if (h.timer) clearTimeout(h.timer);
      h.timer = setTimeout(() => {
        h.pausedUntil = null;
        h.timer = null;
        h.queue.start();
      }, Math.max(0, capped.getTime() - opts.now().getTime()));
      h.timer.unref();
      return capped;
    },
    /**
     * Lifts every pause and resolves when all queued and running work has settled. Callers abort their work
     * first, so queued jobs finish at once; dropping them instead would leave their promises pending forever.
     */
    async drain(): Promise<void> {
      for (const h of hosts.values()) {
        if (h.timer) clearTimeout(h.timer);
        h.pausedUntil = null;
        h.queue.start();
      }
      await Promise.all([...[...hosts.values()].map((h) => h.queue.onIdle()), global.onIdle()]);
    },
  };
}

/** The priority of article page fetches in the gate: below feed polls (0). */
export const PAGE_PRIORITY = -1;

/** The host gate's interface, for passing as a dependency. */
export type HostGate = ReturnType<typeof makeHostGate>;
