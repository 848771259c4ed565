using System.Diagnostics;
using System.Text;

namespace Provenance.Storage.Postgres.Tests.Outbox;

public sealed class PostgresOutboxStoreTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task ReadAsync_ConcurrentWritersAndAReader_PositionsContiguousAndNoEventSkipped()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        await using var otherNode = await PostgresStorage.OpenAsync(storage.DataSource.ConnectionString);
        const int writers = 8, perWriter = 150;
        var seen = new List<long>();
        var payloads = new HashSet<string>();
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            long cursor = 0;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var batch = await storage.Outbox.ReadAsync("assets", cursor, 100, default);
                foreach (var record in batch)
                {
                    seen.Add(record.Position);
                    payloads.Add(Encoding.UTF8.GetString(record.Payload.Span));
                    cursor = record.Position;
                }

                if (finished && batch.Count == 0)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var node = w % 2 == 0 ? storage : otherNode;
            for (var i = 0; i < perWriter; i += 10)
            {
                await Task.WhenAll(Enumerable.Range(i, 10).Select(j =>
                    node.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Event("assets", $"{w}-{j}"), default)));
            }
        })));
        await done.CancelAsync();
        await reader;

        Assert.Equal(writers * perWriter, payloads.Count);
        Assert.Equal(Enumerable.Range(1, writers * perWriter).Select(p => (long)p), seen);
    }

    [Fact]
    public async Task ReadAsync_TwoStreams_EachReturnsOnlyItsEventsInPositionOrder()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        foreach (var (stream, payload) in new[] { ("a", "1"), ("b", "2"), ("a", "3") })
        {
            await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Event(stream, payload), default);
        }

        var a = await storage.Outbox.ReadAsync("a", 0, 10, default);
        var afterFirst = await storage.Outbox.ReadAsync("a", a[0].Position, 10, default);

        Assert.Equal(["1", "3"], a.Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
        Assert.True(a[0].Position < a[1].Position);
        Assert.Equal("test.event", a[0].EventType);
        Assert.Equal(["3"], afterFirst.Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
    }

    [Fact]
    public async Task SaveCheckpointAsync_SavedTwice_GetReturnsLatest()
    {
        await using var storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        var consumer = Guid.NewGuid().ToString("N");

        var before = await storage.Outbox.GetCheckpointAsync(consumer, "assets", default);
        await storage.Outbox.SaveCheckpointAsync(consumer, "assets", 5, default);
        await storage.Outbox.SaveCheckpointAsync(consumer, "assets", 9, default);

        Assert.Equal(0, before);
        Assert.Equal(9, await storage.Outbox.GetCheckpointAsync(consumer, "assets", default));
        Assert.Equal(0, await storage.Outbox.GetCheckpointAsync(consumer, "epochs", default));
    }

    [Fact]
    public async Task WaitForEventsAsync_EventWrittenByAnotherNode_CompletesBeforeMaxWait()
    {
        await using var storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        await using var writer = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        await storage.ListeningAsync(default);
        var stream = "s-" + Guid.NewGuid().ToString("N");
        var clock = Stopwatch.StartNew();

        var wait = storage.Outbox.WaitForEventsAsync(stream, TimeSpan.FromSeconds(30), default);
        await writer.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("s"), null, TestEffects.Event(stream, "x"), default);
        await wait;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waited {clock.Elapsed}");
    }

    [Fact]
    public async Task WaitForEventsAsync_NothingWritten_ReturnsAfterMaxWait()
    {
        await using var storage = await PostgresStorage.OpenAsync(fixture.ConnectionString);
        await storage.ListeningAsync(default);
        var clock = Stopwatch.StartNew();

        await storage.Outbox.WaitForEventsAsync("quiet-" + Guid.NewGuid().ToString("N"), TimeSpan.FromMilliseconds(300), default);

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }
}
