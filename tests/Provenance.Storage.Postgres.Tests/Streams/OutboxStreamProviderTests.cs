using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;
using Provenance.Storage.Postgres.Schema;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Storage.Postgres.Tests.Streams;

/// <summary>The provider's parts without a cluster.</summary>
public sealed class OutboxStreamProviderTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly int[] ExpectedQueues = [690, 33, 230]; // 32-bit FNV-1a of "ns\0key" mod 1024, computed independently

    [Theory]
    [InlineData("parent-1", "tenant-a", "parent-1")]
    [InlineData(null, "tenant-a", "tenant-a")]
    [InlineData(null, null, OutboxStreamIdentity.DeploymentKey)]
    [InlineData("", "", OutboxStreamIdentity.DeploymentKey)]
    public void StreamIdOf_KeyAndTenant_KeyElseTenantElseDeployment(string? streamKey, string? tenant, string expectedKey)
    {
        var streamId = OutboxStreamIdentity.StreamIdOf("derivatives", streamKey, tenant);

        Assert.Equal(StreamId.Create("derivatives", expectedKey), streamId);
    }

    [Fact]
    public void QueueOf_KnownStreams_SameQueueAsEverWritten()
    {
        // Rows in existing databases carry these numbers: the hash must never change.
        var queues = new[] { ("assets", "tenant-a"), ("derivatives", "parent-1"), ("epochs", OutboxStreamIdentity.DeploymentKey) }
            .Select(s => OutboxStreamIdentity.QueueOf(StreamId.Create(s.Item1, s.Item2), 1024));

        Assert.Equal(ExpectedQueues, queues);
    }

    [Fact]
    public async Task WriteAsync_EventWithStreamKey_RowStampedWithTheMappersQueue()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        var mapper = new OutboxStreamQueueMapper("outbox", storage.Options.StreamQueueCount);
        var keys = Enumerable.Range(0, 20).Select(i => $"parent-{i}").ToList();

        foreach (var key in keys)
        {
            await OutboxStreamTestCluster.CommitEventAsync(storage, "derivatives", key, key);
        }

        await using var command = storage.DataSource.CreateCommand($"SELECT stream_key, queue FROM {SchemaNames.Outbox} ORDER BY position");
        await using var reader = await command.ExecuteReaderAsync();
        var stamped = new List<(string, int)>();
        while (await reader.ReadAsync())
        {
            stamped.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        Assert.Equal(
            keys.Select(k => (k, OutboxStreamQueueMapper.QueueNumberOf(mapper.GetQueueForStream(StreamId.Create("derivatives", k))))),
            stamped);
        Assert.True(stamped.Select(s => s.Item2).Distinct().Count() > 1);
    }

    [Fact]
    public void GetQueuesForRange_WholeRing_EveryQueueOnce()
    {
        var mapper = new OutboxStreamQueueMapper("outbox", 4);

        var all = mapper.GetAllQueues().ToList();

        Assert.Equal([0, 1, 2, 3], all.Select(OutboxStreamQueueMapper.QueueNumberOf));
        Assert.Equal(4, all.Select(q => q.GetUniformHashCode()).Distinct().Count());
    }

    [Fact]
    public async Task GetQueueMessagesAsync_AfterDeliveredAndRestart_ResumesAfterTheSavedCursor()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        var streamId = StreamId.Create("assets", "k");
        var queue = OutboxStreamIdentity.QueueOf(streamId, storage.Options.StreamQueueCount);
        var options = new OutboxStreamOptions { BatchSize = 2 };
        var positions = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            positions.Add(await OutboxStreamTestCluster.CommitEventAsync(storage, "assets", "k", $"e{i}"));
        }

        var receiver = new OutboxQueueReceiver(storage, options, "p", queue, NullLogger.Instance);
        await receiver.Initialize(TimeSpan.FromSeconds(10));
        var firstBatch = await receiver.GetQueueMessagesAsync(100, default);
        await receiver.MessagesDeliveredAsync(firstBatch, default);
        var restarted = new OutboxQueueReceiver(storage, options, "p", queue, NullLogger.Instance);
        await restarted.Initialize(TimeSpan.FromSeconds(10));
        var next = await restarted.GetQueueMessagesAsync(100, default);

        Assert.Equal(positions[..2], firstBatch.Select(b => b.SequenceToken.SequenceNumber));
        Assert.All(firstBatch, b => Assert.Equal(streamId, b.StreamId));
        Assert.Equal([positions[2]], next.Select(b => b.SequenceToken.SequenceNumber));
        Assert.Equal(["e2"], next.SelectMany(b => b.GetEvents<OutboxEvent>()).Select(e => System.Text.Encoding.UTF8.GetString(e.Item1.Payload)));
    }

    [Fact]
    public async Task QueueMessageBatchAsync_AnyEvent_NotSupported()
    {
        await using var storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        var factory = new OutboxQueueAdapterFactory("outbox", storage, new OutboxStreamOptions(), NullLoggerFactory.Instance);
        var adapter = await factory.CreateAdapter(default);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() =>
            adapter.QueueMessageBatchAsync(StreamId.Create("assets", "k"), new[] { 1 }, null, null));

        Assert.Contains("DurableEffects", error.Message, StringComparison.Ordinal);
        Assert.Equal(StreamProviderDirection.ReadOnly, adapter.Direction);
    }

    [Fact]
    public async Task Constructor_QueueCountDiffersFromStorage_Throws()
    {
        await using var storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);

        var error = Assert.Throws<InvalidOperationException>(() =>
            new OutboxQueueAdapterFactory("outbox", storage, new OutboxStreamOptions { QueueCount = 5 }, NullLoggerFactory.Instance));

        Assert.Contains("StreamQueueCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serializer_TokenAndBatchContainer_RoundTripEqual()
    {
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(OutboxEvent).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var container = new OutboxBatchContainer(
            StreamId.Create("assets", "k"), new OutboxEvent(42, "assets", "k", "t", "tenant", [1, 2, 3], DateTimeOffset.UnixEpoch));

        var token = serializer.Deserialize<StreamSequenceToken>(serializer.SerializeToArray<StreamSequenceToken>(new OutboxSequenceToken(42)));
        var copy = serializer.Deserialize<IBatchContainer>(serializer.SerializeToArray<IBatchContainer>(container))!;

        Assert.Equal(new OutboxSequenceToken(42), token);
        Assert.Equal(container.StreamId, copy.StreamId);
        Assert.Equal(container.SequenceToken, copy.SequenceToken);
        Assert.Equal([1, 2, 3], copy.GetEvents<OutboxEvent>().Single().Item1.Payload);
    }

}
