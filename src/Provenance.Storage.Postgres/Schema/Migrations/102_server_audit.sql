-- 102: audit findings (owned by Provenance.Server; numbered from 100 so storage-provider scripts keep 001-099).
CREATE TABLE audit_findings (
    id        bigserial PRIMARY KEY,
    run_id    text NOT NULL,
    kind      text NOT NULL,
    subject   text NOT NULL,
    tenant    text,
    detail    text NOT NULL,
    found_at  timestamptz NOT NULL
);
CREATE TABLE audit_runs (
    id           text PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    checked      bigint NOT NULL DEFAULT 0,
    findings     bigint NOT NULL DEFAULT 0,
    skipped      text
);
