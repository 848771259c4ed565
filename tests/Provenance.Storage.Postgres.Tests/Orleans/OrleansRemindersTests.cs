using Microsoft.Extensions.DependencyInjection;

namespace Provenance.Storage.Postgres.Tests.OrleansAdoNet;

/// <summary>Reminders through the real AdoNet reminder table on PostgreSQL, on two-silo test clusters.</summary>
[Collection(OrleansCollection.Name)]
public sealed class OrleansRemindersTests(PostgresOrleansFixture fixture) : IClassFixture<PostgresOrleansFixture>
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RegisterOrUpdateReminder_Registered_FiresIsListedAndHasARow()
    {
        var key = "fires-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.Client.GetGrain<IReminderTestGrain>(key);

        await grain.RegisterAsync("tick", Second, Second);

        Assert.True(await PostgresOrleansCluster.EventuallyAsync(() => Task.FromResult(Ticks(key, "tick") >= 2), Patience));
        Assert.Equal(["tick"], await grain.ListAsync());
        Assert.Equal(1L, await RowsAsync(fixture, key, "tick"));
    }

    [Fact]
    public async Task UnregisterReminder_Registered_RowRemovedAndNotListed()
    {
        var key = "gone-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.Client.GetGrain<IReminderTestGrain>(key);
        await grain.RegisterAsync("keep", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));
        await grain.RegisterAsync("drop", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));

        await grain.UnregisterAsync("drop");

        Assert.Equal(["keep"], await grain.ListAsync());
        Assert.Equal(0L, await RowsAsync(fixture, key, "drop"));
        Assert.Equal(1L, await RowsAsync(fixture, key, "keep"));
    }

    [Fact]
    public async Task RegisterOrUpdateReminder_RegisteredTwice_OneRowWithNewerVersion()
    {
        var key = "twice-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.Client.GetGrain<IReminderTestGrain>(key);
        await grain.RegisterAsync("r", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));

        await grain.RegisterAsync("r", TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(7));

        Assert.Equal(1L, await RowsAsync(fixture, key, "r"));
        Assert.Equal(7 * 60_000L, await PostgresOrleansCluster.ScalarAsync<long>(fixture.Postgres.DataSource,
            "SELECT period FROM orleans_reminders WHERE service_id = $1 AND grain_id LIKE '%' || $2 AND reminder_name = 'r'", fixture.Cluster.Options.ServiceId, key));
        Assert.Equal(1, await PostgresOrleansCluster.ScalarAsync<int>(fixture.Postgres.DataSource,
            "SELECT version FROM orleans_reminders WHERE service_id = $1 AND grain_id LIKE '%' || $2 AND reminder_name = 'r'", fixture.Cluster.Options.ServiceId, key));
    }

    [Fact]
    public async Task RemoveRow_StaleThenCurrentEtag_OnlyCurrentRemoves()
    {
        var table = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
        var grainId = GrainId.Create("reminder-contract", Guid.NewGuid().ToString("N"));
        var first = await table.UpsertRow(Entry(grainId, "r"));
        var second = await table.UpsertRow(Entry(grainId, "r"));

        var removedWithStale = await table.RemoveRow(grainId, "r", first!);
        var removedWithCurrent = await table.RemoveRow(grainId, "r", second!);

        Assert.NotEqual(first, second);
        Assert.False(removedWithStale);
        Assert.True(removedWithCurrent);
        Assert.Null(await table.ReadRow(grainId, "r"));
    }

    [Fact]
    public async Task DeleteReminderRowsKey_RunAsText_RemovesOnlyThatServicesRows()
    {
        // Orleans calls this key only from IReminderTable.TestOnlyClearTable; run it on two throwaway services.
        await using (var insert = fixture.Postgres.DataSource.CreateCommand(
            "INSERT INTO orleans_reminders VALUES ('svc-a', 'g/1', 'r', now(), 1000, 1, 0), ('svc-b', 'g/1', 'r', now(), 1000, 1, 0)"))
        {
            await insert.ExecuteNonQueryAsync();
        }
        var text = await PostgresOrleansCluster.ScalarAsync<string>(fixture.Postgres.DataSource, "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'DeleteReminderRowsKey'");
        await using var command = fixture.Postgres.DataSource.CreateCommand(text);
        command.Parameters.AddWithValue("ServiceId", "svc-a");

        var deleted = await command.ExecuteNonQueryAsync();

        Assert.Equal(1, deleted);
        Assert.Equal(1L, await PostgresOrleansCluster.ScalarAsync<long>(fixture.Postgres.DataSource,
            "SELECT count(*) FROM orleans_reminders WHERE service_id IN ('svc-a', 'svc-b')"));
    }

    [Theory]
    [InlineData(0x10000000u, 0x70000000u)] // no wrap, either order
    [InlineData(0x70000000u, 0x90000000u)] // no wrap as uint, wraps in signed order
    [InlineData(0xF0000000u, 0x10000000u)] // wraps as uint, not in signed order
    [InlineData(0x90000000u, 0x70000000u)] // wraps in both orders
    [InlineData(0x40000000u, 0x40000000u)] // begin = end: the whole ring
    public async Task ReadRows_HashRange_ReturnsExactlyTheRowsInTheRingRange(uint begin, uint end)
    {
        var table = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
        var type = "ring-" + Guid.NewGuid().ToString("N")[..8];
        var grains = Enumerable.Range(0, 128).Select(i => GrainId.Create(type, $"k{i}")).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "r"));
        }

        var rows = await table.ReadRows(begin, end);

        var expected = grains.Where(g => InRing(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order(StringComparer.Ordinal);
        var actual = rows.Reminders.Where(r => r.GrainId.Type.ToString() == type).Select(r => r.GrainId.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
        Assert.NotEmpty(actual);
    }

    [Fact]
    public async Task RestartSiloAsync_EachSilo_ReminderRowSurvivesAndKeepsFiring()
    {
        await using var cluster = await PostgresOrleansCluster.StartAsync(fixture.Postgres.ConnectionString);
        var key = "restart-" + Guid.NewGuid().ToString("N")[..8];
        await cluster.Client.GetGrain<IReminderTestGrain>(key).RegisterAsync("tick", Second, Second);
        Assert.True(await PostgresOrleansCluster.EventuallyAsync(() => Task.FromResult(Ticks(key, "tick") >= 1), Patience));

        foreach (var silo in cluster.Silos.ToList())
        {
            await cluster.RestartSiloAsync(silo);
        }

        var ticksAfterRestart = Ticks(key, "tick");
        Assert.Equal(1L, await PostgresOrleansCluster.ScalarAsync<long>(fixture.Postgres.DataSource,
            "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND grain_id LIKE '%' || $2", cluster.Options.ServiceId, key));
        Assert.Equal(["tick"], await cluster.Client.GetGrain<IReminderTestGrain>(key).ListAsync());
        Assert.True(await PostgresOrleansCluster.EventuallyAsync(() => Task.FromResult(Ticks(key, "tick") > ticksAfterRestart), Patience));
    }

    /// <summary>Orleans' ring range (begin, end] over uint hashes; begin = end is the whole ring.</summary>
    private static bool InRing(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static int Ticks(string key, string name) => ReminderTestGrain.Ticks.GetValueOrDefault($"{key}/{name}");

    private static ReminderEntry Entry(GrainId grainId, string name) => new()
    {
        GrainId = grainId,
        ReminderName = name,
        StartAt = DateTime.UtcNow.AddDays(1),
        Period = TimeSpan.FromDays(1),
    };

    private static Task<long> RowsAsync(PostgresOrleansFixture fixture, string key, string name)
        => PostgresOrleansCluster.ScalarAsync<long>(fixture.Postgres.DataSource,
            "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND grain_id LIKE '%' || $2 AND reminder_name = $3",
            fixture.Cluster.Options.ServiceId, key, name);
}
