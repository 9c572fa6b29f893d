/**
 * What every reliability check shares: the result shape run.ts prints, config files for the real daemon, a
 * read-only look at its database, the daemon's resident memory, and bounded waits.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
export { makeRandom } from '../helpers/random.js';

/** One line of the summary: a named check, whether it held, and the figures that show it. */
export interface CheckResult {
  name: string;
  ok: boolean;
  figures: Record<string, string | number>;
  /** Cases worth reading when it failed (or a note on how it was run). */
  details?: string[];
}

/** How a check is run: the CI-sized version or the long one. */
export interface CheckOptions {
  short: boolean;
  /** The store the daemon runs on: its SQLite file (default), or a schema of PostgreSQL at 127.0.0.1:5432. */
  store?: 'sqlite' | 'postgres';
  /** Progress lines (stderr), so a long run shows it is alive. */
  progress: (line: string) => void;
}

/** A config file as a plain object (snake_case keys, as admins write them). */
export interface ConfigSpec {
  port: number;
  db: string;
  /** A PostgreSQL URL: the store is there instead of the file `db`. */
  url?: string;
  /** More keys of the storage section, as admins write them (PostgreSQL: `lease: 3s`, `statement_timeout: 1s`). */
  storage?: Record<string, unknown>;
  fetch?: Record<string, unknown>;
  sources: { id: string; url: string; tags?: string[]; schedule?: string }[];
  tags?: { name: string; match: string }[];
  outputs?: Record<string, unknown>[];
  logLevel?: string;
}

/** Writes a warta config file for `spec`. */
export function writeConfig(path: string, spec: ConfigSpec): void {
  const doc = {
    server: { listen: `127.0.0.1:${spec.port}`, base_url: `http://127.0.0.1:${spec.port}` },
    storage: { path: spec.db, ...(spec.url ? { url: spec.url } : {}), ...spec.storage },
    fetch: spec.fetch ?? {},
    sources: spec.sources,
    tags: spec.tags ?? [],
    outputs: spec.outputs ?? [],
    log: { level: spec.logLevel ?? 'info' },
  };
  writeFileSync(path, stringify(doc));
}

/** Opens the daemon's database read-only (a second process, as an admin's sqlite3 would). */
export function openReadOnly(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** PRAGMA integrity_check's answer: 'ok' or the first problems. */
export function integrity(path: string): string {
  const db = openReadOnly(path);
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).slice(0, 5).join('; ');
  } finally {
    db.close();
  }
}

/** The process's resident set in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits for `p` at most `ms`; past that, fails with an error that names `what` it waited for. Every wait of a
 * check goes through a bound like this one: an awaited promise that never settles (a child whose exit never
 * comes, a connection that never answers) must end the check with a failure that says where, not hang the suite.
 */
export async function bounded<T>(what: string | (() => string), ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${typeof what === 'string' ? what : what()}: it never came`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every `everyMs` until it is true; false when `timeoutMs` passes first. A check that itself never
 * answers fails once the wait's bound is past (a few seconds of grace for the check under way).
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await bounded('a check polled by waitFor', until - Date.now() + 10_000, Promise.resolve(check()))) return true;
    await sleep(everyMs);
  }
  return false;
}

/**
 * GET with a deadline; never throws (a network error, or no whole answer in time, is status 0). The deadline is a
 * timer of this module's, raced with the request and its body, and not only fetch's abort signal: the daemon is
 * often SIGKILLed in the middle of a response body, and a body read that fetch leaves pending must not leave the
 * caller waiting for ever (AbortSignal.timeout's timer is unref'd and does not even keep the process alive).
 */
export async function get(url: string, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers | null; ms: number }> {
  const started = Date.now();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`no whole answer from ${url} within ${timeoutMs} ms`);
      abort.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const request = (async () => {
    const res = await fetch(url, { signal: abort.signal, headers });
    return { status: res.status, body: await res.text(), headers: res.headers as Headers | null };
  })();
  request.catch(() => {}); // settled after the deadline, or never: nobody waits for it then
  try {
    return { ...(await Promise.race([request, deadline])), ms: Date.now() - started };
  } catch (err) {
    return { status: 0, body: String(err), headers: null, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Formats a result as one summary line: `PASS name: k=v, k=v`. */
export function summaryLine(r: CheckResult): string {
  const figures = Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${figures}`;
}
