using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Provenance.Core.Storage;

namespace Provenance.Storage.Postgres.Tests;

public sealed class PostgresStorageServiceCollectionExtensionsTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task AddPostgresStorage_Resolved_EveryContractSharesOneStorageAndWorks()
    {
        var services = new ServiceCollection().AddPostgresStorage(fixture.ConnectionString, o => o.NodeId = "node-di");
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(default);
        }

        var storage = provider.GetRequiredService<PostgresStorage>();
        var etag = await provider.GetRequiredService<IDurableStateStore>().WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("x"), null, null, default);

        Assert.Equal("1", etag);
        Assert.Equal("node-di", storage.Options.NodeId);
        Assert.Same(storage.Outbox, provider.GetRequiredService<IOutboxStore>());
        Assert.Same(storage.Log, provider.GetRequiredService<ILogStore>());
        Assert.Same(storage.Index, provider.GetRequiredService<IGrainIndex>());
        Assert.Same(storage.StateChanges, provider.GetRequiredService<IStateChangeFeed>());
    }
}
