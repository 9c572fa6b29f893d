-- EXPLAIN (ANALYZE, BUFFERS) of the API's tag browse and story list, main's statements (BASE) and branch browse15's
-- (BRANCH), parameters inlined, on a store copied into schema browse15 (BENCHMARKS.md "browse15"):
--   psql -h 127.0.0.1 -U postgres -d test -f bench/tagq-explain.sql
-- Since branch pgstory15 a tag's story list runs several statements (a walk in batches): `npx tsx bench/tagq.ts pg
-- SCHEMA [--repo R]` adds up the buffers of every statement a read runs, for outputs, browse and story list alike.
SET search_path = browse15;
\echo BASE browse Putin
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM items WHERE (NULL::bigint IS NULL OR cluster_id = NULL) AND ('Putin'::text IS NULL OR id IN (SELECT item_id FROM item_tags WHERE tag = 'Putin')) AND (NULL::text IS NULL OR source_id = NULL) AND (NULL::timestamptz IS NULL OR published >= NULL) AND (NULL::timestamptz IS NULL OR published < NULL OR (published = NULL AND id < NULL)) ORDER BY published DESC, id DESC LIMIT 50;
\echo BASE browse Langka
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM items WHERE (NULL::bigint IS NULL OR cluster_id = NULL) AND ('Langka'::text IS NULL OR id IN (SELECT item_id FROM item_tags WHERE tag = 'Langka')) AND (NULL::text IS NULL OR source_id = NULL) AND (NULL::timestamptz IS NULL OR published >= NULL) AND (NULL::timestamptz IS NULL OR published < NULL OR (published = NULL AND id < NULL)) ORDER BY published DESC, id DESC LIMIT 50;
\echo BRANCH browse Putin
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM items WHERE id IN (SELECT item_id FROM item_tags WHERE tag = ANY(ARRAY['Putin'])) AND (NULL::bigint IS NULL OR cluster_id = NULL) AND (NULL::text IS NULL OR source_id = NULL) AND (NULL::timestamptz IS NULL OR published >= NULL) AND (NULL::timestamptz IS NULL OR published < NULL OR (published = NULL AND id < NULL)) ORDER BY published DESC, id DESC LIMIT 50;
\echo BRANCH browse Langka
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM items WHERE id IN (SELECT item_id FROM item_tags WHERE tag = ANY(ARRAY['Langka'])) AND (NULL::bigint IS NULL OR cluster_id = NULL) AND (NULL::text IS NULL OR source_id = NULL) AND (NULL::timestamptz IS NULL OR published >= NULL) AND (NULL::timestamptz IS NULL OR published < NULL OR (published = NULL AND id < NULL)) ORDER BY published DESC, id DESC LIMIT 50;
\echo BASE clusters Putin
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT cluster_id, max(published) AS newest FROM items WHERE appearance_of IS NULL AND (NULL::timestamptz IS NULL OR published >= NULL) AND ('Putin'::text IS NULL OR id IN (SELECT item_id FROM item_tags WHERE tag = 'Putin')) AND (cardinality('{}'::text[]) = 0 OR source_id <> ALL('{}')) GROUP BY cluster_id ORDER BY newest DESC, cluster_id DESC LIMIT 50;
\echo BASE clusters Langka
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT cluster_id, max(published) AS newest FROM items WHERE appearance_of IS NULL AND (NULL::timestamptz IS NULL OR published >= NULL) AND ('Langka'::text IS NULL OR id IN (SELECT item_id FROM item_tags WHERE tag = 'Langka')) AND (cardinality('{}'::text[]) = 0 OR source_id <> ALL('{}')) GROUP BY cluster_id ORDER BY newest DESC, cluster_id DESC LIMIT 50;
\echo BRANCH clusters Putin
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT cluster_id, max(published) AS newest FROM items WHERE id IN (SELECT item_id FROM item_tags WHERE tag = ANY(ARRAY['Putin'])) AND appearance_of IS NULL AND (NULL::timestamptz IS NULL OR published >= NULL) AND (cardinality('{}'::text[]) = 0 OR source_id <> ALL('{}')) GROUP BY cluster_id ORDER BY newest DESC, cluster_id DESC LIMIT 50;
\echo BRANCH clusters Langka
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT cluster_id, max(published) AS newest FROM items WHERE id IN (SELECT item_id FROM item_tags WHERE tag = ANY(ARRAY['Langka'])) AND appearance_of IS NULL AND (NULL::timestamptz IS NULL OR published >= NULL) AND (cardinality('{}'::text[]) = 0 OR source_id <> ALL('{}')) GROUP BY cluster_id ORDER BY newest DESC, cluster_id DESC LIMIT 50;
