using System.Text.Json;
using Npgsql;
using Provenance.Storage.Postgres.Index;
using Provenance.Storage.Postgres.Outbox;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Tests.Schema;

/// <summary>
/// The hot statements keep their plans when the statistics are stale: taken while nothing was pending, before a write
/// burst left thousands of rows to number (the outside tester's case, where a read waited 10-30 s on a numbering plan
/// made for one row until autoanalyze ran).
/// </summary>
public sealed class StaleStatisticsPlanTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task IndexQueryAndNumbering_StatisticsTakenBeforeABacklog_StayIndexAndTidScans()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: true));
        await using var storage = await PostgresStorage.OpenAsync(dataSource.ConnectionString);
        await ExecuteAsync(dataSource, $"""
            INSERT INTO {SchemaNames.GrainIndex} (seq, index_name, key, value) SELECT g, 'children', 'p' || (g % 5000), 'v' || g FROM generate_series(1, 60000) g;
            ANALYZE {SchemaNames.GrainIndex};
            INSERT INTO {SchemaNames.GrainIndex} (index_name, key, value) SELECT 'children', 'p' || (g % 5000), 'w' || g FROM generate_series(1, 20000) g;
            """);

        var query = await PlanAsync(dataSource, PostgresGrainIndex.QuerySql, "children", "p7", 0L, 0L, 100);
        var numbering = await PlanAsync(dataSource, PostgresGrainIndex.NumberSql, 10_000);
        var rows = await storage.Index.QueryAsync("children", "p7", Core.Storage.IndexCursor.Start, 100, default);
        var numbered = await storage.IndexSequencer.NumberPendingAsync(10_000, default);

        Assert.DoesNotContain("Seq Scan", query);
        Assert.Contains("grain_index_lookup_numbered", query);
        Assert.Contains("grain_index_pending_lookup", query);
        Assert.DoesNotContain("Seq Scan", numbering);
        Assert.Contains("Tid Scan", numbering);
        Assert.Equal(16, rows.Count); // 12 numbered and 4 pending rows under key p7
        Assert.Equal(10_000, numbered);
    }

    [Fact]
    public async Task OutboxNumbering_StatisticsTakenBeforeABacklog_StaysTidScan()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrate: true));
        await using var storage = await PostgresStorage.OpenAsync(dataSource.ConnectionString);
        await ExecuteAsync(dataSource, $"""
            INSERT INTO {SchemaNames.Outbox} (stream, event_type, payload, position) SELECT 's', 'e', '\x7b7d', g FROM generate_series(1, 60000) g;
            ANALYZE {SchemaNames.Outbox};
            INSERT INTO {SchemaNames.Outbox} (stream, event_type, payload) SELECT 's', 'e', '\x7b7d' FROM generate_series(1, 20000) g;
            """);

        var numbering = await PlanAsync(dataSource, PostgresOutboxStore.SequenceSql);
        var mayRemain = await storage.OutboxStore.SequencePendingAsync(default);
        var events = await storage.Outbox.ReadAsync("s", 60_000, 10, default);

        Assert.DoesNotContain("Seq Scan", numbering);
        Assert.Contains("Tid Scan", numbering);
        Assert.True(mayRemain); // a full batch was numbered
        Assert.Equal([60_001L, 60_002L], events.Take(2).Select(e => e.Position));
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The node types (with their indexes) of the plan PostgreSQL picks, as text.</summary>
    private static async Task<string> PlanAsync(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand("EXPLAIN (FORMAT JSON) " + sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var json = (string)(await command.ExecuteScalarAsync())!;
        var nodes = new List<string>();
        Walk(JsonDocument.Parse(json).RootElement[0].GetProperty("Plan"), nodes);
        return string.Join(" | ", nodes);

        static void Walk(JsonElement plan, List<string> nodes)
        {
            nodes.Add(plan.GetProperty("Node Type").GetString() + (plan.TryGetProperty("Index Name", out var index) ? " " + index.GetString() : ""));
            if (plan.TryGetProperty("Plans", out var children))
            {
                foreach (var child in children.EnumerateArray())
                {
                    Walk(child, nodes);
                }
            }
        }
    }
}
