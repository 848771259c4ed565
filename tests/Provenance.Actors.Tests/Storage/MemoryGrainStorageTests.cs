using Provenance.Actors.Storage;

namespace Provenance.Actors.Tests.Storage;

public sealed class MemoryGrainStorageTests
{
    private static readonly GrainStateKey Key = new("asset", "a1", "state");

    [Fact]
    public async Task WriteAsync_CreateWhenAbsent_ReturnsEtagAndStoresData()
    {
        var storage = new MemoryGrainStorage();

        var etag = await storage.WriteAsync(Key, "{}"u8.ToArray(), null, null, CancellationToken.None);
        var record = await storage.ReadAsync(Key, CancellationToken.None);

        Assert.Equal(etag, record!.Etag);
        Assert.Equal("{}"u8.ToArray(), record.Data.ToArray());
    }

    [Fact]
    public async Task WriteAsync_CreateWhenPresent_ThrowsInconsistentState()
    {
        var storage = new MemoryGrainStorage();
        var etag = await storage.WriteAsync(Key, "1"u8.ToArray(), null, null, CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(Key, "2"u8.ToArray(), null, null, CancellationToken.None));

        Assert.Equal(etag, conflict.CurrentEtag);
    }

    [Fact]
    public async Task WriteAsync_WithCurrentEtag_NewEtag()
    {
        var storage = new MemoryGrainStorage();
        var first = await storage.WriteAsync(Key, "1"u8.ToArray(), null, null, CancellationToken.None);

        var second = await storage.WriteAsync(Key, "2"u8.ToArray(), first, null, CancellationToken.None);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task WriteAsync_ConflictingLogSourceKey_NothingWritten()
    {
        var storage = new MemoryGrainStorage();
        var effects = new DurableEffects();
        effects.LogAppends.Add(new LogAppend("src", [1]));
        await storage.WriteAsync(Key, "1"u8.ToArray(), null, effects, CancellationToken.None);
        var other = new DurableEffects();
        other.LogAppends.Add(new LogAppend("src", [2]));
        other.Events.Add(new OutboxMessage("s", "t", null, "{}"u8.ToArray()));

        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.WriteAsync(new GrainStateKey("asset", "a2", "state"), "2"u8.ToArray(), null, other, CancellationToken.None));

        Assert.Single(storage.LogAppends);
        Assert.Null(await storage.ReadAsync(new GrainStateKey("asset", "a2", "state"), CancellationToken.None));
        Assert.Empty(await storage.ReadAsync("s", 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task QueryAsync_AfterSeqCursor_ReturnsLaterRowsOnlyAndDeduplicates()
    {
        var storage = new MemoryGrainStorage();
        var effects = new DurableEffects();
        effects.IndexEntries.Add(new IndexEntry("children", "p", "c1"));
        effects.IndexEntries.Add(new IndexEntry("children", "p", "c2"));
        effects.IndexEntries.Add(new IndexEntry("children", "p", "c1"));
        await storage.WriteAsync(Key, "1"u8.ToArray(), null, effects, CancellationToken.None);
        var first = await storage.QueryAsync("children", "p", 0, 1, CancellationToken.None);

        var rest = await storage.QueryAsync("children", "p", first[0].Seq, 10, CancellationToken.None);

        Assert.Equal("c1", Assert.Single(first).Value);
        Assert.Equal("c2", Assert.Single(rest).Value);
        Assert.Equal(2, await storage.CountAsync("children", "p", CancellationToken.None));
    }

    [Fact]
    public async Task WaitForEventsAsync_EventWritten_CompletesBeforeMaxWait()
    {
        var storage = new MemoryGrainStorage();
        var wait = storage.WaitForEventsAsync("s", TimeSpan.FromSeconds(30), CancellationToken.None);
        var effects = new DurableEffects();
        effects.Events.Add(new OutboxMessage("s", "t", null, "{}"u8.ToArray()));

        await storage.WriteAsync(Key, "1"u8.ToArray(), null, effects, CancellationToken.None);

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitForEventsAsync_NoEvent_CompletesAfterMaxWaitWithoutError()
    {
        var storage = new MemoryGrainStorage();

        var wait = storage.WaitForEventsAsync("quiet", TimeSpan.FromMilliseconds(30), CancellationToken.None);

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ClearAsync_StaleEtag_ThrowsAndKeepsRecord()
    {
        var storage = new MemoryGrainStorage();
        await storage.WriteAsync(Key, "1"u8.ToArray(), null, null, CancellationToken.None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(Key, "stale", CancellationToken.None));

        Assert.NotNull(await storage.ReadAsync(Key, CancellationToken.None));
    }
}
