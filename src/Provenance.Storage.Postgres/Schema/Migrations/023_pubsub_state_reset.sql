-- 023: the stream pub-sub store now writes Orleans' binary format (ADR 0008). Rows it wrote as System.Text.Json can
-- never be read back (Orleans' pub-sub state types do not bind from JSON), so every read of them failed and nothing
-- they hold is usable. They go; subscribers re-subscribe, and the pulling agents register again as producers.
DELETE FROM orleans_grain_state WHERE grain_type ILIKE '%pubsubrendezvous%';
