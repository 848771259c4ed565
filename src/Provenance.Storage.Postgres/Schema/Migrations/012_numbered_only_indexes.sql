-- 012: index and outbox rows cost fewer b-tree inserts on the registration path. Both tables take rows with a NULL
-- cursor (grain_index.seq, outbox.position) that a reader-side sequencer numbers later with an UPDATE, which writes a
-- new row version and its index entries anyway. So the indexes that only serve numbered rows become partial
-- (cursor IS NOT NULL): the insert no longer puts a NULL entry into them, the sequencer's UPDATE adds the entry once.
-- The bigserial primary keys go: nothing addresses rows by id except the sequencers, which read and update pending
-- rows through the existing partial "pending" indexes (id) WHERE cursor IS NULL. An index row insert now touches
-- 2 indexes instead of 5 (the unique (index_name, key, value) arbiter and the pending list), an outbox insert 1
-- instead of 3. Queries are unchanged: "seq > $n" implies "seq IS NOT NULL", so lookups use the partial indexes.
-- Idempotent; the migrator runs it once under its advisory lock, so two nodes starting together are safe.
CREATE UNIQUE INDEX IF NOT EXISTS grain_index_seq_numbered ON grain_index (seq) WHERE seq IS NOT NULL;
CREATE INDEX IF NOT EXISTS grain_index_lookup_numbered ON grain_index (index_name, key, seq) WHERE seq IS NOT NULL;
ALTER TABLE grain_index DROP CONSTRAINT IF EXISTS grain_index_seq_key;
DROP INDEX IF EXISTS grain_index_lookup;
ALTER TABLE grain_index DROP CONSTRAINT IF EXISTS grain_index_pkey;

CREATE UNIQUE INDEX IF NOT EXISTS outbox_position_numbered ON outbox (position) WHERE position IS NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_position_key;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_pkey;
