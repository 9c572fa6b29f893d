/**
 * A feed parser thread (ingest-pool.ts starts it): reads one document per message — decode, parse, normalize, as
 * ingestDocument does on any thread; each item's content hash (dedupe's); with rules, each item classified for
 * the request's source, its explanations encoded as the store writes them; with `sketch`, each item's story sketch, from the words classifying read as the plan makes it — and answers with the feed, or
 * with the WartaError's code and message (errors cross the thread boundary as plain values; the pool makes them
 * WartaErrors again). A request with `skim` is only decoded, cut into items and digested (skim-body.ts) for the
 * main thread's skim.ts, which asks the store which digests it knows; the decoded text and the cut stay here
 * (kept, a bounded few) for the request with `cut` that follows: the document read without the known items, or,
 * for a first read (no skim before it), decoded, cut, read and digested in one answer (readSkimmed). A `rules`
 * message replaces the rules (a reload) for the documents after it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
import { readSkimmed, skimBody, type CutMeta, type CutRead, type SkimmedBody, type SkimmedCut } from './skim-body.js';

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
  /** Present: only skim the document (skim-body.ts), digests under `guessSite`, and keep its text for a `cut`. */
  skim?: { guessSite: string | null | false };
  /** Present: read the document as readSkimmed does (`kept`: the `seq` of the skim whose text this thread may keep). */
  cut?: Omit<CutMeta, 'kept'> & { kept: number | null };
}
/** Messages besides documents: new rules (a reload), or rest (the pool keeps this thread warm, idle). */
export type IngestControl = { rules: IngestRules | null } | { rest: true };
/** A thread's answer. */
export type IngestReply =
  | { ready: true }
  | { seq: number; feed: IngestedFeed }
  | { seq: number; skimmed: Omit<SkimmedCut, 'kept'> }
  | { seq: number; cut: CutRead }
  | { seq: number; error: { code: string; message: string } };

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

/**
 * Skims whose read has not come yet, by seq, oldest first. Bounded: one whose read never comes (the store failed in
 * between) or comes late is dropped, and that read decodes and cuts the bytes again.
 */
const kept = new Map<number, SkimmedBody>();
const KEPT_MAX = 64;
// Characters: up to 2 bytes each in V8 (a two-byte string), so at most ~8 MiB of kept text per thread.
const KEPT_MAX_CHARS = 4 << 20;
let keptChars = 0;
function keep(seq: number, skimmed: SkimmedBody): void {
  if (!skimmed.doc || skimmed.decoded === null || skimmed.decoded.length > KEPT_MAX_CHARS) return;
  kept.set(seq, skimmed);
  keptChars += skimmed.decoded.length;
  for (const [s, k] of kept) {
    if (kept.size <= KEPT_MAX && keptChars <= KEPT_MAX_CHARS) break;
    take(s, k);
  }
}
function take(seq: number, k: SkimmedBody): SkimmedBody {
  kept.delete(seq);
  keptChars -= k.decoded!.length;
  return k;
}

async function answer(req: IngestRequest): Promise<IngestReply> {
  const body = req.body as Uint8Array;
  if (req.skim) {
    // The decoded text and the cut stay here for the read (sending them back cost the main thread more).
    const skimmed = skimBody(body, req.contentType, req.url, req.skim.guessSite);
    keep(req.seq, skimmed);
    return { seq: req.seq, skimmed: { items: skimmed.doc?.items.length ?? null, guessed: skimmed.guessed } };
  }
  if (req.cut) {
    const { guessSite, skip, kept: from } = req.cut;
    const had = from === null ? undefined : kept.get(from);
    const skimmed = had ? take(from!, had) : skimBody(body, req.contentType, req.url, guessSite);
    const cut = await readSkimmed(skimmed, body, { contentType: req.contentType, url: req.url, guessSite, skip }, (input, contentType) => read({ ...req, body: input, contentType }));
    return { seq: req.seq, cut };
  }
  return { seq: req.seq, feed: read(req) };
}

/** A full GC of this thread's heap (gc() as --expose-gc gives it, taken from a fresh context: daemon/heap.ts). */
function compact(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

parentPort!.on('message', async (req: IngestRequest | IngestControl) => {
  if ('rules' in req) return void setRules(req.rules);
  if ('rest' in req) {
    // Kept idle between ticks: what the burst left (its garbage, skims whose read never came) is given back.
    kept.clear();
    keptChars = 0;
    return compact();
  }
  let reply: IngestReply;
  try {
    reply = await answer(req);
  } catch (err) {
    // ingestDocument throws WartaErrors only (anything else it wraps as parse_error itself).
    const e = err instanceof WartaError ? err : new WartaError('parse_error', `ingest: unexpected failure (a warta bug, please report it): ${String(err)}`);
    reply = { seq: req.seq, error: { code: e.code, message: e.message } };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true } satisfies IngestReply);
