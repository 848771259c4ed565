using Provenance.Actors.Storage;
using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Runtime;

public sealed class ReminderTests
{
    [Fact]
    public async Task RegisterOrUpdateReminderAsync_Due_DeliveredToGrain()
    {
        await using var node = await TestNode.StartAsync();

        await node.Factory.GetGrain<IReminderGrain>("r").RegisterAsync("tick", TimeSpan.Zero, TimeSpan.FromMilliseconds(50));

        Assert.True(await Eventually.HoldsAsync(() => node.Probe.Reminders.Count(r => r is ("r", "tick", _)) >= 2));
        Assert.Equal(TimeSpan.FromMilliseconds(50), node.Probe.Reminders.First().Status.Period);
    }

    [Fact]
    public async Task RegisterOrUpdateReminderAsync_RuntimeRestarted_FiresOnNewRuntime()
    {
        var table = new MemoryReminderTable();
        var beforeProbe = new Probe();
        var before = await TestNode.StartAsync(new NodeSetup { Reminders = table, Probe = beforeProbe, Runtime = o => o.ReminderPollInterval = TimeSpan.FromHours(1) });
        await before.Factory.GetGrain<IReminderGrain>("survivor").RegisterAsync("daily", TimeSpan.FromMilliseconds(300), TimeSpan.FromHours(1));
        await before.DisposeAsync();

        await using var after = await TestNode.StartAsync(new NodeSetup { Reminders = table });

        Assert.Empty(beforeProbe.Reminders);
        Assert.True(await Eventually.HoldsAsync(() => after.Probe.Reminders.Any(r => r is ("survivor", "daily", _))));
    }

    [Fact]
    public async Task UnregisterReminderAsync_Registered_StopsDelivery()
    {
        var table = new MemoryReminderTable();
        await using var node = await TestNode.StartAsync(new NodeSetup { Reminders = table });
        var grain = node.Factory.GetGrain<IReminderGrain>("u");
        await grain.RegisterAsync("gone", TimeSpan.FromHours(1), TimeSpan.FromHours(1));

        await grain.UnregisterAsync("gone");

        Assert.Empty(await table.ReadAsync("reminder", "u", CancellationToken.None));
    }

    [Fact]
    public async Task ReceiveReminderAsync_Throws_ReminderKeepsFiring()
    {
        await using var node = await TestNode.StartAsync();

        await node.Factory.GetGrain<IReminderGrain>("f").RegisterAsync("boom", TimeSpan.Zero, TimeSpan.FromMilliseconds(30));

        Assert.True(await Eventually.HoldsAsync(() => node.Probe.Reminders.Count(r => r.Name == "boom") >= 3));
    }
}
