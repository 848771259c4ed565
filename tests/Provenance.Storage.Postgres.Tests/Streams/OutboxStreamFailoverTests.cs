using Orleans.Runtime;
using Xunit.Abstractions;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Storage.Postgres.Tests.Streams;

[Collection(OutboxStreamCollection.Name)]
public sealed class OutboxStreamFailoverTests(PostgresFixture fixture, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int QueueCount = 8; // more queues than silos: each silo owns some
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KillSiloAsync_SiloOwningQueues_QueuesMoveAndNoEventLostAndRedeliveriesKeepTheirToken()
    {
        await using var writer = await PostgresStorage.OpenAsync(fixture.ConnectionString, new PostgresStorageOptions { StreamQueueCount = QueueCount });
        await using var cluster = await OutboxStreamTestCluster.StartAsync(fixture.ConnectionString, QueueCount);
        var keys = OutboxStreamTestCluster.KeysCoveringAllQueues(OutboxStreamTestCluster.AssetsStream, QueueCount);
        var expected = keys.ToDictionary(k => k, _ => new List<long>());
        async Task CommitRoundAsync(string round)
        {
            var written = await Task.WhenAll(keys.Select(async k =>
                (k, await OutboxStreamTestCluster.CommitEventAsync(writer, OutboxStreamTestCluster.AssetsStream, k, $"{k}-{round}"))));
            foreach (var (k, position) in written)
            {
                expected[k].Add(position);
            }
        }

        await CommitRoundAsync("warm");
        foreach (var k in keys)
        {
            await Deliveries.WaitForAsync(StreamId.Create(OutboxStreamTestCluster.AssetsStream, k), expected[k], Timeout);
        }

        var victim = cluster.SecondarySilos[0];
        var victimQueues = OutboxStreamTestCluster.RunningReceivers(victim);
        output.WriteLine($"killed silo read queues {string.Join(", ", victimQueues)}");

        await CommitRoundAsync("before-kill"); // committed, perhaps not yet delivered when the silo dies
        await cluster.KillSiloAsync(victim);
        await CommitRoundAsync("after-kill-1");
        await CommitRoundAsync("after-kill-2");

        Assert.NotEmpty(victimQueues);
        foreach (var k in keys)
        {
            var got = await Deliveries.WaitForAsync(StreamId.Create(OutboxStreamTestCluster.AssetsStream, k), expected[k], Timeout);
            output.WriteLine($"{k}: {got.Count} deliveries of {expected[k].Count} events ({got.Count - got.Select(d => d.Event.Position).Distinct().Count()} redelivered)");
            Assert.Equal(expected[k], got.Select(d => d.Event.Position).Distinct());
            Assert.All(got, d => Assert.Equal(new OutboxSequenceToken(d.Event.Position), d.Token));
        }

        Assert.Equal(QueueCount, OutboxStreamTestCluster.RunningReceivers(cluster.Primary!).Count);
    }
}
