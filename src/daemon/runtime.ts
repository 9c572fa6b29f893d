import type { Logger } from 'pino';
import type { Agent } from 'undici';
import type { Config } from '../config/load.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { fetchFeed, hostnameOf, makeFetchAgent, PAGE_LOOPBACK_ENV, type FetchLimits, type FetchResult } from '../pipeline/fetch/fetch.js';
import { availableParallelism } from 'node:os';
import type { PageReader } from '../pipeline/page/reader.js';
import { makeReaderPool } from '../pipeline/page/reader-pool.js';
import { makeIngestPool, type IngestMeta, type IngestPoolStats } from '../pipeline/feed/ingest-pool.js';
import type { RefreshDeps, RefreshPolicy } from '../pipeline/refresh.js';
import { makeClassifier, type Classifier } from '../tagging/classify.js';
import { USER_AGENT } from '../base/version.js';
import { makeStoryRuntime, type StoryRuntime } from './story-runtime.js';

/**
 * A benchmark-only switch: with it set to 1, refreshes skip the story stage (no canonical URL, sketch or cluster
 * decision; each new item is its own cluster), so `bench/ingest-instructions.ts --compare` can measure what the
 * stage costs on one input. Not a user setting: a store ingested this way has items without sketches.
 */
export const NO_STORIES_ENV = 'WARTA_BENCH_NO_STORIES';
/**
 * Bench-only: keep the last parser thread warm, resting, this long after its 10 s idle (ms; unset or 0: stopped).
 * Not the default: a warm thread held ~30 MiB of settled RSS after its full GC (bench/memory.ts 3000 50 20: 144
 * against 114 MiB), which would put 10,000 sources (125-128 MiB) over 150 MiB (BENCHMARKS.md, branch reads15).
 */
export const INGEST_WARM_ENV = 'WARTA_BENCH_INGEST_WARM_MS';

/**
 * A benchmark switch: how many feed parser threads (pipeline/feed/ingest-pool.ts) refreshes use; 0 reads feeds on
 * the main thread as before the pool, so one build measures both. Unset: one fewer than the cores, 1 to 4.
 */
export const INGEST_THREADS_ENV = 'WARTA_INGEST_THREADS';

/** Parser threads: the main thread keeps a core for HTTP, the store and the commits; at most 4 (~10-30 MB each while busy). */
function ingestThreadsOf(env: NodeJS.ProcessEnv): number {
  const set = env[INGEST_THREADS_ENV];
  // At most one per core: more only multiplies the threads' heaps (up to INGEST_HEAP_MB each) for no speed.
  if (set !== undefined && /^\d+$/.test(set)) return Math.min(Number(set), availableParallelism());
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

/** The parts every command that refreshes sources shares: the database, the fetcher, the tag rules. */
export interface Runtime {
  store: Store;
  /** The story index (issue 13) refreshes place new items with. */
  stories: StoryRuntime;
  /** One object for the daemon's lifetime; reconfigure() swaps what it points at. */
  refreshDeps: RefreshDeps;
  /**
   * Fetches one article page for a source (issue 12): only from public addresses, or, on the source's own host
   * name, from an address this process has read the source's feed from (an intranet feed's pages); on every
   * redirect hop; only http/https. A host name that resolves to a private address the feed was never read from
   * (DNS rebinding, a publisher pointing its name inside the network) is refused with blocked_address.
   */
  fetchPage(url: string, sourceUrl: string, signal?: AbortSignal): Promise<FetchResult>;
  /**
   * Reads fetched pages (articles, and `type: html` section pages) in worker threads: at most
   * min(fetch.page_concurrency, cores) at once, each within fetch.page_time_limit and a heap limit.
   */
  reader: PageReader;
  /** The feed parser threads now (pipeline/feed/ingest-pool.ts); null when feeds are read on the main thread. */
  parserStats(): IngestPoolStats | null;
  /** Applies a new config's rules, limits and sources (a reload); rejects, changing nothing, when the database stays locked. Storage and listen address need a restart. */
  reconfigure(config: Config): Promise<void>;
  close(): Promise<void>;
}

function limitsOf(config: Config, resolved?: FetchLimits['resolved']): FetchLimits {
  return {
    timeoutMs: config.fetch.timeoutMs,
    maxBody: config.fetch.maxBody,
    maxRedirects: 5,
    userAgent: USER_AGENT,
    blockPrivateAddresses: config.fetch.blockPrivateAddresses,
    ...(resolved ? { resolved } : {}),
  };
}

// The feed parsers (rss-parser, xml2js, htmlparser2, iconv-lite) load with the first body, once: not for a 304.
let feedReaderLoaded: Promise<typeof import('../pipeline/feed/ingest.js')> | undefined;
const feedReader = () => (feedReaderLoaded ??= import('../pipeline/feed/ingest.js'));

const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';

// A feed is a third party deciding which URLs warta fetches: its links never reach inside the network, whatever
// fetch.block_private_addresses says. Tests serve pages on 127.0.0.1 with PAGE_LOOPBACK_ENV=1.
function pageLimitsOf(config: Config, env: NodeJS.ProcessEnv): FetchLimits {
  return {
    ...limitsOf(config),
    blockPrivateAddresses: true,
    allowLoopback: env[PAGE_LOOPBACK_ENV] === '1',
    blockRule: "article pages are fetched only from public addresses or their source's own host",
  };
}

/**
 * The addresses sources' feeds were read from, by host name: DNS answers the feed fetcher connected with,
 * kept once a poll of that host read a feed (a failed poll proves nothing about an address).
 */
function makeFeedAddresses() {
  const answered = new Map<string, readonly string[]>();
  const read = new Map<string, Set<string>>();
  return {
    resolved(hostname: string, addresses: readonly string[]) {
      answered.set(hostname.toLowerCase(), addresses);
    },
    feedRead(url: string) {
      const host = hostnameOf(url);
      const seen = host === null ? undefined : answered.get(host);
      if (!host || !seen) return; // an IP literal: no DNS, nothing to remember
      let set = read.get(host);
      if (!set) read.set(host, (set = new Set()));
      for (const a of seen) set.add(a);
    },
    has(hostname: string, address: string): boolean {
      return read.get(hostname.toLowerCase())?.has(address) ?? false;
    },
  };
}

function policyOf(config: Config): RefreshPolicy {
  return {
    minIntervalMs: config.fetch.minIntervalMs,
    maxIntervalMs: config.fetch.maxIntervalMs,
    redirectPersistAfter: config.fetch.redirectPersistAfter,
  };
}

/**
 * Opens the store (migrating it) and wires the refresh pipeline for `config`. `role` says how the store waits
 * for other processes' locks: the daemon never on its event loop, a one-shot command may. `checkpointThread`
 * (`warta start` only: someone waits on its event loop; `warta fetch` has no one) moves SQLite's WAL checkpoints
 * off the commits (store/sqlite/checkpointer.ts).
 */
export async function openRuntime(config: Config, log: Logger, role: 'daemon' | 'command' = 'daemon', env: NodeJS.ProcessEnv = process.env, opts: { checkpointThread?: boolean } = {}): Promise<Runtime> {
  const store = await openStore(config.storage, {
    role,
    checkpointThread: opts.checkpointThread ?? false,
    onCheckpointFallback: (reason) => log.warn(`SQLite checkpoints run inside commits again, on the main thread: ${reason}`),
  });
  try {
    await store.sources.ensure(config.sources);
  } catch (err) {
    await store.close();
    throw err;
  }
  let classifier: Classifier = makeClassifier(config);
  const feedAddresses = makeFeedAddresses();
  const resolved = feedAddresses.resolved;
  let limits = limitsOf(config, resolved);
  let agent: Agent = makeFetchAgent(limits);
  let pageLimits = pageLimitsOf(config, env);
  let pageAgent: Agent = makeFetchAgent(pageLimits);
  // Pages on their source's own host name: a private address only where the source's feed was read from.
  const ownHostLimits = (l: FetchLimits): FetchLimits => ({
    ...l,
    allowAddress: feedAddresses.has,
    blockRule: "article pages are fetched only from public addresses, or from the address their source's feed is read from",
  });
  let ownHostAgent: Agent = makeFetchAgent(ownHostLimits(pageLimits));
  const now = () => new Date();
  let fetchSettings = config.fetch;
  const reader = makeReaderPool({
    size: () => Math.max(1, Math.min(fetchSettings.pageConcurrency, availableParallelism())),
    timeLimitMs: () => fetchSettings.pageTimeLimitMs,
  });
  // Feeds are read on parser threads (started with the first body: a 304 starts none), or here when set to 0. The
  // threads classify the items (the rules are sent again on reload; a refresh checks their fingerprint) and, with
  // the story stage on, sketch them: the main thread plans, judges stories against the index and commits.
  const ingestThreads = ingestThreadsOf(env);
  let storySettings = config.stories;
  const rulesOf = (c: Classifier) => ({ spec: c.spec, fingerprint: c.fingerprint });
  const readHere = async (body: Uint8Array | string, meta: IngestMeta) => (await feedReader()).ingestDocument(body, meta);
  const ingestPool = ingestThreads > 0
    ? makeIngestPool({
      size: ingestThreads, sketch: env[NO_STORIES_ENV] !== '1', ignoreParams: () => storySettings.ignoreParams, rules: rulesOf(classifier), fallback: readHere,
      ...(/^\d+$/.test(env[INGEST_WARM_ENV] ?? '') && { warmMs: Number(env[INGEST_WARM_ENV]) }),
      onFallback: (error) => log.warn({ error: { code: error.code, message: error.message } }, `feeds are read on the main thread: no parser thread could start (${error.message})`),
    })
    : null;
  const stories = makeStoryRuntime(store, () => storySettings, now, log);
  const refreshDeps: RefreshDeps = {
    store,
    fetch: (req) => fetchFeed(agent, req, limits, now),
    ingest: ingestPool ? (body, meta) => ingestPool.ingest(body, meta) : readHere,
    cut: ingestPool ?? undefined,
    classifier: () => classifier,
    policy: policyOf(config),
    now,
    random: Math.random,
    log,
    // The bench-only switch measures ingest without the story stage (items stored as their own cluster).
    stories: env[NO_STORIES_ENV] === '1' ? undefined : stories,
    reader,
    feedRead: feedAddresses.feedRead,
  };
  return {
    store,
    stories,
    refreshDeps,
    reader,
    parserStats: () => ingestPool?.stats() ?? null,
    fetchPage(url, sourceUrl, signal) {
      const hostname = hostnameOf(sourceUrl);
      const trusted = hostname ? { hostname, dispatcher: ownHostAgent } : undefined;
      return fetchFeed(pageAgent, { url, etag: null, lastModified: null, accept: HTML_ACCEPT, signal, trusted }, pageLimits, now);
    },
    async reconfigure(next) {
      // First, so a database locked past the busy policy leaves the running config wholly in force.
      await store.sources.ensure(next.sources);
      classifier = makeClassifier(next);
      ingestPool?.setRules(rulesOf(classifier));
      // A wider window needs members the index let go: read the window again at the next refresh.
      if (next.stories.windowMs > storySettings.windowMs) stories.reset();
      storySettings = next.stories;
      fetchSettings = next.fetch;
      refreshDeps.policy = policyOf(next);
      const nextLimits = limitsOf(next, resolved);
      if (JSON.stringify(nextLimits) !== JSON.stringify(limits)) {
        const old = agent;
        limits = nextLimits;
        agent = makeFetchAgent(limits);
        // Fetches already on the old pool finish there.
        void old.close().catch(() => {});
        const oldPages = pageAgent;
        pageLimits = pageLimitsOf(next, env);
        pageAgent = makeFetchAgent(pageLimits);
        void oldPages.close().catch(() => {});
        const oldOwn = ownHostAgent;
        ownHostAgent = makeFetchAgent(ownHostLimits(pageLimits));
        void oldOwn.close().catch(() => {});
      }
    },
    async close() {
      await ingestPool?.close();
      await reader.close();
      await agent.close();
      await pageAgent.close();
      await ownHostAgent.close();
      await store.close();
    },
  };
}
