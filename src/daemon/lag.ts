/** Event-loop lag: how late a 1-second timer fires (cron ticks are timers too, so this is the scheduler's lag). */
export interface LagMonitor {
  /** The worst lag of the last minute, in milliseconds (so a stall stays visible a while after it ends). */
  maxMs(): number;
  stop(): void;
}

/** Starts measuring; stop() ends it. */
export function monitorEventLoopLag(): LagMonitor {
  let expected = Date.now() + 1000;
  let worst = 0;
  let windowStart = Date.now();
  const timer = setInterval(() => {
    const t = Date.now();
    if (t - windowStart > 60_000) {
      worst = 0;
      windowStart = t;
    }
    worst = Math.max(worst, t - expected);
    expected = t + 1000;
  }, 1000).unref();
  return { maxMs: () => Math.max(worst, Date.now() - expected), stop: () => clearInterval(timer) };
}
