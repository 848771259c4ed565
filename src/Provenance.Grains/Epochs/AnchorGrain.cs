using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Grains.Log;

namespace Provenance.Grains.Epochs;

/// <summary>
/// The anchor. Seals run one at a time through <see cref="_seal"/>; Orleans keeps one activation in the cluster, and the
/// state is re-read before each seal, so every decision is made on the latest epoch. Concurrent triggers are grouped (group commit): the triggers that arrive while a seal runs
/// form the next group, which one seal serves. Reentrant; the state is an immutable record replaced as a whole.
/// </summary>
[GrainType(StorageNames.AnchorGrainType)]
[Reentrant]
internal sealed class AnchorGrain(
    [PersistentState(StorageNames.AnchorState, StorageNames.MetadataStorage)] IPersistentState<AnchorState> state,
    ILogStore log,
    IOptions<ProvenanceEpochsOptions> options,
    TimeProvider time,
    IOptions<ProvenanceLogOptions> logOptions,
    ILogger<AnchorGrain> logger) : Grain, IAnchorGrain, IRemindable
{
    private const int MaxProbe = 64;

    private readonly SemaphoreSlim _seal = new(1, 1);
    private readonly Lock _gate = new();
    private TriggerGroup? _forming;
    private long _knownEpoch = -1;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _knownEpoch, state.State.LastEpoch);
        if (Scheduled)
        {
            this.RegisterGrainTimer(ScheduleTickAsync, new GrainTimerCreationOptions(options.Value.SchedulePollInterval, options.Value.SchedulePollInterval)
            {
                Interleave = true,
                KeepAlive = true,
            });
        }

        return Task.CompletedTask;
    }

    private bool Scheduled => options.Value is { RunScheduler: true } o && (o.Interval is not null || o.PendingThreshold is not null);

    /// <inheritdoc/>
    public async Task StartScheduleAsync()
    {
        if (Scheduled)
        {
            await this.RegisterOrUpdateReminder(StorageNames.KeepAliveReminder, logOptions.Value.KeepAlivePeriod, logOptions.Value.KeepAlivePeriod);
        }
    }

    /// <inheritdoc/>
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    private async Task ScheduleTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await ApplyScheduleAsync() is { } sealedEpoch)
            {
                logger.LogInformation("Sealed epoch {Epoch} over {TreeSize} entries on schedule", sealedEpoch.Epoch, sealedEpoch.EpochInfo.Checkpoint.TreeSize);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(exception, "Scheduled epoch check failed; trying again at the next tick");
        }
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
            await LeadAsync(group);
        }

        var outcome = await group.Completion.Task;
        return new TriggerResultDto(outcome.Epoch.Epoch, leader && outcome.Created, outcome.Epoch);
    }

    /// <inheritdoc/>
    public async Task<TriggerResultDto?> ApplyScheduleAsync()
    {
        var settings = options.Value;
        var snapshot = state.State;
        var head = await log.GetHeadAsync(CancellationToken.None);
        if (!EpochRules.IsDue(head.Size + head.Pending, snapshot.LastTreeSize, snapshot.LastSealedAt, time.GetUtcNow(), settings.Interval, settings.PendingThreshold))
        {
            return null;
        }

        SealOutcome? outcome;
        await _seal.WaitAsync();
        try
        {
            outcome = await SealNextAsync(manual: false, knownEpoch: 0);
        }
        finally
        {
            _seal.Release();
        }

        if (outcome is null)
        {
            return null;
        }

        var stamped = await StampAsync(outcome);
        return new TriggerResultDto(stamped.Epoch.Epoch, stamped.Created, stamped.Epoch);
    }

    /// <inheritdoc/>
    public async Task<AnchorStatusDto> StatusAsync()
    {
        var settings = options.Value;
        var head = await log.GetHeadAsync(CancellationToken.None);
        var (last, lastTreeSize, lastSealedAt) = await LatestAsync();
        var awaiting = 0;
        foreach (var n in state.State.AwaitingTimestamp.Concat(Enumerable.Range(1, (int)Math.Max(0, last - state.State.LastEpoch)).Select(i => state.State.LastEpoch + i)))
        {
            if (await GrainFactory.GetEpoch(n).FindAsync() is { } epoch && epoch.Status != EpochRules.Timestamped && epoch.Timestamps.Count > 0)
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
        var (last, _, _) = await LatestAsync();
        var top = before is { } b ? Math.Min(last, b - 1) : last;
        var numbers = new List<long>();
        for (var n = top; n >= 1 && numbers.Count < limit; n--)
        {
            numbers.Add(n);
        }

        var epochs = await Task.WhenAll(numbers.Select(n => GrainFactory.GetEpoch(n).FindAsync()));
        return [.. epochs.OfType<EpochDto>()];
    }

    private async Task LeadAsync(TriggerGroup group)
    {
        SealOutcome? outcome;
        try
        {
            await _seal.WaitAsync();
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

                outcome = await SealNextAsync(manual: true, group.KnownEpoch);
            }
            finally
            {
                _seal.Release();
            }

            group.Completion.SetResult(await StampAsync(outcome!));
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

        var stamped = await GrainFactory.GetEpoch(outcome.Epoch.Epoch).RequestTimestampsAsync();
        return outcome with { Epoch = stamped };
    }

    /// <summary>
    /// Under <see cref="_seal"/>: re-read the pointer, roll it forward over epochs an earlier activation sealed, make every entry
    /// acknowledged so far sequenced, then decide and seal. Returns null when a scheduled seal is no longer due.
    /// </summary>
    private async Task<SealOutcome?> SealNextAsync(bool manual, long knownEpoch)
    {
        await state.ReadStateAsync();
        await RollForwardAsync();
        Volatile.Write(ref _knownEpoch, Math.Max(Volatile.Read(ref _knownEpoch), state.State.LastEpoch));
        var head = await GrainFactory.GetLogSequencer().SequencePendingAsync();
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
            var joined = await GrainFactory.GetEpoch(current.LastEpoch).GetAsync();
            return new SealOutcome(joined, Created: false);
        }

        var number = current.LastEpoch + 1;
        var request = new SealRequest(head.Size, head.RootHash, current.LastTreeSize, current.LastEpoch == 0 ? null : current.LastRootHash);
        var epoch = await GrainFactory.GetEpoch(number).SealAsync(request);
        await AdvanceAsync(epoch);
        return new SealOutcome(epoch, Created: true);
    }

    /// <summary>Adopts epochs sealed after the pointer (a node that died between sealing and moving the pointer).</summary>
    private async Task RollForwardAsync()
    {
        while (await GrainFactory.GetEpoch(state.State.LastEpoch + 1).FindAsync() is { } epoch)
        {
            await AdvanceAsync(epoch);
        }
    }

    private async Task AdvanceAsync(EpochDto epoch)
    {
        var current = state.State;
        var awaiting = new List<long>();
        foreach (var n in current.AwaitingTimestamp)
        {
            if (await GrainFactory.GetEpoch(n).FindAsync() is { Status: not EpochRules.Timestamped })
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
        await state.WriteStateAsync();
        Volatile.Write(ref _knownEpoch, epoch.Epoch);
    }

    /// <summary>The latest epoch as far as storage knows, without writing: the pointer, then probing forward.</summary>
    private async Task<(long Epoch, long TreeSize, DateTimeOffset? SealedAt)> LatestAsync()
    {
        var current = state.State;
        var result = (current.LastEpoch, current.LastTreeSize, current.LastSealedAt);
        for (var i = 0; i < MaxProbe; i++)
        {
            if (await GrainFactory.GetEpoch(result.LastEpoch + 1).FindAsync() is not { } next)
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
