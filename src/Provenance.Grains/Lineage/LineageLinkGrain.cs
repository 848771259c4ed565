using Orleans;
using Orleans.Concurrency;

namespace Provenance.Grains.Lineage;

/// <summary>
/// Serialises parent links added to existing assets across the cluster: a cycle check and the link it guards must not
/// interleave with another link, or two concurrent links could close a cycle neither check saw. Registrations need no
/// lease (a new asset has no descendants). One activation in the cluster (key <see cref="LineageLinkGrain.Key"/>).
/// </summary>
public interface ILineageLinkGrain : IGrainWithStringKey
{
    /// <summary>Waits for, then grants, the one lease; returns its token. A lease not released within
    /// <see cref="LineageLinkGrain.LeaseTimeout"/> lapses (its holder died or hung).</summary>
    Task<Guid> AcquireAsync(string assetId);

    /// <summary>Releases the lease <paramref name="token"/>; a lapsed or unknown token is ignored.</summary>
    Task ReleaseAsync(Guid token);
}

/// <summary>The lineage-link lease; see <see cref="ILineageLinkGrain"/>. Holds no state: a new activation starts free.</summary>
[Reentrant]
[GrainType("lineage-link")]
internal sealed class LineageLinkGrain : Grain, ILineageLinkGrain
{
    /// <summary>The one key.</summary>
    public const string Key = "lineage";

    /// <summary>How long a lease may be held.</summary>
    public static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(30);

    private readonly Queue<TaskCompletionSource<Guid>> _waiting = new();
    private Guid _holder;
    private IGrainTimer? _lapse;

    /// <inheritdoc/>
    public Task<Guid> AcquireAsync(string assetId)
    {
        if (_holder == Guid.Empty)
        {
            return Task.FromResult(Grant());
        }

        var waiter = new TaskCompletionSource<Guid>();
        _waiting.Enqueue(waiter);
        return waiter.Task;
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(Guid token)
    {
        if (token == _holder)
        {
            Next();
        }

        return Task.CompletedTask;
    }

    private Guid Grant()
    {
        _holder = Guid.NewGuid();
        var granted = _holder;
        _lapse?.Dispose();
        _lapse = this.RegisterGrainTimer(() =>
        {
            if (_holder == granted)
            {
                Next();
            }

            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(LeaseTimeout, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        return granted;
    }

    private void Next()
    {
        _holder = Guid.Empty;
        _lapse?.Dispose();
        _lapse = null;
        if (_waiting.TryDequeue(out var waiter))
        {
            waiter.SetResult(Grant());
        }
    }
}
