using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Runtime;

public sealed class TimerTests
{
    [Fact]
    public async Task RegisterGrainTimer_Periodic_Ticks()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITimerGrain>("t");

        await grain.StartAsync(10, throwing: false);

        Assert.True(await Eventually.HoldsAsync(() => grain.GetTicksAsync().Result >= 3));
    }

    [Fact]
    public async Task RegisterGrainTimer_TicksAndCalls_NeverOverlap()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITimerGrain>("o");
        await grain.StartAsync(1, throwing: false);

        for (var i = 0; i < 30; i++)
        {
            await grain.WorkAsync(3);
        }

        Assert.True(await grain.GetTicksAsync() > 0);
        Assert.Equal(1, await grain.PeekMaxAsync());
    }

    [Fact]
    public async Task RegisterGrainTimer_CallbackThrows_KeepsTicking()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITimerGrain>("boom");

        await grain.StartAsync(10, throwing: true);

        Assert.True(await Eventually.HoldsAsync(() => grain.GetTicksAsync().Result >= 3));
    }

    [Fact]
    public async Task Dispose_RunningTimer_StopsTicks()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITimerGrain>("stop");
        await grain.StartAsync(10, throwing: false);
        await Eventually.HoldsAsync(() => grain.GetTicksAsync().Result >= 1);

        await grain.StopAsync();
        var ticks = await grain.GetTicksAsync();
        await Task.Delay(100);

        Assert.Equal(ticks, await grain.GetTicksAsync());
    }

    [Fact]
    public async Task Change_FromInsideTick_OverridesPeriodForNextTick()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITimerGrain>("postpone");

        await grain.StartSelfPostponingAsync();
        await Eventually.HoldsAsync(() => grain.GetTicksAsync().Result >= 1);
        await Task.Delay(100);

        Assert.Equal(1, await grain.GetTicksAsync());
    }
}
