using Provenance.Actors.Diagnostics;
using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Diagnostics;

public sealed class RuntimeStatisticsTests
{
    [Fact]
    public async Task GetSnapshot_AfterCalls_CountsCallsFailuresAndActivations()
    {
        await using var node = await TestNode.StartAsync();
        var ok = node.Factory.GetGrain<IThrowingGrain>("a");
        await ok.OkAsync();
        await ok.OkAsync();
        await node.Factory.GetGrain<IThrowingGrain>("b").OkAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => ok.ThrowAfterYieldAsync(new InvalidOperationException()));

        var stats = node.Get<IRuntimeStatistics>().GetSnapshot().GrainTypes.Single(t => t.GrainType == "throwing");

        Assert.Equal(4, stats.CallsTotal);
        Assert.Equal(1, stats.CallsFailed);
        Assert.Equal(2, stats.ActiveActivations);
        Assert.Equal(2, stats.TotalActivations);
        Assert.Equal(4, stats.Latency.SampleCount);
        Assert.True(stats.Latency.P50 <= stats.Latency.P99);
    }

    [Fact]
    public async Task GetSnapshot_CallsWaitingBehindBlockedTurn_ReportsQueueLength()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ITurnGrain>("q");
        await grain.PeekMaxAsync();
        var blocked = grain.BlockAsync();
        var waiting = Enumerable.Range(0, 3).Select(_ => grain.WorkAsync(0)).ToList();
        await Task.Delay(50);

        var queued = node.Runtime.GetSnapshot().GrainTypes.Single(t => t.GrainType == "turn").QueueLength;
        await grain.ReleaseAsync();
        await Task.WhenAll(waiting.Append(blocked));

        Assert.Equal(3, queued);
        Assert.Equal(0, node.Runtime.GetSnapshot().GrainTypes.Single(t => t.GrainType == "turn").QueueLength);
    }

    [Fact]
    public async Task GetSnapshot_AfterDeactivation_ActiveDropsTotalStays()
    {
        await using var node = await TestNode.StartAsync();
        var grain = node.Factory.GetGrain<ILifecycleGrain>("d");
        await grain.PingAsync();
        await grain.DeactivateAsync();

        var deactivated = await Eventually.HoldsAsync(() => node.Runtime.GetSnapshot().GrainTypes.Single(t => t.GrainType == "lifecycle").ActiveActivations == 0);
        var stats = node.Runtime.GetSnapshot().GrainTypes.Single(t => t.GrainType == "lifecycle");

        Assert.True(deactivated);
        Assert.Equal(1, stats.TotalActivations);
    }

    [Fact]
    public async Task Meter_CallCompleted_PublishesCallCounter()
    {
        await using var node = await TestNode.StartAsync();
        long calls = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, node.Runtime.Metrics.Meter) && instrument.Name == "provenance.actors.calls")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "grain.type", Value: "integerkey" })
                {
                    Interlocked.Add(ref calls, value);
                }
            }
        });
        listener.Start();

        await node.Factory.GetGrain<IIntegerKeyGrain>(1).GetKeyAsync();

        Assert.Equal("Provenance.Actors", node.Runtime.Metrics.Meter.Name);
        Assert.Equal(1, Interlocked.Read(ref calls));
    }
}
