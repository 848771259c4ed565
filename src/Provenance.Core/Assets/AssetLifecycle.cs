using System.Collections.Frozen;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Core.Assets;

/// <summary>
/// The asset lifecycle (architecture.md, data rules): which status may follow which, and which changes need a reason.
/// <c>revoked</c> is terminal. Pure and thread-safe.
/// </summary>
public static class AssetLifecycle
{
    private static readonly FrozenDictionary<LifecycleStatus, LifecycleStatus[]> Allowed = new Dictionary<LifecycleStatus, LifecycleStatus[]>
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
    }.ToFrozenDictionary();

    /// <summary>True when <paramref name="to"/> may follow <paramref name="from"/>.</summary>
    public static bool CanTransition(LifecycleStatus from, LifecycleStatus to) =>
        Allowed.TryGetValue(from, out var next) && Array.IndexOf(next, to) >= 0;

    /// <summary>True when entering <paramref name="status"/> needs a reason (rejected, revoked, failed).</summary>
    public static bool RequiresReason(LifecycleStatus status) =>
        status is LifecycleStatus.Rejected or LifecycleStatus.Revoked or LifecycleStatus.Failed;

    /// <summary>Statuses an asset may be registered in: the start of a lifecycle (requested, generated).</summary>
    public static bool IsInitial(LifecycleStatus status) =>
        status is LifecycleStatus.Requested or LifecycleStatus.Generated;

    /// <summary>Checks a transition.</summary>
    /// <exception cref="IllegalTransitionException">The table does not allow it.</exception>
    /// <exception cref="ValidationFailedException">The target needs a reason and <paramref name="reason"/> is blank.</exception>
    public static void EnsureAllowed(LifecycleStatus from, LifecycleStatus to, string? reason)
    {
        if (!CanTransition(from, to))
        {
            throw new IllegalTransitionException(Name(from), Name(to));
        }

        if (RequiresReason(to) && string.IsNullOrWhiteSpace(reason))
        {
            throw new ValidationFailedException($"A reason is required to move an asset to '{Name(to)}'.", "reason");
        }
    }

    /// <summary>The wire (camelCase) name of a status.</summary>
    public static string Name(LifecycleStatus status) => status switch
    {
        LifecycleStatus.Requested => "requested",
        LifecycleStatus.Generated => "generated",
        LifecycleStatus.Moderated => "moderated",
        LifecycleStatus.Approved => "approved",
        LifecycleStatus.Rejected => "rejected",
        LifecycleStatus.Published => "published",
        LifecycleStatus.Revoked => "revoked",
        LifecycleStatus.Failed => "failed",
        LifecycleStatus.Retrying => "retrying",
        LifecycleStatus.Repaired => "repaired",
        _ => status.ToString(),
    };
}
