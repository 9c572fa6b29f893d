-- The tag index without the explanations (issue 15): item_tags' own key (tag, item_id) carries each row's
-- explanation, so a tag's range there is ~10× the size of its ids. A rare tag's output lists its items from this
-- one; a common tag's output walks the newest items instead (src/store/sqlite/items.ts selectOutput).
CREATE INDEX item_tags_by_tag ON item_tags (tag);
