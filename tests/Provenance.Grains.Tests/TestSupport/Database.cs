using Npgsql;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>Direct SQL views of what storage holds for an asset, to prove that a refused request wrote nothing.</summary>
internal static class Database
{
    public sealed record Footprint(long States, long LogEntries, long Events, long IndexRows)
    {
        public static readonly Footprint None = new(0, 0, 0, 0);
    }

    public static async Task<Footprint> FootprintAsync(NpgsqlDataSource db, string assetId) => new(
        await CountAsync(db, "SELECT count(*) FROM grain_state WHERE grain_type = 'asset' AND grain_key = $1 AND data IS NOT NULL", assetId),
        await CountAsync(db, "SELECT count(*) FROM log_entries WHERE source_key LIKE $1 || '@%'", assetId),
        await CountAsync(db, "SELECT count(*) FROM outbox WHERE convert_from(payload, 'UTF8') LIKE '%\"' || $1 || '\"%'", assetId),
        await CountAsync(db, "SELECT count(*) FROM grain_index WHERE value = $1 OR key = $1", assetId));

    public static async Task<long> CountAsync(NpgsqlDataSource db, string sql, params object[] args)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
