/**
 * Tests that need a tool this machine may lack (a browser, a Python library). Without it they are pending —
 * mocha lists them as such — with the reason printed, never passing silently.
 */

/** Prints `pending: <reason>` under the test and marks it (or, from a hook, its suite) pending. */
export function pendingBecause(ctx: Mocha.Context, reason: string): never {
  console.log(`      pending: ${reason}`);
  ctx.skip();
}

/** A suite title that carries the reason its tests are pending, when there is one. */
export function titleWithReason(title: string, reason: string | null): string {
  return reason === null ? title : `${title} [pending: ${reason}]`;
}
