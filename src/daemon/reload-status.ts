/**
 * What the admin needs to know about config reloads, kept by the running daemon: the config in force and since
 * when, and the last reload that was rejected with its problems. Shown on `/` and counted in /metrics, because
 * a rejected reload otherwise lives only in a log line.
 */
import type { Metrics } from '../base/metrics.js';

/** A reload that left the running config in force. */
export interface RejectedReload {
  at: Date;
  /** What asked for it: `SIGHUP`, `config file changed`. */
  reason: string;
  /** FILE:LINE:COL messages, or what else went wrong. */
  problems: string[];
}

/** A snapshot for the page. */
export interface ReloadState {
  file: string;
  /** When the config in force was loaded (start or the last successful reload). */
  since: Date;
  /** How it came into force: `start`, or the reload's reason. */
  how: string;
  lastRejected: RejectedReload | null;
}

/** The reload record of one daemon; updates the reload metrics as it goes. */
export function makeReloadStatus(file: string, startedAt: Date, metrics: Pick<Metrics, 'configLastReloadSuccessful' | 'configLastReloadSuccessTime' | 'configReloadFailures'>) {
  let state: ReloadState = { file, since: startedAt, how: 'start', lastRejected: null };
  // Like Prometheus's own: the config loaded at start counts as a successful load.
  metrics.configLastReloadSuccessful.set(1);
  metrics.configLastReloadSuccessTime.set(startedAt.getTime() / 1000);
  return {
    /** A reloaded config came into force at `at`. */
    applied(at: Date, reason: string): void {
      state = { ...state, since: at, how: reason };
      metrics.configLastReloadSuccessful.set(1);
      metrics.configLastReloadSuccessTime.set(at.getTime() / 1000);
    },
    /** A reload failed; the running config stays. */
    rejected(at: Date, reason: string, problems: readonly string[]): void {
      state = { ...state, lastRejected: { at, reason, problems: [...problems] } };
      metrics.configLastReloadSuccessful.set(0);
      metrics.configReloadFailures.inc();
    },
    current: (): ReloadState => state,
  };
}

/** One daemon's reload record. */
export type ReloadStatus = ReturnType<typeof makeReloadStatus>;
