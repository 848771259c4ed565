using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Core.Tests.Assets;

public sealed class AssetLifecycleTests
{
    // The table from the product brief, written out independently of the implementation.
    private static readonly Dictionary<LifecycleStatus, LifecycleStatus[]> Expected = new()
    {
        [LifecycleStatus.Requested] = [LifecycleStatus.Generated, LifecycleStatus.Failed],
        [LifecycleStatus.Generated] = [LifecycleStatus.Moderated, LifecycleStatus.Approved, LifecycleStatus.Rejected, LifecycleStatus.Published, LifecycleStatus.Failed],
        [LifecycleStatus.Moderated] = [LifecycleStatus.Approved, LifecycleStatus.Rejected],
        [LifecycleStatus.Approved] = [LifecycleStatus.Published, LifecycleStatus.Revoked],
        [LifecycleStatus.Published] = [LifecycleStatus.Revoked],
        [LifecycleStatus.Failed] = [LifecycleStatus.Retrying],
        [LifecycleStatus.Retrying] = [LifecycleStatus.Generated, LifecycleStatus.Failed],
        [LifecycleStatus.Rejected] = [LifecycleStatus.Repaired],
        [LifecycleStatus.Repaired] = [LifecycleStatus.Moderated, LifecycleStatus.Approved],
        [LifecycleStatus.Revoked] = [],
    };

    public static TheoryData<LifecycleStatus, LifecycleStatus> AllPairs()
    {
        var data = new TheoryData<LifecycleStatus, LifecycleStatus>();
        foreach (var from in Enum.GetValues<LifecycleStatus>())
        {
            foreach (var to in Enum.GetValues<LifecycleStatus>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanTransition_EveryPair_MatchesTheTable(LifecycleStatus from, LifecycleStatus to)
    {
        var allowed = AssetLifecycle.CanTransition(from, to);

        Assert.Equal(Expected[from].Contains(to), allowed);
    }

    [Theory]
    [InlineData(LifecycleStatus.Rejected, true)]
    [InlineData(LifecycleStatus.Revoked, true)]
    [InlineData(LifecycleStatus.Failed, true)]
    [InlineData(LifecycleStatus.Approved, false)]
    [InlineData(LifecycleStatus.Retrying, false)]
    public void RequiresReason_Status_OnlyRejectedRevokedFailed(LifecycleStatus status, bool expected)
    {
        var required = AssetLifecycle.RequiresReason(status);

        Assert.Equal(expected, required);
    }

    [Fact]
    public void EnsureAllowed_Illegal_ThrowsWithWireNames()
    {
        var error = Assert.Throws<IllegalTransitionException>(() => AssetLifecycle.EnsureAllowed(LifecycleStatus.Revoked, LifecycleStatus.Published, "x"));

        Assert.Equal("revoked", error.From);
        Assert.Equal("published", error.To);
    }
}
