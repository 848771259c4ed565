using Provenance.Core.Contracts;
using Provenance.Grains.Epochs;

namespace Provenance.Grains.Tests.Epochs;

public sealed class EpochRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(8, 640)]
    [InlineData(10, 2560)]
    [InlineData(11, 3600)]
    [InlineData(60, 3600)]
    public void Backoff_NthFailure_DoublesFromBaseUpToMax(int attempts, int expectedSeconds)
    {
        var delay = EpochRules.Backoff(attempts, TimeSpan.FromSeconds(5), TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Theory]
    [InlineData(100, 100, 3600, false)]
    [InlineData(101, 100, 3600, true)]
    [InlineData(101, 100, 10, false)]
    [InlineData(150, 100, 10, true)]
    public void IsDue_IntervalAndThreshold_DueWhenEitherReachedWithNewEntries(long logEntries, long lastTreeSize, int secondsSinceSeal, bool expected)
    {
        var due = EpochRules.IsDue(logEntries, lastTreeSize, Now.AddSeconds(-secondsSinceSeal), Now, TimeSpan.FromMinutes(1), 50);

        Assert.Equal(expected, due);
    }

    [Fact]
    public void IsDue_NoEpochYetAndEntries_DueByInterval()
    {
        var due = EpochRules.IsDue(1, 0, null, Now, TimeSpan.FromMinutes(5), null);

        Assert.True(due);
        Assert.False(EpochRules.IsDue(0, 0, null, Now, TimeSpan.FromMinutes(5), null));
        Assert.False(EpochRules.IsDue(5, 0, null, Now, null, null));
    }

    [Fact]
    public void StatusOf_TimestampStates_SealedPendingTimestamped()
    {
        var fresh = new TsaStampState("a", TimestampState.Pending, null, null, 0, null, Now);
        var failed = fresh with { Attempts = 1, LastError = "down" };
        var granted = fresh with { State = TimestampState.Granted, Token = [1], Attempts = 1 };

        var statuses = new[] { Array.Empty<TsaStampState>(), [fresh], [failed, granted], [granted, granted with { Tsa = "b" }] }
            .Select(stamps => EpochRules.StatusOf(new EpochState { Timestamps = stamps }));

        Assert.Equal(["sealed", "sealed", "timestamp-pending", "timestamped"], statuses);
    }
}
