-- 001: grain state, the Merkle log, outbox, secondary index, reminders.
-- Names are mirrored in SchemaNames.cs; keep both in step.

-- A cleared state keeps its row with data NULL, so versions never repeat (no ABA on re-create).
CREATE TABLE grain_state (
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    state_name  text        NOT NULL,
    data        bytea,
    version     bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key, state_name)
);

-- Pending entries have idx NULL; the sequencer assigns contiguous indexes under an advisory lock.
CREATE TABLE log_entries (
    id           bigserial   PRIMARY KEY,
    source_key   text        NOT NULL UNIQUE,
    leaf_input   bytea       NOT NULL,
    idx          bigint      UNIQUE,
    accepted_at  timestamptz NOT NULL DEFAULT now(),
    sequenced_at timestamptz
);
CREATE INDEX log_entries_pending ON log_entries (id) WHERE idx IS NULL;

-- Every completed perfect subtree: node (level, idx) covers leaves [idx*2^level, (idx+1)*2^level).
CREATE TABLE tree_nodes (
    level  smallint NOT NULL,
    idx    bigint   NOT NULL,
    hash   bytea    NOT NULL,
    PRIMARY KEY (level, idx)
);

-- One row: the sequenced size, its root, and the compact range (perfect-subtree roots left to right).
CREATE TABLE log_head (
    id            smallint    PRIMARY KEY CHECK (id = 1),
    size          bigint      NOT NULL,
    root          bytea       NOT NULL,
    compact_range bytea[]     NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO log_head (id, size, root, compact_range)
VALUES (1, 0, decode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'), '{}');

-- Events arrive with position NULL; a single sequencer numbers them in visibility order.
CREATE TABLE outbox (
    id          bigserial   PRIMARY KEY,
    position    bigint      UNIQUE,
    stream      text        NOT NULL,
    event_type  text        NOT NULL,
    tenant      text,
    payload     bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending ON outbox (id) WHERE position IS NULL;
CREATE INDEX outbox_stream_position ON outbox (stream, position) WHERE position IS NOT NULL;

CREATE TABLE outbox_checkpoints (
    consumer   text        NOT NULL,
    stream     text        NOT NULL,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, stream)
);

-- Rows arrive with seq NULL and are numbered like outbox positions, so seq is a safe cursor.
CREATE TABLE grain_index (
    id          bigserial   PRIMARY KEY,
    seq         bigint      UNIQUE,
    index_name  text        NOT NULL,
    key         text        NOT NULL,
    value       text        NOT NULL,
    data        bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (index_name, key, value)
);
CREATE INDEX grain_index_pending ON grain_index (id) WHERE seq IS NULL;
CREATE INDEX grain_index_lookup ON grain_index (index_name, key, seq);

CREATE TABLE reminders (
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    name        text        NOT NULL,
    next_due    timestamptz NOT NULL,
    period      interval    NOT NULL CHECK (period > interval '0'),
    PRIMARY KEY (grain_type, grain_key, name)
);
CREATE INDEX reminders_due ON reminders (next_due);
