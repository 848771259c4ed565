using Npgsql;
using Provenance.Core.Contracts;
using Provenance.Storage.Postgres;

namespace Provenance.Server.Audit;

/// <summary>A finding before it is stored.</summary>
/// <param name="Kind">Stable kind, e.g. <c>log-root-mismatch</c>, <c>manifest-signature-invalid</c>.</param>
/// <param name="Subject">What failed: an asset id, <c>log</c>, <c>epoch:7</c>.</param>
/// <param name="Tenant">The tenant concerned, or <see langword="null"/> for deployment-wide records (the operator is told).</param>
internal sealed record AuditFinding(string Kind, string Subject, string? Tenant, string Detail);

/// <summary>Audit runs and findings (tables <c>audit_runs</c>, <c>audit_findings</c>).</summary>
internal sealed class AuditStore(PostgresStorage storage, TimeProvider time)
{
    public async Task StartRunAsync(string runId, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("INSERT INTO audit_runs (id, started_at) VALUES (@id, @now)");
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("now", time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long> AddFindingAsync(string runId, AuditFinding finding, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("INSERT INTO audit_findings (run_id, kind, subject, tenant, detail, found_at) VALUES (@run, @k, @s, @t, @d, @now) RETURNING id");
        cmd.Parameters.AddWithValue("run", runId);
        cmd.Parameters.AddWithValue("k", finding.Kind);
        cmd.Parameters.AddWithValue("s", finding.Subject);
        cmd.Parameters.Add(new NpgsqlParameter("t", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)finding.Tenant ?? DBNull.Value });
        cmd.Parameters.AddWithValue("d", finding.Detail);
        cmd.Parameters.AddWithValue("now", time.GetUtcNow());
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task FinishRunAsync(string runId, long checkedCount, long findings, string? skipped, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("UPDATE audit_runs SET finished_at = @now, checked = @c, findings = @f, skipped = @s WHERE id = @id");
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("now", time.GetUtcNow());
        cmd.Parameters.AddWithValue("c", checkedCount);
        cmd.Parameters.AddWithValue("f", findings);
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)skipped ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Findings visible to <paramref name="tenant"/>, newest first: its own, and deployment-wide ones for the operator tenant.</summary>
    public async Task<IReadOnlyList<AuditFindingDto>> ListAsync(string tenant, bool isOperator, int limit, long? before, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("""
            SELECT id, kind, subject, detail, found_at FROM audit_findings
            WHERE (tenant = @t OR (@op AND tenant IS NULL)) AND (@before::bigint IS NULL OR id < @before)
            ORDER BY id DESC LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("op", isOperator);
        cmd.Parameters.Add(new NpgsqlParameter("before", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)before ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<AuditFindingDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new AuditFindingDto(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return list;
    }
}
