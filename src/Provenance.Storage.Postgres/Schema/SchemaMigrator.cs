using System.Globalization;
using System.Reflection;
using Npgsql;

namespace Provenance.Storage.Postgres.Schema;

/// <summary>
/// Applies the embedded, versioned SQL scripts (<c>Schema/Migrations/NNN_name.sql</c>) that are not yet recorded in
/// <c>schema_migrations</c>, all in one transaction under an advisory lock, so two nodes starting together apply
/// each script once and a failed script leaves the schema as it was.
/// </summary>
public static class SchemaMigrator
{
    /// <summary>Brings the database's schema up to date. Idempotent.</summary>
    /// <returns>The versions applied by this call (empty when already up to date).</returns>
    /// <exception cref="PostgresException">A script failed; nothing was applied.</exception>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock({SchemaNames.LockNamespace}, {SchemaNames.LockKeys.Migrations});
            CREATE TABLE IF NOT EXISTS {SchemaNames.Migrations} (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand($"SELECT version FROM {SchemaNames.Migrations}", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var done = new List<int>();
        foreach (var script in Scripts().Where(s => !applied.Contains(s.Version)))
        {
            await using (var command = new NpgsqlCommand(script.Sql, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = new NpgsqlCommand($"INSERT INTO {SchemaNames.Migrations} (version, name) VALUES ($1, $2)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = script.Version });
                record.Parameters.Add(new NpgsqlParameter { Value = script.Name });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            done.Add(script.Version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return done;
    }

    /// <summary>The embedded scripts in version order.</summary>
    internal static IReadOnlyList<(int Version, string Name, string Sql)> Scripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        const string prefix = "Provenance.Storage.Postgres.Schema.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[prefix.Length..^4];
                var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], NumberStyles.None, CultureInfo.InvariantCulture);
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var text = new StreamReader(stream);
                return (version, name, text.ReadToEnd());
            })
            .OrderBy(s => s.version)
            .ToList();
    }
}
