using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests.Schema;

/// <summary>Migration 012: a freshly inserted (unnumbered) index or outbox row enters only the indexes it needs.</summary>
public sealed class NumberedOnlyIndexesMigrationTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task MigrateAsync_FreshDatabase_UnnumberedRowsEnterOnlyArbiterAndPendingIndexes()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: false));

        await SchemaMigrator.MigrateAsync(dataSource);

        var indexes = await IndexesAsync(dataSource, SchemaNames.GrainIndex);
        var outbox = await IndexesAsync(dataSource, SchemaNames.Outbox);
        Assert.Equal(
            [
                ("grain_index_index_name_key_value_key", null),
                ("grain_index_lookup_numbered", "(seq IS NOT NULL)"),
                ("grain_index_pending_lookup", "(seq IS NULL)"), // 022: pending rows by key, for reads that number nothing
                ("grain_index_seq_numbered", "(seq IS NOT NULL)"),
            ],
            indexes);
        Assert.Equal(
            [
                ("outbox_pending", "(\"position\" IS NULL)"),
                ("outbox_position_numbered", "(\"position\" IS NOT NULL)"),
                ("outbox_queue_position", "(\"position\" IS NOT NULL)"), // 021: the stream receivers' index, numbered-only too
                ("outbox_stream_position", "(\"position\" IS NOT NULL)"),
            ],
            outbox);
    }

    [Fact]
    public async Task MigrateAsync_RowsWrittenBefore012_AreStillServedAndNumberingContinues()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: false));
        await ApplyScriptsBeforeAsync(dataSource, 12);
        await using (var old = dataSource.CreateCommand(
            $"""
            INSERT INTO {SchemaNames.GrainIndex} (index_name, key, value, seq) VALUES ('children', 'p', 'c1', 1), ('children', 'p', 'c2', 2);
            INSERT INTO {SchemaNames.GrainIndex} (index_name, key, value) VALUES ('children', 'p', 'c3');
            """))
        {
            await old.ExecuteNonQueryAsync();
        }

        var applied = await SchemaMigrator.MigrateAsync(dataSource);
        await using var storage = await PostgresStorage.OpenAsync(dataSource.ConnectionString);
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child("p", "c4", "r"), default);
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Child("p", "c1", "r"), default);
        var unnumbered = await storage.Index.QueryAsync("children", "p", IndexCursor.Start, 10, default);
        var numberedCount = await storage.IndexSequencer.NumberPendingAsync(100, default);
        var rows = await storage.Index.QueryAsync("children", "p", IndexCursor.Start, 10, default);
        var after = await storage.Index.QueryAsync("children", "p", new IndexCursor(2), 10, default);

        Assert.Contains(12, applied);
        Assert.Equal(["c1", "c2", "c3", "c4"], unnumbered.Select(r => r.Value));
        Assert.Equal([1L, 2L, null, null], unnumbered.Select(r => r.Seq));
        Assert.Equal(2, numberedCount);
        Assert.Equal(["c1", "c2", "c3", "c4"], rows.Select(r => r.Value));
        Assert.Equal([1L, 2L, 3L, 4L], rows.Select(r => r.Seq));
        Assert.Equal(["c3", "c4"], after.Select(r => r.Value));
        Assert.Equal(4, await storage.Index.CountAsync("children", "p", default));
    }

    [Fact]
    public async Task MigrateAsync_OutboxEventsWrittenBefore012_AreStillReadAndNumberingContinues()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: false));
        await ApplyScriptsBeforeAsync(dataSource, 12);
        await using (var old = dataSource.CreateCommand(
            $"""
            INSERT INTO {SchemaNames.Outbox} (stream, event_type, payload, position) VALUES ('s', 'e1', '\x7b7d', 1);
            INSERT INTO {SchemaNames.Outbox} (stream, event_type, payload) VALUES ('s', 'e2', '\x7b7d');
            """))
        {
            await old.ExecuteNonQueryAsync();
        }

        await SchemaMigrator.MigrateAsync(dataSource);
        await using var storage = await PostgresStorage.OpenAsync(dataSource.ConnectionString);
        var effects = new DurableEffects();
        effects.Events.Add(new OutboxMessage("s", "e3", null, TestEffects.Bytes("{}")));
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, effects, default);
        var events = await storage.Outbox.ReadAsync("s", 0, 10, default);

        Assert.Equal(["e1", "e2", "e3"], events.Select(e => e.EventType));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Position));
    }

    private static async Task ApplyScriptsBeforeAsync(NpgsqlDataSource dataSource, int version)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var table = new NpgsqlCommand(
            $"CREATE TABLE {SchemaNames.Migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", connection))
        {
            await table.ExecuteNonQueryAsync();
        }

        foreach (var script in SchemaMigrator.Scripts().Where(s => s.Version < version))
        {
            await using var command = new NpgsqlCommand(script.Sql, connection);
            await command.ExecuteNonQueryAsync();
            await using var record = new NpgsqlCommand($"INSERT INTO {SchemaNames.Migrations} (version, name) VALUES ($1, $2)", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = script.Version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = script.Name });
            await record.ExecuteNonQueryAsync();
        }
    }

    private static async Task<List<(string Name, string? Predicate)>> IndexesAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT c.relname, pg_get_expr(i.indpred, i.indrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = '{table}'::regclass ORDER BY c.relname
            """);
        var result = new List<(string, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return result;
    }
}
