-- 012: index rows cost fewer b-tree inserts on the registration path. A row is written with seq NULL and numbered
-- later by the reader-side sequencer (PostgresGrainIndex), whose UPDATE writes a new row version and index entries
-- anyway. So the two indexes that only serve numbered rows become partial (seq IS NOT NULL): the insert no longer
-- puts a NULL-seq entry into them, the sequencer's UPDATE does it once. The bigserial primary key goes: nothing looks
-- rows up by id except the sequencer, which reads and updates pending rows through grain_index_pending (id) WHERE
-- seq IS NULL. An insert now touches 2 indexes instead of 5 (the unique (index_name, key, value) arbiter and the
-- pending list). Queries are unchanged: "seq > $n" implies "seq IS NOT NULL", so lookups use the partial index.
-- Idempotent; the migrator runs it once under its advisory lock, so two nodes starting together are safe.
CREATE UNIQUE INDEX IF NOT EXISTS grain_index_seq_numbered ON grain_index (seq) WHERE seq IS NOT NULL;
CREATE INDEX IF NOT EXISTS grain_index_lookup_numbered ON grain_index (index_name, key, seq) WHERE seq IS NOT NULL;
ALTER TABLE grain_index DROP CONSTRAINT IF EXISTS grain_index_seq_key;
DROP INDEX IF EXISTS grain_index_lookup;
ALTER TABLE grain_index DROP CONSTRAINT IF EXISTS grain_index_pkey;
