-- 022: reads of the secondary index no longer number rows; the log sequencer grain does, in the background. A read
-- returns the key's numbered rows and then its committed rows not numbered yet, so it needs the pending rows by key:
-- the pending list becomes (index_name, key, id) WHERE seq IS NULL. Numbering reads the same index in its order and
-- updates by ctid, so the old (id) pending index has no user left and goes: an index row insert still touches
-- 2 indexes. Every plan over these stays an index range scan whatever the statistics say.
-- Idempotent; the migrator runs it once under its advisory lock.
CREATE INDEX IF NOT EXISTS grain_index_pending_lookup ON grain_index (index_name, key, id) WHERE seq IS NULL;
DROP INDEX IF EXISTS grain_index_pending;
