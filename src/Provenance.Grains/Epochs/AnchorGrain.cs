using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provenance.Actors;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Grains.Log;

namespace Provenance.Grains.Epochs;

/// <summary>
/// The anchor. Seals run one at a time: per activation through <see cref="_seal"/>, across nodes through the
/// distributed lock <see cref="StorageNames.EpochSealLock"/>, under which the state is re-read, so every decision is
/// made on the latest epoch. Concurrent triggers are grouped (group commit): the triggers that arrive while a seal runs
/// form the next group, which one seal serves. Reentrant; the state is an immutable record replaced as a whole.
/// </summary>
[GrainType(StorageNames.AnchorGrainType)]
[Reentrant]
internal sealed class AnchorGrain(
    [PersistentState(StorageNames.AnchorState)] IPersistentState<AnchorState> state,
    ILogStore log,
    IOptions<ProvenanceEpochsOptions> options,
    TimeProvider time,
    IServiceProvider services) : Grain, IAnchorGrain
{
    private const int MaxProbe = 64;

    private readonly SemaphoreSlim _seal = new(1, 1);
    private readonly Lock _gate = new();
    private readonly IDistributedLock? _locks = services.GetService<IDistributedLock>();
    private TriggerGroup? _forming;
    private long _knownEpoch = -1;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _knownEpoch, state.State.LastEpoch);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<TriggerResultDto> TriggerAsync()
    {
        TriggerGroup group;
        var leader = false;
        lock (_gate)
        {
            if (_forming is null)
            {
                _forming = new TriggerGroup(Volatile.Read(ref _knownEpoch));
                leader = true;
            }

            group = _forming;
        }

        if (leader)
        {
            await LeadAsync(group).ConfigureAwait(false);
        }

        var outcome = await group.Completion.Task.ConfigureAwait(false);
        return new TriggerResultDto(outcome.Epoch.Epoch, leader && outcome.Created, outcome.Epoch);
    }

    /// <inheritdoc/>
    public async Task<TriggerResultDto?> ApplyScheduleAsync()
    {
        var settings = options.Value;
        var snapshot = state.State;
        var head = await log.GetHeadAsync(CancellationToken.None).ConfigureAwait(false);
        if (!EpochRules.IsDue(head.Size + head.Pending, snapshot.LastTreeSize, snapshot.LastSealedAt, time.GetUtcNow(), settings.Interval, settings.PendingThreshold))
        {
            return null;
        }

        SealOutcome? outcome;
        await _seal.WaitAsync().ConfigureAwait(false);
        try
        {
            outcome = await SealNextAsync(manual: false, knownEpoch: 0).ConfigureAwait(false);
        }
        finally
        {
            _seal.Release();
        }

        if (outcome is null)
        {
            return null;
        }

        var stamped = await StampAsync(outcome).ConfigureAwait(false);
        return new TriggerResultDto(stamped.Epoch.Epoch, stamped.Created, stamped.Epoch);
    }

    /// <inheritdoc/>
    public async Task<AnchorStatusDto> StatusAsync()
    {
        var settings = options.Value;
        var head = await log.GetHeadAsync(CancellationToken.None).ConfigureAwait(false);
        var (last, lastTreeSize, lastSealedAt) = await LatestAsync().ConfigureAwait(false);
        var awaiting = 0;
        foreach (var n in state.State.AwaitingTimestamp.Concat(Enumerable.Range(1, (int)Math.Max(0, last - state.State.LastEpoch)).Select(i => state.State.LastEpoch + i)))
        {
            if (await GrainFactory.GetEpoch(n).FindAsync().ConfigureAwait(false) is { } epoch && epoch.Status != EpochRules.Timestamped && epoch.Timestamps.Count > 0)
            {
                awaiting++;
            }
        }

        DateTimeOffset? next = settings.Interval is { } interval && interval > TimeSpan.Zero ? (lastSealedAt ?? time.GetUtcNow()) + interval : null;
        return new AnchorStatusDto(
            head.Size, Math.Max(0, head.Size + head.Pending - lastTreeSize), last == 0 ? null : last, lastSealedAt,
            settings.Interval, settings.PendingThreshold, next, awaiting);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<EpochDto>> ListEpochsAsync(int limit, long? before)
    {
        limit = Math.Clamp(limit, 1, 1000);
        var (last, _, _) = await LatestAsync().ConfigureAwait(false);
        var top = before is { } b ? Math.Min(last, b - 1) : last;
        var numbers = new List<long>();
        for (var n = top; n >= 1 && numbers.Count < limit; n--)
        {
            numbers.Add(n);
        }

        var epochs = await Task.WhenAll(numbers.Select(n => GrainFactory.GetEpoch(n).FindAsync())).ConfigureAwait(false);
        return [.. epochs.OfType<EpochDto>()];
    }

    private async Task LeadAsync(TriggerGroup group)
    {
        SealOutcome? outcome;
        try
        {
            await _seal.WaitAsync().ConfigureAwait(false);
            try
            {
                // Close the group: triggers from now on are served by the next seal, which starts after them.
                lock (_gate)
                {
                    if (_forming == group)
                    {
                        _forming = null;
                    }
                }

                outcome = await SealNextAsync(manual: true, group.KnownEpoch).ConfigureAwait(false);
            }
            finally
            {
                _seal.Release();
            }

            group.Completion.SetResult(await StampAsync(outcome!).ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            group.Completion.TrySetException(exception);
        }
    }

    /// <summary>Requests the new epoch's timestamps outside the seal lock (a slow TSA never delays the next seal).</summary>
    private async Task<SealOutcome> StampAsync(SealOutcome outcome)
    {
        if (!outcome.Created || outcome.Epoch.Timestamps.Count == 0)
        {
            return outcome;
        }

        var stamped = await GrainFactory.GetEpoch(outcome.Epoch.Epoch).RequestTimestampsAsync().ConfigureAwait(false);
        return outcome with { Epoch = stamped };
    }

    /// <summary>
    /// Under the seal lock: re-read the pointer, roll it forward over epochs another node sealed, make every entry
    /// acknowledged so far sequenced, then decide and seal. Returns null when a scheduled seal is no longer due.
    /// </summary>
    private async Task<SealOutcome?> SealNextAsync(bool manual, long knownEpoch)
    {
        var distributed = _locks is null ? null : await _locks.AcquireAsync(StorageNames.EpochSealLock, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await state.ReadStateAsync().ConfigureAwait(false);
            await RollForwardAsync().ConfigureAwait(false);
            Volatile.Write(ref _knownEpoch, Math.Max(Volatile.Read(ref _knownEpoch), state.State.LastEpoch));
            var head = await GrainFactory.GetLogSequencer().SequencePendingAsync().ConfigureAwait(false);
            var current = state.State;
            if (head.Size < current.LastTreeSize)
            {
                throw new InvalidOperationException($"The log has {head.Size} entries but epoch {current.LastEpoch} covers {current.LastTreeSize}: the log was truncated.");
            }

            var settings = options.Value;
            if (!manual)
            {
                if (!EpochRules.IsDue(head.Size, current.LastTreeSize, current.LastSealedAt, time.GetUtcNow(), settings.Interval, settings.PendingThreshold))
                {
                    return null;
                }
            }
            else if (head.Size == current.LastTreeSize && current.LastEpoch > knownEpoch)
            {
                // Nothing new, and an epoch was sealed after this trigger's group formed: it covers everything the callers acknowledged.
                var joined = await GrainFactory.GetEpoch(current.LastEpoch).GetAsync().ConfigureAwait(false);
                return new SealOutcome(joined, Created: false);
            }

            var number = current.LastEpoch + 1;
            var request = new SealRequest(head.Size, head.RootHash, current.LastTreeSize, current.LastEpoch == 0 ? null : current.LastRootHash);
            var epoch = await GrainFactory.GetEpoch(number).SealAsync(request).ConfigureAwait(false);
            await AdvanceAsync(epoch).ConfigureAwait(false);
            return new SealOutcome(epoch, Created: true);
        }
        finally
        {
            if (distributed is not null)
            {
                await distributed.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adopts epochs sealed after the pointer (a node that died between sealing and moving the pointer).</summary>
    private async Task RollForwardAsync()
    {
        while (await GrainFactory.GetEpoch(state.State.LastEpoch + 1).FindAsync().ConfigureAwait(false) is { } epoch)
        {
            await AdvanceAsync(epoch).ConfigureAwait(false);
        }
    }

    private async Task AdvanceAsync(EpochDto epoch)
    {
        var current = state.State;
        var awaiting = new List<long>();
        foreach (var n in current.AwaitingTimestamp)
        {
            if (await GrainFactory.GetEpoch(n).FindAsync().ConfigureAwait(false) is { Status: not EpochRules.Timestamped })
            {
                awaiting.Add(n);
            }
        }

        if (epoch.Timestamps.Count > 0 && epoch.Status != EpochRules.Timestamped)
        {
            awaiting.Add(epoch.Epoch);
        }

        state.State = current with
        {
            LastEpoch = epoch.Epoch,
            LastTreeSize = epoch.Checkpoint.TreeSize,
            LastRootHash = Convert.FromBase64String(epoch.Checkpoint.RootHash),
            LastSealedAt = epoch.Checkpoint.SealedAt,
            AwaitingTimestamp = awaiting,
        };
        await state.WriteStateAsync().ConfigureAwait(false);
        Volatile.Write(ref _knownEpoch, epoch.Epoch);
    }

    /// <summary>The latest epoch as far as storage knows, without writing: the pointer, then probing forward.</summary>
    private async Task<(long Epoch, long TreeSize, DateTimeOffset? SealedAt)> LatestAsync()
    {
        var current = state.State;
        var result = (current.LastEpoch, current.LastTreeSize, current.LastSealedAt);
        for (var i = 0; i < MaxProbe; i++)
        {
            if (await GrainFactory.GetEpoch(result.LastEpoch + 1).FindAsync().ConfigureAwait(false) is not { } next)
            {
                break;
            }

            result = (next.Epoch, next.Checkpoint.TreeSize, next.Checkpoint.SealedAt);
        }

        return result;
    }

    private sealed record SealOutcome(EpochDto Epoch, bool Created);

    private sealed class TriggerGroup(long knownEpoch)
    {
        /// <summary>The latest epoch this activation knew of when the group formed.</summary>
        public long KnownEpoch { get; } = knownEpoch;

        public TaskCompletionSource<SealOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
