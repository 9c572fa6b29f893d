import type { Logger } from 'pino';
import type { Config } from './config/load.js';
import { openDatabase, type Db } from './db/open.js';
import { makeStore, type Store } from './db/store.js';
import { fetchFeed, makeFetchAgent } from './pipeline/fetch.js';
import { ingestDocument } from './pipeline/ingest.js';
import type { RefreshDeps } from './pipeline/refresh.js';
import { compileTagger, type Tagger } from './tagging/index.js';
import { USER_AGENT } from './version.js';

/** The parts every command that refreshes sources shares: the database, the fetcher, the tag rules. */
export interface Runtime {
  db: Db;
  store: Store;
  refreshDeps: RefreshDeps;
  /** Replaces the tag rules in force (on reload). */
  setTagger(tagger: Tagger): void;
  close(): Promise<void>;
}

/** Opens the database (migrating it) and wires the refresh pipeline for `config`. */
export function openRuntime(config: Config, log: Logger): Runtime {
  const db = openDatabase(config.storage.path);
  const store = makeStore(db);
  for (const s of config.sources) store.sources.ensure(s.id, s.url);
  let tagger = compileTagger(config.tags.map((t) => ({ name: t.name, match: t.match })));
  const limits = {
    timeoutMs: config.fetch.timeoutMs,
    maxBody: config.fetch.maxBody,
    maxRedirects: 5,
    userAgent: USER_AGENT,
    blockPrivateAddresses: config.fetch.blockPrivateAddresses,
  };
  const agent = makeFetchAgent(limits);
  const now = () => new Date();
  return {
    db,
    store,
    refreshDeps: {
      store,
      fetch: (req) => fetchFeed(agent, req, limits, now),
      ingest: ingestDocument,
      tagger: () => tagger,
      policy: {
        minIntervalMs: config.fetch.minIntervalMs,
        maxIntervalMs: config.fetch.maxIntervalMs,
        redirectPersistAfter: config.fetch.redirectPersistAfter,
      },
      now,
      random: Math.random,
      log,
    },
    setTagger(t) {
      tagger = t;
    },
    async close() {
      await agent.close();
      db.close();
    },
  };
}
