-- 011: insert-only sequencing. Sequencing used to UPDATE every pending log_entries row (idx, leaf_hash,
-- sequenced_at); the new row version was non-HOT (idx is indexed), so each entry cost a new heap tuple plus an
-- insert into every index on log_entries, the text source_key index included. Now an entry is never rewritten:
-- the sequencer INSERTs (idx, entry_id, leaf_hash) rows into log_sequence.
--
-- Pending entries are those without a log_sequence row. To find them without scanning the table, each entry
-- records the id of the transaction that wrote it (writer_xid), and log_head.pending_from is a horizon: every
-- entry written by a transaction below it is sequenced. After a pass that took every pending entry it saw, the
-- horizon moves to the xmin of that pass's snapshot (every transaction below it had finished, so its entries were
-- visible and were taken); entries that commit out of order carry an xid at or above it and are found next time.
-- See PostgresLogStore and docs/adr/0003.
CREATE TABLE IF NOT EXISTS log_sequence (
    idx          bigint      PRIMARY KEY,
    entry_id     bigint      NOT NULL UNIQUE,
    leaf_hash    bytea       NOT NULL,
    sequenced_at timestamptz NOT NULL DEFAULT now()
);

-- Entries sequenced before this version: keep the stored leaf hash (on the entry since 010, or a level-0 node row
-- before it); RFC 9162's leaf hash SHA-256(0x00 || input) only where neither exists.
INSERT INTO log_sequence (idx, entry_id, leaf_hash, sequenced_at)
SELECT e.idx, e.id, coalesce(e.leaf_hash, n.hash, sha256('\x00'::bytea || e.leaf_input)), coalesce(e.sequenced_at, now())
FROM log_entries e
LEFT JOIN tree_nodes n ON n.level = 0 AND n.idx = e.idx
WHERE e.idx IS NOT NULL
ON CONFLICT DO NOTHING;
DELETE FROM tree_nodes WHERE level = 0;

-- Every existing entry gets this migration's transaction id, so the first pass looks at each once.
ALTER TABLE log_entries ADD COLUMN IF NOT EXISTS writer_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE log_head ADD COLUMN IF NOT EXISTS pending_from xid8 NOT NULL DEFAULT '0';
UPDATE log_head SET pending_from = pg_current_xact_id();

DROP INDEX IF EXISTS log_entries_pending;
ALTER TABLE log_entries DROP COLUMN IF EXISTS idx, DROP COLUMN IF EXISTS leaf_hash, DROP COLUMN IF EXISTS sequenced_at;
CREATE INDEX IF NOT EXISTS log_entries_writer ON log_entries (writer_xid, id);
