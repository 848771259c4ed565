namespace Provenance.Grains.Epochs;

/// <summary>
/// Stored state of the anchor: a pointer to the latest epoch (a cache of the epochs themselves; after a crash between
/// sealing an epoch and moving the pointer, the next seal rolls it forward) and the epochs still awaiting a timestamp.
/// Immutable: replaced as a whole.
/// </summary>
public sealed record AnchorState
{
    /// <summary>Latest sealed epoch, 0 when none.</summary>
    public long LastEpoch { get; init; }

    /// <summary>Its tree size.</summary>
    public long LastTreeSize { get; init; }

    /// <summary>Its root, null when no epoch exists.</summary>
    public byte[]? LastRootHash { get; init; }

    /// <summary>When it was sealed.</summary>
    public DateTimeOffset? LastSealedAt { get; init; }

    /// <summary>Epochs sealed with TSAs configured that were not fully timestamped when last looked at, ascending.</summary>
    public IReadOnlyList<long> AwaitingTimestamp { get; init; } = [];
}
