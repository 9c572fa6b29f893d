/**
 * A feed parser thread (ingest-pool.ts starts it): reads one document per message — decode, parse, normalize, as
 * ingestDocument does on any thread, and with `sketch` each item's story sketch, as the plan would make it — and
 * answers with the feed, or with the WartaError's code and message (errors cross the thread boundary as plain
 * values; the pool makes them WartaErrors again).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WartaError } from '../../base/errors.js';
import type { IngestedFeed } from '../../base/model.js';
import { encodeSketch, sketchOf } from '../../stories/sketch.js';
import { ingestDocument } from './ingest.js';

/** What a thread is started with. */
export interface IngestWorkerData {
  /** Sketch every item (the story stage is on): sketchOf its title, summary and content, as story-plan.ts does. */
  sketch: boolean;
}

/** A document to read, numbered by the pool. */
export interface IngestRequest {
  seq: number;
  body: Uint8Array | string;
  contentType: string | null;
  url: string;
  now: Date;
}
/** A thread's answer. */
export type IngestReply = { ready: true } | { seq: number; feed: IngestedFeed } | { seq: number; error: { code: string; message: string } };

const { sketch } = workerData as IngestWorkerData;

parentPort!.on('message', (req: IngestRequest) => {
  let reply: IngestReply;
  try {
    const feed = ingestDocument(req.body, { contentType: req.contentType, url: req.url, now: req.now });
    if (sketch) {
      for (const item of feed.items) {
        // An item the plan finds stored already is not sketched there: made here it costs this thread only.
        const s = sketchOf({ title: item.title, summary: item.summary, content: item.content });
        item.sketched = { sketch: s, encoded: encodeSketch(s) };
      }
    }
    reply = { seq: req.seq, feed };
  } catch (err) {
    // ingestDocument throws WartaErrors only (anything else it wraps as parse_error itself).
    const e = err instanceof WartaError ? err : new WartaError('parse_error', `ingest: unexpected failure (a warta bug, please report it): ${String(err)}`);
    reply = { seq: req.seq, error: { code: e.code, message: e.message } };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true } satisfies IngestReply);
