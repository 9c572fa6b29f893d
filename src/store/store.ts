/**
 * The store: everything warta keeps between polls (sources' state, items with their tags and outputs,
 * tombstones, re-tag progress), behind one asynchronous interface so SQLite (src/store/sqlite/) and
 * PostgreSQL (src/store/postgres/) fit behind it alike. It speaks plain data, holds no callbacks and decides nothing: the pipeline
 * decides identity, dedupe and classification, and the store writes what was decided, re-checking content
 * hashes so that a plan made from a stale read is harmless. Failures reach callers as WartaError `storage`
 * (or `busy` for a read that met another process's lock); how an implementation waits for locks is its own.
 * Nothing here imports from the pipeline, tagging, HTTP or publishing code.
 */
import type { StoredItem, TagExplanation } from '../base/model.js';

/** Health of a source as admins see it. */
export type SourceHealth = 'ok' | 'degraded' | 'failing' | 'gone';

/** A source's row: what warta remembers between polls. */
export interface SourceRow {
  id: string;
  url: string;
  title: string | null;
  siteUrl: string | null;
  etag: string | null;
  lastModified: string | null;
  bodyHash: string | null;
  parser: string | null;
  format: string | null;
  state: SourceHealth;
  lastStatus: number | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  consecutiveFailures: number;
  totalFailures: number;
  notModifiedCount: number;
  lastPoll: Date | null;
  lastSuccess: Date | null;
  heldUntil: Date | null;
  hintUntil: Date | null;
  feedHintMs: number | null;
  effectiveUrl: string | null;
  redirectTarget: string | null;
  redirectSeen: number;
}

/** What one poll changes on a source row. Absent fields keep their stored value. */
export interface PollRecord {
  now: Date;
  status: number | null;
  state: SourceHealth;
  error: { code: string; message: string } | null;
  consecutiveFailures: number;
  notModified?: boolean;
  success?: boolean;
  heldUntil?: Date | null;
  hintUntil?: Date | null;
  feedHintMs?: number | null;
  /** The permanent-redirect bookkeeping after this poll (absent: unchanged). */
  redirect?: { target: string | null; seen: number; effectiveUrl?: string | null };
  validators?: { etag: string | null; lastModified: string | null; bodyHash: string | null };
  feed?: { title: string | null; siteUrl: string | null; parser: string; format: string };
}

/** One match of a tag's rule, as the store keeps it (a TagExplanation without its tag). */
export type StoredMatch = Omit<TagExplanation, 'tag'>;

/** A tag as a classifier gives it: with every match that made it apply. */
export interface MatchedTag {
  tag: string;
  explain: StoredMatch[];
}

/** A tag an item carries, with why. */
export interface AppliedTag {
  tag: string;
  /**
   * Why: the matches, or already the column's text (encodeExplain of them) when the item was classified on a
   * parser thread (pipeline/feed/ingest-worker.ts), so the main thread neither encodes them nor receives them as
   * objects (issue 15: cloning and encoding them was a fifth of a cold ingest's main thread).
   */
  explain: StoredMatch[] | string;
}

/** What the store holds under one of a source's dedupe keys (refresh planning reads these). */
export interface ExistingItem {
  id: number;
  key: string;
  contentHash: string;
  /** RFC 3339, as stored. */
  published: string;
  link: string | null;
  /** The digest of the raw text the row was last written from (pipeline/skim.ts); null when none was taken. */
  rawDigest: string | null;
}

/** A stored item found by the digest of its raw text: what a refresh needs to leave it unparsed. */
export interface KnownRow {
  key: string;
  guid: string | null;
  link: string | null;
  contentHash: string;
}

/** The answer to items.lookup(): the stored items under the keys asked, and which keys retention pruned. */
export interface Lookup {
  byKey: ReadonlyMap<string, ExistingItem>;
  tombstoned: ReadonlySet<string>;
}

/** The fields of an item the store writes, as the pipeline decided them. */
export interface ItemWrite {
  key: string;
  guid: string | null;
  link: string | null;
  title: string;
  summary: string | null;
  content: string | null;
  author: string | null;
  categories: readonly string[];
  updated: Date;
  contentHash: string;
  /** The digest of the raw item text this was read from (pipeline/skim.ts); null or absent: none (cleared). */
  rawDigest?: string | null;
  tags: readonly AppliedTag[];
  /** Ids of query outputs the item enters. */
  outputs: readonly string[];
  /**
   * The article's canonical URL: the page's rel=canonical when it was read, else the link without tracking
   * parameters (src/stories/ canonicalUrl). Absent: not computed (an update keeps the stored one).
   */
  canonicalUrl?: string | null;
  /** Fetch this item's page (a full_text source): the commit also queues it, replacing any earlier page's fate. */
  page?: PageRequest | null;
}

/**
 * Which story a new item joins, as the pipeline decided it (src/stories/): a stored cluster by its id, the cluster
 * of an earlier insert of the same commit by its index, or null for a cluster of its own.
 */
export type ClusterTarget = number | { insert: number } | null;

/** What a refresh decided about a new item's story (issue 13). */
export interface ItemStory {
  /** The encoded sketch (src/stories/ encodeSketch); null when none was built. */
  sketch: string | null;
  /** The cluster it joins. A stored cluster that has no member any more (pruned meanwhile) becomes its own. */
  cluster: ClusterTarget;
  /**
   * Another source's stored item with the same canonical URL: this row is an appearance of it (published once,
   * as that item; the source is recorded as carrying it). A target gone meanwhile makes it a plain item.
   */
  appearanceOf: number | null;
  /**
   * Another source's stored article that only relayed this item's canonical URL (an aggregator stored before the
   * outlet): this item takes it over. In the same transaction this item becomes the article, in that row's
   * cluster (`cluster` is used only when the row is gone); that row and its appearances become appearances of
   * this item. A row that became an appearance meanwhile makes this an appearance of its article.
   */
  takeOver?: number | null;
}

/** An item's page to fetch, queued by the commit that writes the item. */
export interface PageRequest {
  url: string;
  /** 'full': the article becomes the published content; 'tag_only': it is kept for tagging only. */
  mode: 'full' | 'tag_only';
  /** The feed gave the item a date: the page's date is not used. */
  feedDated: boolean;
}

/** A queued page, claimed for fetching, with the item as the feed gave it (for classifying it again). */
export interface PageJob {
  itemId: number;
  sourceId: string;
  url: string;
  mode: 'full' | 'tag_only';
  feedDated: boolean;
  /** Failed attempts so far. */
  attempts: number;
  /** The item's content hash when claimed: a feed change since then makes complete() a no-op. */
  contentHash: string;
  item: { title: string; summary: string | null; content: string | null; author: string | null; link: string | null; categories: string[] };
}

/** What a fetched page changes on its item, as the pipeline decided it. */
export interface PageDone {
  itemId: number;
  /** Written only while the item still has this content hash. */
  expectedHash: string;
  now: Date;
  /** 'full': the article, published as the item's content, and the summary beside it (the feed's text). */
  publish: { content: string; summary: string | null } | null;
  /** 'tag_only': the article HTML that tagging reads; never published. */
  article: string | null;
  keywords: readonly string[];
  /** The item's categories with the publisher's keywords merged in. */
  categories: readonly string[];
  /** The page's date for an item the feed gave none; null: the stored date stays. */
  published: Date | null;
  tags: readonly AppliedTag[];
  outputs: readonly string[];
  /** The page's headline, replacing the item's title (type: html sources, whose titles are link texts); null: kept. */
  title?: string | null;
  /** The page's rel=canonical / og:url: becomes the item's canonical URL (stories match articles by it). */
  canonicalUrl?: string | null;
}

/** A page that could not be read: recorded on the item, retried at `retryAt` or never (null). */
export interface PageFailure {
  itemId: number;
  now: Date;
  error: { code: string; message: string };
  retryAt: Date | null;
}

/** An item's page as the API shows it. */
export interface PageStatus {
  state: 'pending' | 'done' | 'failed';
  attempts: number;
  error: { code: string; message: string } | null;
}

/** A new item: written only if nothing is stored under its key yet and its key was not pruned. */
export interface ItemInsert extends ItemWrite {
  uid: string;
  published: Date;
  firstSeen: Date;
  /** Its story; absent: its own cluster, no canonical URL or sketch yet (the re-cluster job fills them in). */
  story?: ItemStory;
}

/** A changed item: written only if the stored row still has `expectedHash` (else another writer got there first). */
export interface ItemUpdate extends ItemWrite {
  id: number;
  expectedHash: string;
  published: Date;
}

/** Everything one refresh of one source writes, in one transaction. */
export interface RefreshCommit {
  sourceId: string;
  inserts: readonly ItemInsert[];
  updates: readonly ItemUpdate[];
  poll: PollRecord;
  /** The source's `max_items`: after writing, only its newest this many items stay (the rest leave tombstones). */
  maxItems?: number | null;
  /** Unchanged rows given the digest of the raw text they were read from again (written only where the id exists). */
  digests?: readonly { id: number; rawDigest: string }[];
}

/** What a commit wrote; `stale` counts planned writes dropped because the store changed since the lookup. */
export interface CommitResult {
  inserted: number;
  updated: number;
  stale: number;
  /** Items removed to keep the source within its max_items. */
  pruned: number;
  /** Where each inserted item landed (by its index in `inserts`), present when any insert carried a story. */
  placed?: PlacedItem[];
}

/** An inserted item's id and cluster as committed. */
export interface PlacedItem {
  index: number;
  id: number;
  clusterId: number;
  appearanceOf: number | null;
  /** The article this item took over (ItemStory.takeOver), now its appearance. */
  tookOver?: number;
}

/** Another source's article stored under a canonical URL, with what its source is read from (whose site it is). */
export interface CanonicalArticle {
  id: number;
  sourceId: string;
  /** The source's feed URL and the feed's site link as stored (null where unknown). */
  sourceUrls: (string | null)[];
}

/** The item whose uid a published entry carries: the first stored row of its article (see StoryStore.firstStored). */
export interface FirstStored {
  id: number;
  uid: string;
}

/** Which items an output shows. */
export interface OutputFilter {
  /** Carrying any of these tags (none: no tag filter). */
  tags: readonly string[];
  /** In this query output (null: no query). */
  output: string | null;
  /** From these sources (none: all). */
  sources: readonly string[];
  /** Never from these sources (private sources, in a public feed). */
  excludeSources?: readonly string[];
  limit: number;
}

/** One member of the story index (src/stories/ StoryIndex) as stored. */
export interface StoryRow {
  id: number;
  sourceId: string;
  clusterId: number;
  published: Date;
  /** Encoded sketch; null for an item not sketched yet. */
  sketch: string | null;
}

/** An item the re-cluster job reads: the text a sketch is built from. */
export interface SketchRow {
  id: number;
  sourceId: string;
  link: string | null;
  canonicalUrl: string | null;
  title: string;
  summary: string | null;
  content: string | null;
  published: Date;
  clusterId: number;
  sketch: string | null;
}

/** A re-cluster job's decision for one stored item. */
export interface StoryChange {
  id: number;
  canonicalUrl: string | null;
  sketch: string | null;
  clusterId: number;
}

/** Which stories to list (`/api/clusters`). */
export interface ClusterFilter {
  /** Stories with at least one member carrying this tag (null: any). */
  tag: string | null;
  /** Stories whose newest member was published at or after this. */
  since: Date | null;
  /** Members from these sources are left out (private sources for a public view). */
  excludeSources?: readonly string[];
  limit: number;
}

/** A story with its members (appearances left out), earliest member first. */
export interface StoredCluster {
  clusterId: number;
  members: StoredItem[];
}

/** One page of the API's item listing, newest first, below an optional (published, id) cursor. */
export interface BrowseFilter {
  /** Only the items of this story (appearances included). */
  cluster?: number | null;
  tag: string | null;
  source: string | null;
  since: Date | null;
  before: { published: string; id: number } | null;
  limit: number;
}

/** A stored item as re-tagging reads it: what classifying needs, and what is stored for it now. */
export interface RetagRow {
  id: number;
  sourceId: string;
  contentHash: string;
  item: { title: string; summary: string | null; content: string | null; author: string | null; link: string | null; categories: string[]; keywords?: string[] };
  /** Tag → its stored explain column (encodeExplain's text). */
  tags: ReadonlyMap<string, string | null>;
  outputs: ReadonlySet<string>;
}

/** An item whose tags, outputs or tag explanations the current rules decide differently from what is stored. */
export interface RetagChange {
  id: number;
  /**
   * The content the classification was made from (RetagRow.contentHash: the item's content hash, with when its
   * article page was last read): the change is dropped if a refresh rewrote the item, or a page was read, since.
   */
  contentHash: string;
  tags: AppliedTag[];
  /** Per tag of `tags`, its explain column as encodeExplain() writes it. */
  explains: string[];
  outputs: string[];
}

/** Where a re-tag pass stands: the rules the store follows, and the progress of an interrupted pass. */
export interface RetagState {
  /** The fingerprint of the rules every item follows; `pending:<fingerprint>` while a pass runs; null: never. */
  fingerprint: string | null;
  progress: { fingerprint: string; after: number } | null;
  /** When a pass last changed what is published (feeds show it as their update time). */
  changedAt: Date | null;
}

/** What one retention pass removed. */
export interface PruneResult {
  byAge: number;
  byCount: number;
}

/** Options of a write: `signal` ends a wait for a lock held elsewhere (shutdown). */
export interface WriteOptions {
  signal?: AbortSignal;
}

/** The store's sources. */
export interface SourceStore {
  /** The source's row, or null before the store has seen it. */
  get(id: string): Promise<SourceRow | null>;
  /** Every source row, by id. */
  all(): Promise<SourceRow[]>;
  /** Creates the rows of configured sources, or updates their URLs (a new URL forgets the old validators). */
  ensure(list: readonly { id: string; url: string }[], opts?: WriteOptions): Promise<void>;
  /** Writes the outcome of one poll that stored no items (changes nothing published). */
  recordPoll(id: string, poll: PollRecord, opts?: WriteOptions): Promise<void>;
  /** Stored items per source id. */
  itemCounts(): Promise<Map<string, number>>;
  /** How many source rows are `failing` or `gone` (the `/metrics` gauge: counted by the database, no rows read). */
  countFailing(): Promise<number>;
  /**
   * A problem found outside a poll (an article page's content_selector matched nothing): an `ok` source becomes
   * `degraded` with this error, a worse state stays. A poll record writes the state it is given (the refresh
   * keeps this problem while it lasts), and clearDegraded() ends it.
   */
  markDegraded(id: string, error: { code: string; message: string }, opts?: WriteOptions): Promise<void>;
  /** The problem markDegraded() recorded is over: a `degraded` source whose error is exactly `error` becomes `ok`. */
  clearDegraded(id: string, error: { code: string; message: string }, opts?: WriteOptions): Promise<void>;
}

/** The store's items. */
export interface ItemStore {
  /** What is stored under these dedupe keys of one source, and which of them retention pruned. */
  lookup(sourceId: string, keys: readonly string[]): Promise<Lookup>;
  /** The source's stored items last written from raw texts with these digests, by digest. */
  known(sourceId: string, digests: readonly string[]): Promise<Map<string, KnownRow>>;
  /** Writes one refresh: new and changed items with their tags and outputs, and the poll's outcome. */
  commitRefresh(c: RefreshCommit, opts?: WriteOptions): Promise<CommitResult>;
  /** The newest items for an output. */
  select(f: OutputFilter): Promise<StoredItem[]>;
  /** One page of items for the API. */
  browse(f: BrowseFilter): Promise<StoredItem[]>;
  /** One item by its number, its uid (`urn:uuid:…`) or its link; null when none. */
  find(ref: { id: number } | { uid: string } | { link: string }): Promise<StoredItem | null>;
  /** Stored items per tag name. */
  countsByTag(): Promise<Map<string, number>>;
}

/** Stories (issue 13): what the in-memory story index is built from, and what outputs and the API read. */
export interface StoryStore {
  /** For each of these canonical URLs stored from a source other than `sourceId`: the article first stored under it. */
  byCanonical(sourceId: string, urls: readonly string[]): Promise<Map<string, CanonicalArticle>>;
  /**
   * For each of these articles whose first stored row is an appearance (a relay stored before the outlet's own
   * item took over): that row's id and uid, which its published entry keeps. Articles not taken over are absent.
   */
  firstStored(itemIds: readonly number[]): Promise<Map<number, FirstStored>>;
  /**
   * How far below the newest id read a row may still become visible: 0 where ids are handed out in commit order
   * (SQLite: one writer at a time); more on PostgreSQL, where a transaction takes its ids from a sequence before
   * it commits, so a lower id can appear after a higher one was read. A catch-up re-reads that many ids.
   */
  readonly lateIds: number;
  /** The highest item id stored (0 when there is none): where a catch-up read can stop. */
  newestId(): Promise<number>;
  /**
   * Sketched items (no appearances) published at or after `since` with `afterId < id ≤ uptoId`, by id, at most
   * `limit`. Reads by id: for the short range stored since the last read (a catch-up), never the whole table.
   */
  members(since: Date, afterId: number, uptoId: number, limit: number): Promise<StoryRow[]>;
  /**
   * The window: sketched items (no appearances) with id ≤ `uptoId`, by (published, id) after `after` (the last
   * row of the previous page; null: from `since`), at most `limit`. Reads the published index: for a first load.
   */
  window(since: Date, uptoId: number, after: { published: Date; id: number } | null, limit: number): Promise<StoryRow[]>;
  /** The items of these clusters (appearances left out), earliest first within each. */
  clusters(clusterIds: readonly number[]): Promise<Map<number, StoredItem[]>>;
  /** Members per cluster (appearances left out). */
  sizes(clusterIds: readonly number[]): Promise<Map<number, number>>;
  /** Stories newest first (by their newest member), with their members. */
  list(f: ClusterFilter): Promise<StoredCluster[]>;
  /** Source ids that relayed each of these items (their appearances). */
  appearances(itemIds: readonly number[]): Promise<Map<number, string[]>>;
  /** Up to `limit` items (no appearances) with id above `afterId` and published at or after `since`, by id. */
  readRange(since: Date, afterId: number, limit: number): Promise<SketchRow[]>;
  /** Writes a re-cluster range's canonical URLs, sketches and clusters, and the job's progress, in one transaction. */
  apply(changes: readonly StoryChange[], progress: { key: string; value: string } | null, opts?: WriteOptions): Promise<number>;
  /** A small fact of the stories' bookkeeping (the threshold every item follows, a pass's progress). */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string | null, opts?: WriteOptions): Promise<void>;
}

/** Re-tagging stored items after a rules change, range by range. */
export interface RetagStore {
  state(): Promise<RetagState>;
  /** Marks a pass for `fingerprint` as started: the store no longer claims to follow any rules until finish(). */
  begin(fingerprint: string, opts?: WriteOptions): Promise<void>;
  /** The id that ends a range of `count` items after `afterId`, or null when no item follows it. */
  rangeEnd(afterId: number, count: number): Promise<number | null>;
  /** How many items follow `afterId`, counting up to `cap` at most. */
  countAfter(afterId: number, cap: number): Promise<number>;
  /** The items with afterId < id <= lastId, by id. */
  readRange(afterId: number, lastId: number): Promise<RetagRow[]>;
  /** Writes a range's changes and the pass's progress in one transaction; counts items changed. */
  apply(changes: readonly RetagChange[], progress: { fingerprint: string; after: number }, opts?: WriteOptions): Promise<{ changed: number; explained: number }>;
  /** Records that every item follows `fingerprint`; `changedAt` when the pass changed anything published. */
  finish(fingerprint: string, changedAt: Date | null, opts?: WriteOptions): Promise<void>;
}

/** Retention: items first seen before a cutoff, and beyond a per-source count, leave a tombstone and go. */
export interface RetentionStore {
  prune(now: Date, retentionDays: number | null, maxItems: ReadonlyMap<string, number>, opts?: WriteOptions): Promise<PruneResult>;
}

/** A claim on sources for one poll (nodes.claim). */
export interface ClaimRequest {
  /** The daemon asking (unique per process). */
  node: string;
  /** What this poll is for: the cron tick, or the start-up time; recorded on the claim. */
  stamp: Date;
  /** Granted only if the last claim's stamp is before this (a cron tick: the tick itself). */
  notClaimedSince: Date;
  now: Date;
  /** The lease ends here unless heartbeat() extends it. */
  until: Date;
}

/** A live daemon on the store, as heartbeat() records it. */
export interface NodeBeat {
  node: string;
  /** The fingerprint of the tag rules it runs. */
  fingerprint: string;
  now: Date;
  /** Its leases (claims, host slots) and its own entry last until here. */
  until: Date;
  /** Entries of other daemons whose heartbeat ended before this are removed (daemons killed long ago). */
  forgetBefore?: Date;
}

/** What acquireHost() answers: a slot (release it with releaseHost), or why not. */
export type HostSlot = { slot: number } | { slot: null; pausedUntil: Date | null };

/** Background jobs that run on one daemon of a store at a time. */
export type JobName = 'retag' | 'retention' | 'recluster';

/** A job held by this process alone across every daemon on the store, until release(). */
export interface JobLock {
  /**
   * Aborted when the lock is gone before release() (PostgreSQL: its connection ended, so the server dropped it and
   * another daemon may take the job). The job stops at its next checkpoint; what it committed stays (it resumes).
   */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * Work shared between daemons on one store: claims on sources (one poll of a source per tick, leased so a
 * dead daemon's sources go to another), per-host request slots and Retry-After pauses for all of them together,
 * the live daemons with their tag rules, and jobs that run on one daemon at a time. PostgreSQL shares it
 * between daemons; on SQLite one daemon runs per file, so it competes with nobody, under the same rules.
 */
export interface NodeStore {
  /** Whether several daemons may share the store (PostgreSQL); false: one daemon, so claims are always granted. */
  readonly shared: boolean;
  /**
   * Claims `ids` for one poll: granted where no other daemon's live lease holds the source and no claim stamped at
   * or after `notClaimedSince` exists (a lease of the caller's own is one it failed to release). Never grants one
   * source to two callers. Returns the ids granted.
   */
  claim(ids: readonly string[], c: ClaimRequest): Promise<string[]>;
  /** Ends `node`'s claims on `ids` (polled); their stamps stay, so the same tick is not polled again. */
  release(node: string, ids: readonly string[]): Promise<void>;
  /** Takes over up to `limit` sources whose lease ended before `now` unreleased (their daemon died). */
  takeExpired(node: string, now: Date, until: Date, limit: number): Promise<string[]>;
  /** Records the daemon alive with its rules and extends its leases (and forgets long-dead daemons); returns how many sources it holds. */
  heartbeat(beat: NodeBeat): Promise<number>;
  /** The daemons whose entry lasts past `now`, with the fingerprint of their rules. */
  peers(now: Date): Promise<{ node: string; fingerprint: string | null }[]>;
  /** Releases everything `node` holds and removes its entry (shutdown). */
  leave(node: string): Promise<void>;
  /** One of `slots` request slots of `host` for `node`, unless all are held (leases) or the host is paused. */
  acquireHost(host: string, node: string, slots: number, now: Date, until: Date): Promise<HostSlot>;
  releaseHost(host: string, slot: number, node: string): Promise<void>;
  /** Pauses `host` for every daemon until `until` (a longer pause already recorded stays). */
  pauseHost(host: string, until: Date): Promise<void>;
  /** The store's own clock (PostgreSQL: the server's), which leases are measured by across daemons. */
  clock(): Promise<Date>;
  /** The hosts paused past `now` (by any daemon), with the end of each pause. */
  hostPauses(now: Date): Promise<Map<string, Date>>;
  /** `job` for this caller alone (across daemons) until released, or null when another holds it. */
  exclusive(job: JobName): Promise<JobLock | null>;
}

/** Article pages of full_text sources' items: a queue kept in the store, so a restart loses none (issue 12). */
export interface PageStore {
  /**
   * Claims up to `limit` pages due at `now`, oldest first, leasing them until `leaseUntil` (a process that dies
   * mid-fetch leaves them to be claimed again then; another process never claims them meanwhile).
   */
  claim(now: Date, limit: number, leaseUntil: Date, opts?: WriteOptions): Promise<PageJob[]>;
  /** When the next queued page is due, or null when none is. */
  nextDue(): Promise<Date | null>;
  /** Writes a read page onto its item; false (nothing written) when the item changed or went since the claim. */
  complete(d: PageDone, opts?: WriteOptions): Promise<boolean>;
  /** Records a failed page on its item. */
  fail(f: PageFailure, opts?: WriteOptions): Promise<void>;
  /** Queues the pages of a source's items first seen at or after `since` that have none yet (full_text turned on). */
  backfill(sourceId: string, since: Date, mode: 'full' | 'tag_only', now: Date, opts?: WriteOptions): Promise<number>;
  /** The page state of one item, or null when its page was never asked for. */
  status(itemId: number): Promise<PageStatus | null>;
}

/** Everything the rest of warta may do with what it keeps. */
export interface Store {
  /** Which implementation this is (logs, `/readyz`). */
  readonly kind: 'sqlite' | 'postgres';
  /** Where it keeps its data, as it may be shown (no credentials). */
  readonly location: string;
  sources: SourceStore;
  items: ItemStore;
  retag: RetagStore;
  retention: RetentionStore;
  nodes: NodeStore;
  stories: StoryStore;
  pages: PageStore;
  /**
   * A token that changes whenever published data may have changed, by this process or another. Synchronous:
   * every feed request checks it against its render cache, so it must cost microseconds.
   */
  changeToken(): string;
  /** Whether the store answers (readiness). */
  ping(): Promise<boolean>;
  /** Connections in use, idle and awaited (PostgreSQL's pool; null where there is none). */
  poolStats(): { total: number; idle: number; waiting: number } | null;
  /**
   * Frees what the store caches in this process and can read again (SQLite's page cache), after a burst of
   * refreshes filled it; absent where there is nothing to free.
   */
  releaseMemory?(): void;
  close(): Promise<void>;
}
