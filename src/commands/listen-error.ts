/** One line for the admin when the daemon cannot listen, instead of Node's stack trace. */

const HINTS: Record<string, string> = {
  EACCES: 'permission denied (ports below 1024 need root; use 8080 or a reverse proxy)',
  EADDRNOTAVAIL: 'this machine has no such address (use 127.0.0.1, or 0.0.0.0 for every interface)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS unavailable)',
};

/**
 * `cannot listen on HOST:PORT: why` for the errors listen() gives on a bad or busy address, naming the likely
 * cause; null for any other error. A busy port is asked for `/healthz`: the usual cause is a warta still running
 * (e.g. left behind by an earlier `npm start`).
 */
export async function describeListenError(err: unknown, listen: { host: string; port: number }): Promise<string | null> {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const address = `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  if (code === 'EADDRINUSE') {
    const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
    const warta = await answersHealthz(`http://${wildcard ? '127.0.0.1' : address}/healthz`);
    const cause = warta
      ? 'another warta is already running there (its /healthz answers); stop it first (find it with: pgrep -af "warta.js start")'
      : 'another program is listening there; stop it or choose another port (server.listen or WARTA_LISTEN)';
    return `cannot listen on ${address}: address already in use: ${cause}`;
  }
  const hint = code === undefined ? undefined : HINTS[code];
  return hint === undefined ? null : `cannot listen on ${address}: ${hint}`;
}

async function answersHealthz(url: string): Promise<boolean> {
  // A timer of our own, not AbortSignal.timeout(): that one is unref'd, and a peer that accepts and then says
  // nothing left the process with nothing to wait on but a promise (exit 13, "unsettled top-level await").
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 1000);
  try {
    const res = await fetch(url, { signal: abort.signal });
    const body = (await res.json()) as { status?: unknown };
    return res.ok && body.status === 'ok';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
