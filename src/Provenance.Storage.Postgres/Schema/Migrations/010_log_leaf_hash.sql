-- 010: the sequencer stores each leaf hash on its entry instead of a level-0 row in tree_nodes (halves tree_nodes
-- writes per pass; the UPDATE that assigns idx rewrites the row anyway). Level-0 rows written before this version stay
-- where they are and are still served. Idempotent.
ALTER TABLE log_entries ADD COLUMN IF NOT EXISTS leaf_hash bytea;
