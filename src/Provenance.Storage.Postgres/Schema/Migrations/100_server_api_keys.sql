-- 100: api keys (owned by Provenance.Server; numbered from 100 so storage-provider scripts keep 001-099).
CREATE TABLE api_keys (
    key_id       text PRIMARY KEY,
    tenant       text NOT NULL,
    scopes       text[] NOT NULL,
    description  text,
    secret_hash  bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant, created_at);
