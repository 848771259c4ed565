using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Epochs;

/// <summary>
/// The anchor (one key, <see cref="Log.LogGrainKeys.Anchor"/>): decides when to seal the next epoch (policy: every
/// <c>Interval</c> when entries arrived, and/or as soon as <c>PendingThreshold</c> entries are not yet in an epoch;
/// an empty epoch only on <see cref="TriggerAsync"/>), and seals epochs one at a time across all nodes (distributed
/// lock, re-read under the lock, create-only epoch writes). Epochs are checkpoints of ONE append-only log, numbered
/// 1, 2, 3… with non-decreasing tree sizes.
/// </summary>
public interface IAnchorGrain : IGrainWithStringKey
{
    /// <summary>
    /// Seals the next epoch on request (POST /v1/epochs/trigger). First makes every entry acknowledged before the call
    /// sequenced, then seals epoch n+1 over the log's current size, then requests its timestamps. Concurrent triggers
    /// (on any nodes) share one epoch: exactly one caller per new epoch gets <c>Created = true</c>, the others learn the
    /// same epoch with <c>Created = false</c>. When nothing was logged since the latest epoch: a trigger that arrived
    /// after that epoch was sealed seals an empty-delta epoch (same size and root, a fresh signed time and timestamps);
    /// one that arrived while it was being sealed (or before this node had seen it) joins it.
    /// </summary>
    /// <exception cref="Core.Signing.NoActiveKeyException">The log key ring has no active key.</exception>
    [AlwaysInterleave]
    Task<TriggerResultDto> TriggerAsync();

    /// <summary>
    /// Starts the schedule when one is configured (an interval or a pending threshold): a durable keep-alive reminder
    /// brings the anchor back after a silo failure, and while active a grain timer applies the schedule every
    /// <c>SchedulePollInterval</c>. Idempotent; every silo calls it at start-up.
    /// </summary>
    Task StartScheduleAsync();

    /// <summary>
    /// Applies the schedule: seals when the interval elapsed with new entries, or when the pending threshold is reached;
    /// never seals an empty epoch. Returns the epoch sealed, or <see langword="null"/> when nothing was due. Called by
    /// the anchor's own schedule timer; the decision is re-checked before sealing, so one due time never seals twice.
    /// </summary>
    [AlwaysInterleave]
    Task<TriggerResultDto?> ApplyScheduleAsync();

    /// <summary>Log size, entries not yet in an epoch, the latest epoch, the schedule and how many epochs await a timestamp.</summary>
    [AlwaysInterleave]
    Task<AnchorStatusDto> StatusAsync();

    /// <summary>Epochs newest first: at most <paramref name="limit"/> (clamped to [1, 1000]) with numbers below <paramref name="before"/> (all when null).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<EpochDto>> ListEpochsAsync(int limit, long? before);
}
