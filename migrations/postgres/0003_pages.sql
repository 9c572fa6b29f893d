-- Whole articles (issue 12): one row per item whose page warta fetches (sources with full_text). The item's
-- row holds what is published; this row holds the page's fate and what only tagging reads.
CREATE TABLE pages (
  item_id        bigint PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  source_id      text COLLATE "C" NOT NULL,
  url            text NOT NULL,
  -- 'pending' (to fetch at `due`), 'done', 'failed' (retries used up, or a failure no retry mends).
  state          text NOT NULL,
  attempts       integer NOT NULL DEFAULT 0,
  due            timestamptz,
  -- Whether the feed gave the item a date: only an undated item takes the page's.
  feed_dated     boolean NOT NULL DEFAULT true,
  -- 'full' or 'tag_only', as the source said when the page was asked for.
  mode           text NOT NULL,
  error_code     text,
  error_message  text,
  -- tag_only: the article HTML that tagging (and re-tagging) reads; never published. full: NULL (it is the
  -- item's content).
  article        text,
  -- The publisher's keywords, JSON array as text (also merged into the item's categories).
  keywords       text NOT NULL DEFAULT '[]',
  fetched_at     timestamptz
);
-- The page queue reads the due pending rows in order.
CREATE INDEX pages_due ON pages (due) WHERE state = 'pending';
