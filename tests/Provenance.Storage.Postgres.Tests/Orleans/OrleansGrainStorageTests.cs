using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Provenance.Storage.Postgres.Tests.OrleansAdoNet;

/// <summary>Grain state through the real AdoNet grain storage on PostgreSQL (JSON via System.Text.Json).</summary>
[Collection(OrleansCollection.Name)]
public sealed class OrleansGrainStorageTests(PostgresOrleansFixture fixture) : IClassFixture<PostgresOrleansFixture>
{
    private const string GrainType = "Provenance.Tests.Counter";

    [Fact]
    public async Task WriteStateAsync_ThroughPersistentState_ReadBackAfterDeactivation()
    {
        var key = "c-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(key);
        await grain.SetAsync(5, "five");

        await grain.DeactivateAsync();
        await fixture.Cluster.WaitForDeactivationAsync(grain);

        Assert.Equal(5, await grain.GetAsync());
        Assert.True(await grain.GetRecordExistsAsync());
        Assert.Equal("1", await grain.GetEtagAsync());
    }

    [Fact]
    public async Task WriteStateAsync_PlainStateClass_StoredAsJson()
    {
        var key = "j-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(key);

        await grain.SetAsync(7, "seven");

        var json = await PostgresOrleansCluster.ScalarAsync<string>(fixture.Postgres.DataSource,
            "SELECT convert_from(payload, 'UTF8') FROM orleans_grain_state WHERE service_id = $1 AND grain_id_extension = $2",
            fixture.Cluster.Options.ServiceId, key);
        Assert.NotNull(json);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(7, document.RootElement.GetProperty("Value").GetInt32());
        Assert.Equal("seven", document.RootElement.GetProperty("Note").GetString());
    }

    [Fact]
    public async Task ReadStateAsync_PayloadChangedInDatabase_NewActivationSeesTheRow()
    {
        var key = "d-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(key);
        await grain.SetAsync(1, "one");
        await grain.DeactivateAsync();
        await fixture.Cluster.WaitForDeactivationAsync(grain);

        await using (var update = fixture.Postgres.DataSource.CreateCommand(
            "UPDATE orleans_grain_state SET payload = convert_to('{\"Value\":42}', 'UTF8') WHERE service_id = $1 AND grain_id_extension = $2"))
        {
            update.Parameters.AddWithValue(fixture.Cluster.Options.ServiceId);
            update.Parameters.AddWithValue(key);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        Assert.Equal(42, await grain.GetAsync());
    }

    [Fact]
    public async Task ClearStateAsync_ThroughPersistentState_RowKeepsVersionWithoutPayload()
    {
        var key = "x-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.Client.GetGrain<ICounterGrain>(key);
        await grain.SetAsync(3, "three");

        await grain.ClearAsync();

        Assert.Equal(0, await grain.GetAsync());
        Assert.False(await grain.GetRecordExistsAsync());
        Assert.Equal("2", await grain.GetEtagAsync());
        Assert.True(await PostgresOrleansCluster.ScalarAsync<bool>(fixture.Postgres.DataSource,
            "SELECT payload IS NULL AND version = 2 FROM orleans_grain_state WHERE service_id = $1 AND grain_id_extension = $2",
            fixture.Cluster.Options.ServiceId, key));
        await grain.SetAsync(4, "four");
        Assert.Equal("3", await grain.GetEtagAsync());
    }

    [Fact]
    public async Task WriteStateAsync_StaleEtag_ThrowsInconsistentStateException()
    {
        var storage = Storage(PostgresOrleansCluster.StorageName);
        var grainId = GrainId.Create("counter", Guid.NewGuid().ToString("N"));
        var current = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync(GrainType, grainId, current);
        var stale = new GrainState<CounterState>(new CounterState { Value = 2 }, current.ETag);
        await storage.WriteStateAsync(GrainType, grainId, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grainId, stale));

        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync(GrainType, grainId, read);
        Assert.Equal("2", read.ETag);
        Assert.Equal(1, read.State!.Value);
    }

    [Fact]
    public async Task WriteStateAsync_SecondWriterWithoutEtag_ThrowsInconsistentStateException()
    {
        var storage = Storage(PostgresOrleansCluster.StorageName);
        var grainId = GrainId.Create("counter", Guid.NewGuid().ToString("N"));
        await storage.WriteStateAsync(GrainType, grainId, new GrainState<CounterState>(new CounterState { Value = 1 }));

        var late = new GrainState<CounterState>(new CounterState { Value = 2 });

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grainId, late));
    }

    [Fact]
    public async Task ClearStateAsync_StaleEtag_ThrowsInconsistentStateException()
    {
        var storage = Storage(PostgresOrleansCluster.StorageName);
        var grainId = GrainId.Create("counter", Guid.NewGuid().ToString("N"));
        var current = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync(GrainType, grainId, current);
        var stale = new GrainState<CounterState>(new CounterState(), current.ETag) { RecordExists = true };
        await storage.WriteStateAsync(GrainType, grainId, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(GrainType, grainId, stale));
    }

    [Fact]
    public async Task ReadStateAsync_GuidIntegerStringAndExtendedKeys_KeepStatesApart()
    {
        var storage = Storage(PostgresOrleansCluster.StorageName);
        var type = GrainType + "." + Guid.NewGuid().ToString("N")[..8];
        var guid = Guid.NewGuid();
        GrainId[] ids =
        [
            GrainId.Create(Orleans.Runtime.GrainType.Create("counter"), GrainIdKeyExtensions.CreateGuidKey(guid)),
            GrainId.Create(Orleans.Runtime.GrainType.Create("counter"), GrainIdKeyExtensions.CreateGuidKey(guid, "ext")),
            GrainId.Create(Orleans.Runtime.GrainType.Create("counter"), GrainIdKeyExtensions.CreateIntegerKey(42)),
            GrainId.Create(Orleans.Runtime.GrainType.Create("counter"), GrainIdKeyExtensions.CreateIntegerKey(42, "ext")),
            GrainId.Create("counter", "42"),
        ];
        for (var i = 0; i < ids.Length; i++)
        {
            await storage.WriteStateAsync(type, ids[i], new GrainState<CounterState>(new CounterState { Value = i + 100 }));
        }

        var values = new List<int>();
        foreach (var id in ids)
        {
            var read = new GrainState<CounterState>();
            await storage.ReadStateAsync(type, id, read);
            values.Add(read.State!.Value);
        }

        Assert.Equal([100, 101, 102, 103, 104], values);
    }

    [Fact]
    public async Task ReadStateAsync_NeverWritten_DefaultStateNoEtag()
    {
        var storage = Storage(PostgresOrleansCluster.StorageName);
        var read = new GrainState<CounterState>();

        await storage.ReadStateAsync(GrainType, GrainId.Create("counter", Guid.NewGuid().ToString("N")), read);

        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
        Assert.Equal(0, read.State!.Value);
    }

    [Fact]
    public async Task ClearStateAsync_DeleteStateOnClear_RemovesRowAndAllowsFreshWrite()
    {
        var storage = Storage(PostgresOrleansCluster.DeletingStorageName);
        var grainId = GrainId.Create("counter", "del-" + Guid.NewGuid().ToString("N"));
        var state = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync(GrainType, grainId, state);

        await storage.ClearStateAsync(GrainType, grainId, state);

        Assert.Null(state.ETag);
        Assert.Equal(0L, await PostgresOrleansCluster.ScalarAsync<long>(fixture.Postgres.DataSource,
            "SELECT count(*) FROM orleans_grain_state WHERE grain_id_extension = $1", grainId.Key.ToString()!));
        state.State = new CounterState { Value = 2 };
        await storage.WriteStateAsync(GrainType, grainId, state);
        Assert.Equal("1", state.ETag);
    }

    private IGrainStorage Storage(string name) => fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(name);
}
