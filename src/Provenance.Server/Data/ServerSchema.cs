using Npgsql;

namespace Provenance.Server.Data;

/// <summary>
/// The server's own tables (API keys, tenant policies, webhooks and their deliveries, audit findings),
/// applied as numbered scripts under a transaction-scoped advisory lock so several nodes starting together
/// apply each script once. Versions are recorded in <c>server_schema_migrations</c>.
/// </summary>
internal static class ServerSchema
{
    private const long MigrationLockKey = 0x5052_4F56_5352_5631; // "PROVSRV1"

    /// <summary>Scripts in order; never edit one that has shipped, append a new one.</summary>
    internal static readonly IReadOnlyList<(int Version, string Name, string Sql)> Migrations =
    [
        (1, "api keys, tenant policies", """
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
            CREATE TABLE tenant_policies (
                tenant            text PRIMARY KEY,
                prompt_privacy    text NOT NULL,
                allow_drafts      boolean NOT NULL,
                trusted_tenants   text[] NOT NULL,
                updated_at        timestamptz NOT NULL
            );
            """),
        (2, "webhooks", """
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
            """),
        (3, "audit findings", """
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
            """),
    ];

    /// <summary>The version a fully migrated database has.</summary>
    internal static int LatestVersion => Migrations[^1].Version;

    /// <summary>Applies every script not yet applied.</summary>
    internal static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MigrationLockKey}); CREATE TABLE IF NOT EXISTS server_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());", connection, tx))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new HashSet<int>();
        await using (var cmd = new NpgsqlCommand("SELECT version FROM server_schema_migrations", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var (version, name, sql) in Migrations.Where(m => !applied.Contains(m.Version)))
        {
            await using var cmd = new NpgsqlCommand(sql + ";INSERT INTO server_schema_migrations (version, name) VALUES (@v, @n);", connection, tx);
            cmd.Parameters.AddWithValue("v", version);
            cmd.Parameters.AddWithValue("n", name);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The highest applied version, or 0 when the table is missing.</summary>
    internal static async Task<int> AppliedVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT CASE WHEN to_regclass('server_schema_migrations') IS NULL THEN 0 ELSE (SELECT coalesce(max(version), 0) FROM server_schema_migrations) END", connection);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
