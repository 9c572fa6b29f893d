-- warta's first schema. Migrations are append-only: never edit a file once released; add 0002_… instead.
-- Instants are stored as ISO 8601 UTC strings ('2026-11-26T10:00:00.000Z'): they sort as text and read back
-- exactly with new Date().

-- One row per configured source, keyed by its config id. Rows of sources removed from the config stay (their
-- items stay published) until an admin prunes them.
CREATE TABLE sources (
  id                    TEXT PRIMARY KEY,
  url                   TEXT NOT NULL,
  title                 TEXT,
  site_url              TEXT,
  etag                  TEXT,
  last_modified         TEXT,
  body_hash             TEXT,
  parser                TEXT,
  format                TEXT,
  state                 TEXT NOT NULL DEFAULT 'ok',
  last_status           INTEGER,
  last_error_code       TEXT,
  last_error_message    TEXT,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  total_failures        INTEGER NOT NULL DEFAULT 0,
  not_modified_count    INTEGER NOT NULL DEFAULT 0,
  last_poll             TEXT,
  last_success          TEXT,
  -- Backoff after failures and a server's Retry-After: not polled before this, not even at start-up.
  held_until            TEXT,
  -- Politeness from feed hints (ttl, sy:updatePeriod, skipHours/Days, Cache-Control) and fetch.min_interval:
  -- cron ticks before this are skipped; the start-up poll and `warta fetch` ignore it.
  hint_until            TEXT,
  -- The interval the feed itself last asked for (ms), reused on 304 answers, which carry no feed.
  feed_hint_ms          INTEGER,
  -- A 301/308 target adopted after fetch.redirect_persist_after consecutive polls saw it and it parsed.
  effective_url         TEXT,
  redirect_target       TEXT,
  redirect_seen         INTEGER NOT NULL DEFAULT 0
);

-- Items are deduplicated per source by dedupe_key: 'g:' guid, 'gl:' guid + link (a guid the feed reuses for
-- several articles), 'l:' link, or 'h:' hash of title and content (see src/pipeline/dedupe.ts).
CREATE TABLE items (
  id            INTEGER PRIMARY KEY,
  -- Derived from (source_id, dedupe_key), which is unique; a second unique index over random keys would only
  -- slow every insert (measured: ~35 % of insert time).
  uid           TEXT NOT NULL,
  source_id     TEXT NOT NULL,
  dedupe_key    TEXT NOT NULL,
  guid          TEXT,
  link          TEXT,
  title         TEXT NOT NULL,
  summary       TEXT,
  content       TEXT,
  author        TEXT,
  categories    TEXT NOT NULL DEFAULT '[]',
  published     TEXT NOT NULL,
  updated       TEXT NOT NULL,
  first_seen    TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  UNIQUE (source_id, dedupe_key)
);
-- Outputs read newest first.
CREATE INDEX items_by_published ON items (published DESC, id DESC);

-- Which tags an item carries, by tag name as configured. `explain` holds the JSON list of matches that made
-- the tag apply (field, text, offsets) so admins can see why.
CREATE TABLE item_tags (
  tag      TEXT NOT NULL,
  item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  explain  TEXT,
  PRIMARY KEY (tag, item_id)
) WITHOUT ROWID;
CREATE INDEX item_tags_by_item ON item_tags (item_id);

-- Which outputs with a `match` query an item satisfies, decided when it is stored or re-classified, so an
-- output reads an index instead of evaluating its query over every item on each request.
CREATE TABLE item_outputs (
  output_id  TEXT NOT NULL,
  item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  PRIMARY KEY (output_id, item_id)
) WITHOUT ROWID;
CREATE INDEX item_outputs_by_item ON item_outputs (item_id);

-- Dedupe keys of items removed by retention: a feed that still lists an old article must not bring it back
-- as new on the next poll.
CREATE TABLE tombstones (
  source_id   TEXT NOT NULL,
  dedupe_key  TEXT NOT NULL,
  pruned_at   TEXT NOT NULL,
  PRIMARY KEY (source_id, dedupe_key)
) WITHOUT ROWID;

-- Small key/value facts about the database itself (e.g. the fingerprint of the tag rules last applied).
CREATE TABLE meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
