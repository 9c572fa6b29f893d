-- Stories (issue 13): the same columns as migrations/sqlite/0002_stories.sql, with the same meaning.
ALTER TABLE items ADD COLUMN canonical_url text;
ALTER TABLE items ADD COLUMN cluster_id bigint;
ALTER TABLE items ADD COLUMN story_sketch text;
ALTER TABLE items ADD COLUMN appearance_of bigint;
UPDATE items SET cluster_id = id;

CREATE INDEX items_by_cluster ON items (cluster_id, published);
CREATE INDEX items_by_canonical ON items (canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX items_by_appearance ON items (appearance_of) WHERE appearance_of IS NOT NULL;

-- Every item has a cluster: one stored without one (a lone new item, or a writer that knows nothing of stories)
-- is its own. The identity default is taken before BEFORE triggers run, so NEW.id is known here.
CREATE FUNCTION items_own_cluster() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.cluster_id := coalesce(NEW.cluster_id, NEW.id);
  RETURN NEW;
END;
$$;
CREATE TRIGGER items_own_cluster BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION items_own_cluster();
