-- Whole articles (issue 12): one row per item whose page warta fetches (sources with full_text). The item's
-- row holds what is published; this row holds the page's fate and what only tagging reads.
CREATE TABLE pages (
  item_id        INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  source_id      TEXT NOT NULL,
  url            TEXT NOT NULL,
  -- 'pending' (to fetch at `due`), 'done', 'failed' (retries used up, or a failure no retry mends).
  state          TEXT NOT NULL,
  attempts       INTEGER NOT NULL DEFAULT 0,
  due            TEXT,
  -- Whether the feed gave the item a date: only an undated item takes the page's.
  feed_dated     INTEGER NOT NULL DEFAULT 1,
  -- 'full' or 'tag_only', as the source said when the page was asked for.
  mode           TEXT NOT NULL,
  error_code     TEXT,
  error_message  TEXT,
  -- tag_only: the article HTML that tagging (and re-tagging) reads; never published. full: NULL (it is the
  -- item's content).
  article        TEXT,
  -- The publisher's keywords, JSON array (also merged into the item's categories).
  keywords       TEXT NOT NULL DEFAULT '[]',
  fetched_at     TEXT
);
-- The page queue reads the due pending rows in order.
CREATE INDEX pages_due ON pages (due) WHERE state = 'pending';
