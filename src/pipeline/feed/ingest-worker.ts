/**
 * A feed parser thread (ingest-pool.ts starts it): reads one document per message — decode, parse, normalize, as
 * ingestDocument does on any thread; each item's content hash (dedupe's); with rules, each item classified for
 * the request's source, its explanations encoded as the store writes them; with `sketch`, each item's story sketch, from the words classifying read as the plan makes it — and answers with the feed, or
 * with the WartaError's code and message (errors cross the thread boundary as plain values; the pool makes them
 * WartaErrors again). A request with `skim` is only decoded, cut into items and digested (skim-body.ts) for the
 * main thread's skim.ts. A `rules` message replaces the rules (a reload) for the documents after it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WartaError } from '../../base/errors.js';
import { lowerThisThreadPriority } from '../../base/thread-priority.js';
import type { IngestedFeed } from '../../base/model.js';
import { canonicalParams, canonicalUrl } from '../../stories/canonical-url.js';
import { encodeSketch, sketchOf } from '../../stories/sketch.js';
import { makeClassifier, type Classifier, type ClassifierSpec } from '../../tagging/classify.js';
import type { ScannedText } from '../../tagging/types.js';
import { explainColumn } from '../../store/explain-json.js';
import { hashContent } from '../dedupe.js';
import { ingestDocument } from './ingest.js';
import { skimBody, type SkimmedBody } from './skim-body.js';

/** The tag rules and output queries in force, and the fingerprint the main thread's classifier of them has. */
export interface IngestRules {
  spec: ClassifierSpec;
  fingerprint: string;
}

/** What a thread is started with. */
export interface IngestWorkerData {
  /** Sketch every item (the story stage is on): sketchOf its title, summary and content, as story-plan.ts does. */
  sketch: boolean;
  rules: IngestRules | null;
}

/** A document to read, numbered by the pool; with `sourceId` and rules its items are classified for that source. */
export interface IngestRequest {
  seq: number;
  body: Uint8Array | string;
  contentType: string | null;
  url: string;
  now: Date;
  sourceId: string | null;
  /** With `sketch`: the tracking parameters to drop making each link's canonical URL (stories.ignore_params). */
  ignoreParams: readonly string[];
  /** Present: only skim the document (skim-body.ts), digests under `guessSite`, instead of reading it. */
  skim?: { guessSite: string | null | false };
}
/** A thread's answer. */
export type IngestReply = { ready: true } | { seq: number; feed: IngestedFeed } | { seq: number; skimmed: SkimmedBody } | { seq: number; error: { code: string; message: string } };

// The main thread (HTTP, commits) comes first when the cores are busy.
lowerThisThreadPriority();

const data = workerData as IngestWorkerData;
let rules: { classifier: Classifier; fingerprint: string } | null = null;
const setRules = (r: IngestRules | null) => (rules = r && { classifier: makeClassifier(r.spec), fingerprint: r.fingerprint });
setRules(data.rules);

function read(req: IngestRequest): IngestedFeed {
  const feed = ingestDocument(req.body, { contentType: req.contentType, url: req.url, now: req.now });
  const sourceId = req.sourceId;
  const r = sourceId === null ? null : rules;
  const params = canonicalParams(req.ignoreParams);
  for (const item of feed.items) {
    // Dedupe's fingerprint, taken here so the main thread does not hash every item of a changed feed again.
    item.contentHash = hashContent(item);
    let scanned: ScannedText | undefined;
    // As the plan does on the main thread: classified with the words kept, and the sketch made from them.
    if (r) {
      const { tags, outputs } = r.classifier.classify(item, sourceId!, data.sketch ? (words) => (scanned = words) : undefined);
      // Each tag's explanation goes back as the column's text: encoding it here, and cloning one string instead of
      // an object per match, leaves the main thread less to do and less garbage (issue 15).
      item.classified = { fingerprint: r.fingerprint, sourceId: sourceId!, tags: tags.map((t) => ({ tag: t.tag, explain: explainColumn(t.explain) })), outputs };
    }
    if (data.sketch) {
      // An item the plan finds stored already is not sketched there: made here it costs this thread only.
      const s = sketchOf({ title: item.title, summary: item.summary, content: item.content }, scanned);
      // The link's canonical URL too: URL parsing is the dearest part of it, and the main thread would do it next.
      const url = item.link ? canonicalUrl(item.link, { ignoreParams: req.ignoreParams }) : null;
      item.sketched = { sketch: s, encoded: encodeSketch(s), canonical: { url, params } };
    }
  }
  return feed;
}

parentPort!.on('message', (req: IngestRequest | { rules: IngestRules | null }) => {
  if ('rules' in req) return void setRules(req.rules);
  let reply: IngestReply;
  try {
    if (req.skim) {
      // The decoded text stays here: the main thread needs only the cut and the digests (a full read gets the bytes).
      const { doc, guessed } = skimBody(req.body as Uint8Array, req.contentType, req.url, req.skim.guessSite);
      reply = { seq: req.seq, skimmed: { decoded: null, doc, guessed } };
    } else reply = { seq: req.seq, feed: read(req) };
  } catch (err) {
    // ingestDocument throws WartaErrors only (anything else it wraps as parse_error itself).
    const e = err instanceof WartaError ? err : new WartaError('parse_error', `ingest: unexpected failure (a warta bug, please report it): ${String(err)}`);
    reply = { seq: req.seq, error: { code: e.code, message: e.message } };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true } satisfies IngestReply);
