-- 101: webhooks (owned by Provenance.Server; numbered from 100 so storage-provider scripts keep 001-099).
CREATE TABLE webhook_subscriptions (
    id             text PRIMARY KEY,
    tenant         text NOT NULL,
    url            text NOT NULL,
    events         text[] NOT NULL,
    secret         text NOT NULL,
    created_at     timestamptz NOT NULL,
    deleted_at     timestamptz,
    next_sequence  bigint NOT NULL DEFAULT 1
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant) WHERE deleted_at IS NULL;
CREATE TABLE webhook_deliveries (
    webhook_id       text NOT NULL REFERENCES webhook_subscriptions (id),
    sequence         bigint NOT NULL,
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    body             text NOT NULL,
    state            text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    PRIMARY KEY (webhook_id, sequence),
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
