using Provenance.Actors.Storage;

namespace Provenance.Storage.Postgres.Tests.Reminders;

public sealed class PostgresReminderTableTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private PostgresStorage storage = null!;

    public async Task InitializeAsync() => storage = await PostgresStorage.OpenAsync(await fixture.CreateDatabaseAsync(migrate: true));

    public async Task DisposeAsync() => await storage.DisposeAsync();

    [Fact]
    public async Task UpsertAsync_SameNameTwice_ReadReturnsReplacement()
    {
        var grain = Guid.NewGuid().ToString("N");

        await storage.Reminders.UpsertAsync(new ReminderEntry("anchor", grain, "tick", Now, TimeSpan.FromMinutes(1)), default);
        await storage.Reminders.UpsertAsync(new ReminderEntry("anchor", grain, "tick", Now.AddHours(1), TimeSpan.FromMinutes(5)), default);
        var read = await storage.Reminders.ReadAsync("anchor", grain, default);

        var only = Assert.Single(read);
        Assert.Equal(Now.AddHours(1), only.NextDue);
        Assert.Equal(TimeSpan.FromMinutes(5), only.Period);
    }

    [Fact]
    public async Task DeleteAsync_ExistingAndAbsent_RemovesWithoutError()
    {
        var grain = Guid.NewGuid().ToString("N");
        await storage.Reminders.UpsertAsync(new ReminderEntry("anchor", grain, "tick", Now, TimeSpan.FromMinutes(1)), default);

        await storage.Reminders.DeleteAsync("anchor", grain, "tick", default);
        await storage.Reminders.DeleteAsync("anchor", grain, "tick", default);

        Assert.Empty(await storage.Reminders.ReadAsync("anchor", grain, default));
    }

    [Fact]
    public async Task ClaimDueAsync_TwoConcurrentClaimers_EachDueReminderClaimedOnce()
    {
        for (var i = 0; i < 200; i++)
        {
            await storage.Reminders.UpsertAsync(new ReminderEntry("anchor", $"g{i}", "tick", Now.AddMinutes(-i % 7), TimeSpan.FromMinutes(10)), default);
        }

        await storage.Reminders.UpsertAsync(new ReminderEntry("anchor", "later", "tick", Now.AddMinutes(1), TimeSpan.FromMinutes(10)), default);

        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var mine = new List<ReminderEntry>();
            while (await storage.Reminders.ClaimDueAsync(Now, 7, default) is { Count: > 0 } batch)
            {
                mine.AddRange(batch);
            }

            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Select(r => r.GrainKey).Distinct().Count());
        Assert.DoesNotContain(all, r => r.GrainKey == "later");
        Assert.Empty(await storage.Reminders.ClaimDueAsync(Now, 10, default));
    }

    [Fact]
    public async Task ClaimDueAsync_SeveralTicksMissed_NextDueIsFirstTickAfterNow()
    {
        var grain = Guid.NewGuid().ToString("N");
        await storage.Reminders.UpsertAsync(new ReminderEntry("epoch", grain, "seal", Now.AddMinutes(-25), TimeSpan.FromMinutes(10)), default);

        var claimed = await storage.Reminders.ClaimDueAsync(Now, 1000, default);

        Assert.Contains(claimed, r => r.GrainKey == grain && r.NextDue == Now.AddMinutes(-25));
        Assert.Equal(Now.AddMinutes(5), Assert.Single(await storage.Reminders.ReadAsync("epoch", grain, default)).NextDue);
    }
}
