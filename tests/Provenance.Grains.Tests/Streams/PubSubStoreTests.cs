using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Provenance.Core.Signing;
using Provenance.Grains.Tests.TestSupport;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Streams;

/// <summary>
/// The stream pub-sub store keeps Orleans' own state types, which are made for Orleans' serializer. Written as JSON they
/// could not be read back: every later producer registration failed and a subscriber's events were dropped (ADR 0008).
/// </summary>
public sealed class PubSubStoreTests(PostgresFixture db) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private ClusterHost _node = null!;

    public async Task InitializeAsync() => _node = await Node.StartPostgresAsync(db.ConnectionString, new InMemoryKeyStore());

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task PubSubStore_StateShapedLikeOrleansOwn_ReadsBackAfterWrite()
    {
        var storage = _node.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.PubSubStorage);
        var id = GrainId.Create("pubsubrendezvous", "test/" + Guid.NewGuid().ToString("N"));
        var written = new GrainState<RuntimeShapedState>(new RuntimeShapedState(42, "producer"));

        await storage.WriteStateAsync("PubSubRendezvousGrain", id, written);
        var read = new GrainState<RuntimeShapedState>();
        await storage.ReadStateAsync("PubSubRendezvousGrain", id, read);

        Assert.True(read.RecordExists);
        var state = Assert.IsType<RuntimeShapedState>(read.State);
        Assert.Equal(42, state.Count);
        Assert.Equal("producer", state.Name);
        Assert.Equal(written.ETag, read.ETag);
    }
}

/// <summary>
/// Like Orleans' pub-sub state: serialisable by Orleans, but with a constructor whose parameters System.Text.Json cannot
/// bind to its members.
/// </summary>
[GenerateSerializer]
public sealed class RuntimeShapedState
{
    public RuntimeShapedState()
        : this(0, "")
    {
    }

    public RuntimeShapedState(int initial, string producer)
    {
        Count = initial;
        Name = producer;
    }

    [Id(0)]
    public int Count { get; private set; }

    [Id(1)]
    public string Name { get; private set; }
}
