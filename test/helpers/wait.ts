/**
 * Waiting in tests: on a condition, never for a fixed time. A test that sleeps "long enough" is slow where the
 * machine is fast and flaky where it is loaded; a test that waits on the condition it needs is neither, and when
 * the condition never comes, the failure says what was awaited.
 */

/** How long and on what `waitFor` waits. */
export interface WaitOptions {
  /** What is awaited, as the failure message should say it: "GET /healthz to answer 200". */
  what: string;
  /** Give up after this long (default 15 s: generous on a loaded machine, still well inside mocha's timeouts). */
  timeoutMs?: number;
  /** Pause between checks (default 50 ms). */
  intervalMs?: number;
  /** Text added to the failure message (the daemon's output, the rows seen …). */
  details?: () => string;
  /** A reason to stop waiting at once (the process being waited on has exited), or null to keep waiting. */
  giveUpIf?: () => string | null;
}

/** The default bound of `waitFor`. */
export const WAIT_TIMEOUT_MS = 15_000;

/**
 * Resolves with the first truthy value `check` returns (or resolves to). A check that throws counts as "not yet"
 * (a server not listening yet refuses the connection); the last such error is in the failure message.
 */
export async function waitFor<T>(check: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? WAIT_TIMEOUT_MS;
  const started = Date.now();
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    const reason = opts.giveUpIf?.() ?? null;
    const waited = Date.now() - started;
    if (reason !== null || waited >= timeoutMs) {
      const why = reason !== null ? `gave up after ${waited} ms: ${reason}` : `still not so after ${timeoutMs} ms`;
      const last = lastError === null ? '' : `\nlast check threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      const details = opts.details ? `\n${opts.details()}` : '';
      throw new Error(`waited for ${opts.what}: ${why}${last}${details}`);
    }
    // The poll interval is the one pause here; it bounds how late a condition is seen, not whether it is.
    await new Promise((resolve) => setTimeout(resolve, Math.min(opts.intervalMs ?? 50, timeoutMs - waited)));
  }
}
