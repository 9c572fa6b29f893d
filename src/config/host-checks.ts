/**
 * What a valid config can still fail on when `warta start` runs it on this machine: a database path that cannot
 * be created or written, an address this host does not have, a port below the unprivileged range. `warta
 * check-config` and `warta start` run these so the admin reads one located line instead of a stack trace; a
 * reload does not (these settings need a restart anyway).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';

/** A problem with one config key, `path` as in the file (e.g. ['storage', 'path']). */
export interface HostProblem {
  path: string[];
  message: string;
}

/** Facts about the machine the listen address is checked against. */
export interface ListenHost {
  /** Addresses of this machine's interfaces. */
  addresses: readonly string[];
  /** The effective uid, or null where there is none (Windows). */
  uid: number | null;
  /** The lowest port an unprivileged process may bind (Linux: net.ipv4.ip_unprivileged_port_start). */
  unprivilegedPortStart: number;
}

/** Checks the database path and the listen address against this machine. */
export function checkHost(config: { server: { host: string; port: number }; storage: { path: string } }): HostProblem[] {
  const problems: HostProblem[] = [];
  const storage = storageProblem(config.storage.path);
  if (storage !== null) problems.push({ path: ['storage', 'path'], message: `storage.path: ${storage}` });
  const listen = listenProblem(config.server, thisHost());
  if (listen !== null) problems.push({ path: ['server', 'listen'], message: `server.listen: ${listen}` });
  return problems;
}

/** Why the database at `path` could not be opened for writing (null when it can). */
export function storageProblem(path: string): string | null {
  if (path === ':memory:') return null;
  const existing = stat(path);
  if (existing?.isDirectory()) return `${path} is a directory; name the database file inside it (e.g. ${path.replace(/\/+$/, '')}/warta.db)`;
  if (existing && !writable(path)) return `${path} is not writable by this user`;
  // The directory must exist or be creatable, and be writable: SQLite's WAL puts -wal and -shm files beside it.
  let dir = dirname(path);
  while (stat(dir) === null && dirname(dir) !== dir) dir = dirname(dir);
  const s = stat(dir);
  if (s === null) return `cannot create ${dirname(path)}`;
  if (!s.isDirectory()) return `cannot create the database: ${dir} is a file, not a directory`;
  if (!writable(dir)) return `${dir} is not writable by this user (the database and its -wal/-shm files are created there)`;
  return null;
}

/** Why listening on host:port would fail on a machine with these facts (null when it should work). */
export function listenProblem(listen: { host: string; port: number }, host: ListenHost): string | null {
  const { host: address, port } = listen;
  if (isIP(address) !== 0 && !['0.0.0.0', '::'].includes(address) && !host.addresses.includes(address)) {
    return `${address} is not an address of this machine (use 127.0.0.1 for this machine only, 0.0.0.0 for every interface)`;
  }
  if (host.uid !== null && host.uid !== 0 && port < host.unprivilegedPortStart) {
    return `port ${port} needs root here (ports below ${host.unprivilegedPortStart} are privileged); use 8080 or a reverse proxy`;
  }
  return null;
}

function thisHost(): ListenHost {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address.replace(/%.*$/, '')));
  let unprivilegedPortStart = 1024;
  try {
    unprivilegedPortStart = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  } catch {
    // Not Linux: the classic limit.
  }
  return { addresses, uid: process.getuid?.() ?? null, unprivilegedPortStart };
}

function stat(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
