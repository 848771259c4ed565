using Provenance.Core.Storage;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Epochs;

/// <summary>
/// This node's snapshot of the latest epoch for POST /v1/verify, so a verification need not ask the anchor (which
/// probes storage for a newer epoch on every call) which epoch is the latest. Only a <em>final</em> epoch is kept: one
/// whose every timestamp is granted, so nothing about it changes any more. The snapshot is dropped when this node seals
/// an epoch (<see cref="EpochGrain"/> calls <see cref="Invalidate"/>), when another node writes epoch or anchor state
/// (the <see cref="IStateChangeFeed"/>), and at the latest <see cref="MaxAge"/> after it was read (a notification lost
/// while the listener reconnected). Callers use it only for a leaf it covers and ask the anchor otherwise, so a leaf is
/// never reported as "not in an epoch yet" from the snapshot. Thread-safe; one per node.
/// </summary>
internal sealed class LatestEpochCache : IDisposable
{
    /// <summary>Default <see cref="MaxAge"/>.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(1);

    private readonly TimeProvider time;
    private readonly IStateChangeFeed? feed;
    private Snapshot? snapshot;
    private long version;

    /// <summary>A cache fed by <paramref name="feed"/> when given (multi-node deployments).</summary>
    public LatestEpochCache(TimeProvider time, IStateChangeFeed? feed = null)
        : this(time, feed, DefaultMaxAge)
    {
    }

    /// <summary>A cache whose snapshots live at most <paramref name="maxAge"/> (positive).</summary>
    public LatestEpochCache(TimeProvider time, IStateChangeFeed? feed, TimeSpan maxAge)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        this.time = time;
        this.feed = feed;
        MaxAge = maxAge;
        if (feed is not null)
        {
            feed.StateChangedElsewhere += OnStateChangedElsewhere;
        }
    }

    /// <summary>How long a snapshot may be used after it was read from the anchor.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>The current version; pass it to <see cref="Offer"/> with an epoch read after taking it.</summary>
    public long Version => Interlocked.Read(ref version);

    /// <summary>The kept final epoch, or null when there is none (or it is stale).</summary>
    public EpochDto? Get()
    {
        var current = Volatile.Read(ref snapshot);
        return current is not null && current.Version == Interlocked.Read(ref version) && time.GetUtcNow() < current.ExpiresAt
            ? current.Epoch
            : null;
    }

    /// <summary>
    /// Keeps <paramref name="epoch"/> when it is final and nothing was invalidated since <paramref name="readAtVersion"/>
    /// (taken from <see cref="Version"/> before the epoch was read); never replaces a newer kept epoch by an older one.
    /// </summary>
    public void Offer(long readAtVersion, EpochDto epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        if (!IsFinal(epoch))
        {
            return;
        }

        var fresh = new Snapshot(epoch, readAtVersion, time.GetUtcNow() + MaxAge);
        while (true)
        {
            var current = Volatile.Read(ref snapshot);
            if (readAtVersion != Interlocked.Read(ref version)
                || (current is not null && current.Version == readAtVersion && current.Epoch.Epoch > epoch.Epoch))
            {
                return;
            }

            // A concurrent Invalidate after the check above is harmless: Get compares the snapshot's version.
            if (ReferenceEquals(Interlocked.CompareExchange(ref snapshot, fresh, current), current))
            {
                return;
            }
        }
    }

    /// <summary>Drops the snapshot, and any epoch read before this call from being kept.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref version);
        Volatile.Write(ref snapshot, null);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (feed is not null)
        {
            feed.StateChangedElsewhere -= OnStateChangedElsewhere;
        }
    }

    /// <summary>Every timestamp granted (or no TSA at all): the epoch will not change any more.</summary>
    public static bool IsFinal(EpochDto epoch) => epoch.Timestamps.All(t => t.State == TimestampState.Granted);

    private void OnStateChangedElsewhere(GrainStateKey key)
    {
        if (key.GrainType is StorageNames.EpochGrainType or StorageNames.AnchorGrainType)
        {
            Invalidate();
        }
    }

    private sealed record Snapshot(EpochDto Epoch, long Version, DateTimeOffset ExpiresAt);
}
