/**
 * Conformance run over the third-party corpora in ../shared/corpora (feedparser and gofeed test suites).
 *
 *   npx tsx test/conformance/run.ts [--verbose]
 *
 * Every file goes through ingestDocument in a worker thread watched by a per-file time bound; a crash is any
 * exception that is not a WartaError (or is the ingest stage's "unexpected failure" wrapper). Then the checkable
 * facts are compared: feedparser's dates through parseDate, feedparser's `expect` expressions on titles, links,
 * ids, dates and encodings, and gofeed's translator expectations. Failures listed in known-failures.json (with
 * a reason each) are reported apart; exit status 1 means a crash, a hang or an unexpected failure.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { WartaError } from '../../src/base/errors.js';
import type { IngestedFeed } from '../../src/base/model.js';
import { ingestDocument } from '../../src/pipeline/feed/ingest.js';
import { feedparserChecks, gofeedChecks, dateChecks, type Check } from './checks.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORPORA = resolve(ROOT, '../shared/corpora');
const HANG_MS = 10_000;
/** Far ahead, so the future-date rule does not hide the dates under test. */
const NOW = '2100-01-01T00:00:00Z';

export interface Task {
  file: string;
  rel: string;
  contentType: string | null;
  url: string;
}

export type Outcome =
  | { kind: 'feed'; feed: IngestedFeed; ms: number }
  | { kind: 'error'; code: string | null; message: string; crash: boolean; ms: number }
  | { kind: 'hang' };

function runWorker(): void {
  const { tasks, from } = workerData as { tasks: Task[]; from: number };
  const now = new Date(NOW);
  for (let i = from; i < tasks.length; i++) {
    const task = tasks[i]!;
    parentPort!.postMessage({ kind: 'start', index: i });
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      const feed = ingestDocument(readFileSync(task.file), { contentType: task.contentType, url: task.url, now });
      outcome = { kind: 'feed', feed, ms: performance.now() - t0 };
    } catch (err) {
      const wrapped = err instanceof WartaError && err.message.startsWith('ingest: unexpected failure');
      outcome = {
        kind: 'error',
        code: err instanceof WartaError ? err.code : null,
        message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        crash: !(err instanceof WartaError) || wrapped,
        ms: performance.now() - t0,
      };
    }
    parentPort!.postMessage({ kind: 'done', index: i, outcome });
  }
}

/**
 * Node 20 does not pass tsx's loader to worker threads, so the worker registers it before importing this file.
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;

/** Runs the tasks in a worker; a file that exceeds the time bound is a hang, and the run resumes after it. */
async function runAll(tasks: Task[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(tasks.length);
  let from = 0;
  while (from < tasks.length) {
    from = await new Promise<number>((next) => {
      const worker = new Worker(WORKER_BOOT, {
        eval: true,
        workerData: { tasks, from },
        resourceLimits: { maxOldGenerationSizeMb: 1024 },
      });
      let current = from;
      let started = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          outcomes[current] = { kind: 'hang' };
          void worker.terminate();
          next(current + 1);
        }, HANG_MS);
      };
      worker.on('message', (m: { kind: 'start'; index: number } | { kind: 'done'; index: number; outcome: Outcome }) => {
        started = true;
        if (m.kind === 'start') current = m.index;
        else outcomes[m.index] = m.outcome;
        arm();
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        if (!started) {
          console.error('conformance: the worker did not start:', err);
          process.exit(2);
        }
        outcomes[current] = { kind: 'error', code: null, message: String(err), crash: true, ms: 0 };
        next(current + 1);
      });
      worker.on('exit', () => {
        clearTimeout(timer);
        next(tasks.length);
      });
      arm();
    });
  }
  return outcomes;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

interface Expectation {
  path: string;
  group: string;
  expect: string | null;
  headers: Record<string, string> | null;
}

function header(headers: Record<string, string> | null, name: string): string | null {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
  return key === undefined ? null : headers![key]!;
}

/** Content-Location names the document's URL when a server sends one (feedparser's base tests); http(s) only. */
function documentUrl(docUri: string, exp: Expectation | undefined): string {
  const location = header(exp?.headers ?? null, 'content-location');
  if (location === null) return docUri;
  try {
    const url = new URL(location, docUri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : docUri;
  } catch {
    return docUri;
  }
}

/** Pass rates per folder: "feedparser/tests/wellformed/atom10", "gofeed/testdata/translator/rss". */
function folderOf(rel: string): string {
  const parts = rel.split('/');
  return parts.slice(0, Math.min(parts.length - 1, 4)).join('/');
}

async function main(): Promise<void> {
  if (!existsSync(CORPORA)) {
    console.log(`conformance: skipped — ${relative(process.cwd(), CORPORA)} is absent (the corpora live beside the repo)`);
    return;
  }
  const verbose = process.argv.includes('--verbose');
  const known = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'known-failures.json'), 'utf8')) as Record<
    string,
    string
  >;
  const expectations = JSON.parse(readFileSync(join(CORPORA, 'feedparser/expectations.json'), 'utf8')) as Expectation[];
  const byPath = new Map(expectations.map((e) => [`feedparser/${e.path}`, e]));

  const tasks: Task[] = [];
  for (const base of ['feedparser/tests', 'gofeed/testdata']) {
    for (const file of listFiles(join(CORPORA, base))) {
      const rel = relative(CORPORA, file).split('\\').join('/');
      const exp = byPath.get(rel);
      const docUri = `http://127.0.0.1:8097/${rel.replace(/^feedparser\//, '')}`;
      tasks.push({ file, rel, contentType: header(exp?.headers ?? null, 'content-type'), url: documentUrl(docUri, exp) });
    }
  }

  const started = performance.now();
  const outcomes = await runAll(tasks);
  const outcomeOf = new Map(tasks.map((t, i) => [t.rel, outcomes[i]!]));

  const checks: Check[] = [
    ...dateChecks(CORPORA),
    ...feedparserChecks(CORPORA, expectations, outcomeOf, tasks),
    ...gofeedChecks(CORPORA, outcomeOf),
  ];

  // Per-folder table.
  interface Row { files: number; crashes: number; hangs: number; errors: number; pass: number; total: number; known: number }
  const rows = new Map<string, Row>();
  const row = (folder: string) => {
    let r = rows.get(folder);
    if (!r) rows.set(folder, (r = { files: 0, crashes: 0, hangs: 0, errors: 0, pass: 0, total: 0, known: 0 }));
    return r;
  };
  const crashes: string[] = [];
  tasks.forEach((t, i) => {
    const r = row(folderOf(t.rel));
    const o = outcomes[i]!;
    r.files++;
    if (o.kind === 'hang') (r.hangs++, crashes.push(`HANG  ${t.rel}`));
    else if (o.kind === 'error' && o.crash) (r.crashes++, crashes.push(`CRASH ${t.rel}: ${o.message}`));
    else if (o.kind === 'error') r.errors++;
  });
  const unexpected: Check[] = [];
  const stale: string[] = [];
  for (const c of checks) {
    const r = row(c.folder);
    r.total++;
    if (c.pass) {
      r.pass++;
      if (known[c.id] !== undefined) stale.push(c.id);
    } else if (known[c.id] !== undefined) r.known++;
    else unexpected.push(c);
  }

  const pct = (a: number, b: number) => (b === 0 ? '    –' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
  console.log(`${'folder'.padEnd(46)} files crash hang  errors  checks passed   rate  known`);
  for (const [folder, r] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(
      `${folder.padEnd(46)} ${String(r.files).padStart(5)} ${String(r.crashes).padStart(5)} ${String(r.hangs).padStart(4)}` +
        `  ${String(r.errors).padStart(6)}  ${String(r.total).padStart(6)} ${String(r.pass).padStart(6)} ${pct(r.pass, r.total)}` +
        `  ${String(r.known).padStart(5)}`,
    );
  }

  const rate = (filter: (c: Check) => boolean) => {
    const sel = checks.filter(filter);
    const pass = sel.filter((c) => c.pass).length;
    return `${pass}/${sel.length} (${pct(pass, sel.length).trim()})`;
  };
  const totalCrashes = outcomes.filter((o) => o.kind === 'error' && o.crash).length;
  const totalHangs = outcomes.filter((o) => o.kind === 'hang').length;
  const slowest = tasks
    .map((t, i) => ({ rel: t.rel, ms: (outcomes[i] as { ms?: number }).ms ?? HANG_MS }))
    .sort((a, b) => b.ms - a.ms)[0];
  console.log('');
  console.log(`files ${tasks.length}, crashes ${totalCrashes}, hangs ${totalHangs}, in ${((performance.now() - started) / 1000).toFixed(1)} s` +
    (slowest ? ` (slowest ${slowest.ms.toFixed(0)} ms: ${slowest.rel})` : ''));
  console.log(`gofeed translator fields:                    ${rate((c) => c.kind === 'gofeed')}`);
  console.log(`feedparser wellformed title/link/id/date:    ${rate((c) => c.kind === 'feedparser' && c.folder.includes('/wellformed/'))}`);
  console.log(`feedparser entities (feed/entry titles):     ${rate((c) => c.kind === 'feedparser' && c.folder.endsWith('/entities'))}`);
  console.log(`feedparser encoding cases:                   ${rate((c) => c.kind === 'feedparser' && c.folder.endsWith('/encoding'))}`);
  console.log(`feedparser dates.json via parseDate:         ${rate((c) => c.kind === 'date')}`);
  console.log(`known failures: ${checks.filter((c) => !c.pass && known[c.id] !== undefined).length}` +
    ` (see test/conformance/known-failures.json)`);

  for (const line of crashes) console.log(line);
  if (unexpected.length) {
    console.log(`\n${unexpected.length} unexpected failure(s)${verbose ? '' : ' (first 40; --verbose for all)'}:`);
    for (const c of verbose ? unexpected : unexpected.slice(0, 40)) console.log(`  ${c.id}\n      ${c.detail}`);
  }
  if (stale.length) {
    console.log(`\n${stale.length} known failure(s) now pass — remove them from known-failures.json:`);
    for (const id of stale) console.log(`  ${id}`);
  }
  process.exitCode = totalCrashes + totalHangs + unexpected.length > 0 ? 1 : 0;
}

if (!isMainThread) runWorker();
else await main();
