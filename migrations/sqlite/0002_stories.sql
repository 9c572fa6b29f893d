-- Stories (issue 13): one story, many outlets.
-- canonical_url: the article's canonical URL (the page's rel=canonical when it was read, else the link without
--   tracking parameters, amp/mobile forms mapped to the main page); NULL until computed for an older item.
-- cluster_id: the story the item belongs to, named by the id of the item that started it (a lone item is its own
--   cluster). Set for every item: older items start as their own cluster here.
-- story_sketch: the encoded similarity sketch (src/stories/), NULL until built (older items are sketched in the
--   background, src/jobs/recluster.ts).
-- appearance_of: set when this row is another source relaying an article already stored (same canonical URL):
--   the row keeps the source's dedupe key, so the feed does not bring it back as new, and records that the
--   source carried the article; outputs publish the article once, as the row it names.
ALTER TABLE items ADD COLUMN canonical_url TEXT;
ALTER TABLE items ADD COLUMN cluster_id INTEGER;
ALTER TABLE items ADD COLUMN story_sketch TEXT;
ALTER TABLE items ADD COLUMN appearance_of INTEGER;
UPDATE items SET cluster_id = id;

-- A story's members (cluster listing, /api/items?cluster=, collapsed outputs).
CREATE INDEX items_by_cluster ON items (cluster_id, published);
-- Whether a canonical URL is already stored (from another source).
CREATE INDEX items_by_canonical ON items (canonical_url) WHERE canonical_url IS NOT NULL;
-- The appearances of an article (an output limited to the relaying source still includes it).
CREATE INDEX items_by_appearance ON items (appearance_of) WHERE appearance_of IS NOT NULL;
-- The window of the story index is read by published time with items_by_published.

-- Every item has a cluster: one stored without one (a lone new item, or a writer that knows nothing of stories)
-- is its own. A trigger, so that no writer, and no crash between two statements, can leave an item without one.
CREATE TRIGGER items_own_cluster AFTER INSERT ON items WHEN NEW.cluster_id IS NULL
BEGIN
  UPDATE items SET cluster_id = NEW.id WHERE id = NEW.id;
END;
