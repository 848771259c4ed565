using Provenance.Actors.Storage;

namespace Provenance.Actors.Tests.Storage;

public sealed class MemoryReminderTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ClaimDueAsync_Due_ClaimedOnceAndMovedByPeriod()
    {
        var table = new MemoryReminderTable();
        await table.UpsertAsync(new ReminderEntry("g", "k", "r", Now, TimeSpan.FromMinutes(1)), CancellationToken.None);

        var first = await table.ClaimDueAsync(Now, 10, CancellationToken.None);
        var second = await table.ClaimDueAsync(Now, 10, CancellationToken.None);

        Assert.Single(first);
        Assert.Empty(second);
        Assert.Equal(Now.AddMinutes(1), Assert.Single(await table.ReadAsync("g", "k", CancellationToken.None)).NextDue);
    }

    [Fact]
    public async Task ClaimDueAsync_ManyMissedTicks_NextDueNotInPast()
    {
        var table = new MemoryReminderTable();
        await table.UpsertAsync(new ReminderEntry("g", "k", "r", Now, TimeSpan.FromMinutes(1)), CancellationToken.None);

        await table.ClaimDueAsync(Now.AddHours(1), 10, CancellationToken.None);

        Assert.True(Assert.Single(await table.ReadAsync("g", "k", CancellationToken.None)).NextDue > Now.AddHours(1));
    }

    [Fact]
    public async Task ClaimDueAsync_NotDueOrOverMax_LeftForLater()
    {
        var table = new MemoryReminderTable();
        await table.UpsertAsync(new ReminderEntry("g", "a", "r", Now, TimeSpan.FromMinutes(1)), CancellationToken.None);
        await table.UpsertAsync(new ReminderEntry("g", "b", "r", Now.AddSeconds(1), TimeSpan.FromMinutes(1)), CancellationToken.None);
        await table.UpsertAsync(new ReminderEntry("g", "c", "r", Now.AddHours(1), TimeSpan.FromMinutes(1)), CancellationToken.None);

        var claimed = await table.ClaimDueAsync(Now.AddSeconds(1), 1, CancellationToken.None);

        Assert.Equal("a", Assert.Single(claimed).GrainKey);
    }
}

public sealed class MemoryDistributedLockTests
{
    [Fact]
    public async Task TryAcquireAsync_WhileHeld_ReturnsNullUntilReleased()
    {
        var locks = new MemoryDistributedLock();
        var held = await locks.AcquireAsync("seq", CancellationToken.None);

        var whileHeld = await locks.TryAcquireAsync("seq", CancellationToken.None);
        await held.DisposeAsync();
        var afterRelease = await locks.TryAcquireAsync("seq", CancellationToken.None);

        Assert.Null(whileHeld);
        Assert.NotNull(afterRelease);
    }

    [Fact]
    public async Task DisposeAsync_Twice_ReleasesOnce()
    {
        var locks = new MemoryDistributedLock();
        var held = await locks.AcquireAsync("x", CancellationToken.None);
        await held.DisposeAsync();
        await held.DisposeAsync();
        var first = await locks.TryAcquireAsync("x", CancellationToken.None);

        var second = await locks.TryAcquireAsync("x", CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(second);
    }
}
