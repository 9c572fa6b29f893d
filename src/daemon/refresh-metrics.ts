import { errorCodeLabel, outcomeLabel, type Metrics } from '../base/metrics.js';
import type { RefreshOutcome } from '../pipeline/refresh.js';
import { hostKey } from '../schedule/host-gate.js';

/** Counts one refresh's outcome in the metrics (by source, host, outcome and error code; durations by host only). */
export function countRefresh(metrics: Metrics, source: { id: string; url: string }, o: RefreshOutcome): void {
  const host = hostKey(source.url);
  metrics.fetches.inc({ source: source.id, host, outcome: outcomeLabel(o.result) });
  if (o.result === 'skipped' || o.result === 'aborted') return;
  metrics.fetchDuration.observe({ host }, o.durationMs / 1000);
  if (o.error) metrics.fetchErrors.inc({ source: source.id, code: errorCodeLabel(o.error.code) });
  if (o.bytes) metrics.fetchBytes.inc({ source: source.id }, o.bytes);
  if (o.parseMs) metrics.parseDuration.observe({ host }, o.parseMs / 1000);
  if (o.inserted) metrics.itemsNew.inc({ source: source.id }, o.inserted);
  if (o.updated) metrics.itemsUpdated.inc({ source: source.id }, o.updated);
}
