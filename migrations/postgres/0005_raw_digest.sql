-- The digest of the raw item text a row was last written from (src/pipeline/skim.ts): a refresh of a changed feed
-- recognises the items it has read before by their text and parses only the others (issue 15). NULL: none taken
-- (rows from before, JSON feeds, section pages); every write of an item's content sets or clears it.
ALTER TABLE items ADD COLUMN raw_digest text;
CREATE INDEX items_by_digest ON items (source_id, raw_digest);
