using System.Globalization;
using Npgsql;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Server.Data;

/// <summary>
/// Migration status for readiness. The server's tables (API keys, tenant policies, webhooks, audit findings) are
/// scripts 100+ of the storage project's migrations (<c>Provenance.Storage.Postgres/Schema/Migrations</c>), applied by
/// <see cref="SchemaMigrator"/> when the storage opens; this compares what the database recorded with what ships.
/// </summary>
internal static class ServerSchema
{
    private static readonly Lazy<IReadOnlySet<int>> Shipped = new(() =>
    {
        const string prefix = "Provenance.Storage.Postgres.Schema.Migrations.";
        return typeof(SchemaMigrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n[prefix.Length..])
            .Select(n => int.Parse(n[..n.IndexOf('_', StringComparison.Ordinal)], NumberStyles.None, CultureInfo.InvariantCulture))
            .ToHashSet();
    });

    /// <summary>Number of migration scripts that ship with this build.</summary>
    internal static int ShippedCount => Shipped.Value.Count;

    /// <summary>How many of the shipped scripts the database has applied.</summary>
    internal static async Task<int> AppliedCountAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN ARRAY[]::integer[] ELSE (SELECT coalesce(array_agg(version), ARRAY[]::integer[]) FROM schema_migrations) END", connection);
        var applied = (int[])(await cmd.ExecuteScalarAsync(cancellationToken))!;
        return applied.Count(Shipped.Value.Contains);
    }
}
