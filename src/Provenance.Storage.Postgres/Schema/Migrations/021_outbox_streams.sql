-- 021: the outbox feeds an Orleans persistent stream provider (Streams/, docs/adr/0007-streams-over-the-outbox.md).
-- stream_key: the optional key of the event's stream inside its namespace (stream); NULL means the tenant's stream,
-- or the deployment's. queue: the stream's queue, a stable hash of the Orleans StreamId modulo the deployment's queue
-- count, computed by the writer (OutboxStreamIdentity) so each queue's receiver reads only its rows through an index.
-- Rows written before this migration have queue NULL and are not delivered as Orleans stream events.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS stream_key text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS queue integer;

-- The receiver's query: WHERE queue = $q AND position > $cursor ORDER BY position LIMIT n. Partial like the other
-- numbered-only indexes (012): the insert adds no entry, the numbering UPDATE adds it once.
CREATE INDEX IF NOT EXISTS outbox_queue_position ON outbox (queue, position) WHERE position IS NOT NULL;
