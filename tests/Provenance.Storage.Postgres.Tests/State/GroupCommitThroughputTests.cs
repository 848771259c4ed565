using System.Diagnostics;
using Provenance.Core.Storage;
using Xunit.Abstractions;

namespace Provenance.Storage.Postgres.Tests.State;

/// <summary>A quick throughput probe (the benchmark project owns the real measurement); asserts completeness, reports writes/s.</summary>
public sealed class GroupCommitThroughputTests(PostgresFixture fixture, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task WriteAsync_20000CreatesFrom256Callers_AllDurableWithEffects()
    {
        await using var storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));
        const int callers = 256, warmUp = 2_000, total = 20_000;
        var payload = new byte[600];
        Random.Shared.NextBytes(payload);
        await CreateAsync(storage, "warm", warmUp, callers, payload);
        var clock = Stopwatch.StartNew();

        await CreateAsync(storage, "asset", total, callers, payload);
        clock.Stop();

        output.WriteLine($"{total} group-committed creates from {callers} callers in {clock.Elapsed.TotalSeconds:F2} s: {total / clock.Elapsed.TotalSeconds:F0} writes/s");
        var head = await storage.Log.GetHeadAsync(default);
        Assert.Equal(warmUp + total, head.Pending);
        await using var count = storage.DataSource.CreateCommand("SELECT (SELECT count(*) FROM grain_state) + (SELECT count(*) FROM outbox)");
        Assert.Equal(2L * (warmUp + total), await count.ExecuteScalarAsync());
    }

    private static Task CreateAsync(PostgresStorage storage, string prefix, int total, int callers, byte[] payload)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var id = $"{prefix}-{i}";
                var effects = new DurableEffects();
                effects.LogAppends.Add(new LogAppend(id, System.Security.Cryptography.SHA256.HashData(payload.AsSpan(0, 64))));
                effects.Events.Add(new OutboxMessage("assets", "asset.registered", "tenant-a", "{\"id\":\"x\"}"u8.ToArray()));
                effects.IndexEntries.Add(new IndexEntry("by-hash", id, id));
                await storage.GrainStorage.WriteAsync(new GrainStateKey("asset", id, "state"), payload, null, effects, default);
            }
        })));
    }
}
