using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Provenance.Core.Storage;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Epochs;
using Provenance.Grains.Log;
using Provenance.Grains.Persistence;
using Provenance.Timestamping;

namespace Provenance.Grains.Epochs;

/// <summary>
/// An epoch: seals a checkpoint (create-only write) and collects RFC 3161 tokens. Reentrant so that reads are never
/// held up by a slow TSA: state changes are serialised by <see cref="_write"/>, TSA round trips run outside it, and
/// the state is an immutable record replaced as a whole.
/// </summary>
[GrainType(StorageNames.EpochGrainType)]
[Reentrant]
internal sealed class EpochGrain(
    [DurableState(StorageNames.EpochState)] IDurableState<EpochState> state,
    ILogSigner signer,
    ITimestampAuthorities authorities,
    IOptions<ProvenanceLogOptions> logOptions,
    IOptions<ProvenanceEpochsOptions> epochOptions,
    TimeProvider time,
    ILogger<EpochGrain> logger,
    LatestEpochCache latestEpoch) : Grain, IEpochGrain, IRemindable
{
    private const int MaxWriteAttempts = 5;

    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly Lock _gate = new();
    private Task<EpochDto>? _round;

    private long Number => this.GetPrimaryKeyLong();

    /// <inheritdoc/>
    public async Task<EpochDto> SealAsync(SealRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _write.WaitAsync();
        try
        {
            if (state.State.IsSealed)
            {
                return SameOrConflict(request);
            }

            var checkpoint = Checkpoint.Create(logOptions.Value.LogId, request.TreeSize, request.RootHash, Number, request.PreviousRootHash, time.GetUtcNow());
            if (request.PreviousTreeSize < 0 || request.PreviousTreeSize > request.TreeSize)
            {
                throw new ArgumentException($"The previous tree size {request.PreviousTreeSize} must be in [0, {request.TreeSize}].", nameof(request));
            }

            var text = checkpoint.ToText();
            var (jws, kid) = signer.Sign(checkpoint.ToBytes());
            var sealedState = new EpochState
            {
                Epoch = Number,
                LogId = checkpoint.LogId,
                TreeSize = checkpoint.TreeSize,
                RootHash = checkpoint.RootHash,
                PreviousTreeSize = request.PreviousTreeSize,
                PreviousRootHash = checkpoint.PreviousRootHash,
                SealedAt = checkpoint.SealedAt,
                Text = text,
                Jws = jws,
                KeyId = kid,
                Timestamps = [.. authorities.Authorities.Select(a => new TsaStampState(a.Name, TimestampState.Pending, null, null, 0, null, checkpoint.SealedAt))],
            };

            if (sealedState.Timestamps.Count > 0)
            {
                // Registered before the write: a crash right after sealing still gets its timestamps. A reminder that
                // finds its epoch unsealed (the write below lost) removes itself.
                var options = epochOptions.Value;
                await this.RegisterOrUpdateReminder(StorageNames.TimestampRetryReminder, options.RetryBase, options.RetryMax);
            }

            var effects = new DurableEffects();
            effects.Events.Add(Event(StorageNames.EpochSealedEvent, sealedState));
            state.State = sealedState;
            try
            {
                await state.WriteStateAsync(effects);
            }
            catch (StateConflictException)
            {
                await state.ReadStateAsync();
                if (!state.State.IsSealed)
                {
                    throw;
                }

                latestEpoch?.Invalidate();
                return SameOrConflict(request);
            }

            // A newer epoch exists from now on: this node's verifications must stop using the older snapshot.
            latestEpoch?.Invalidate();
            return EpochRules.ToDto(state.State);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<EpochDto> RequestTimestampsAsync()
    {
        await EnsureSealedAsync();
        TaskCompletionSource<EpochDto>? mine = null;
        Task<EpochDto> round;
        lock (_gate)
        {
            if (_round is null)
            {
                mine = new TaskCompletionSource<EpochDto>(TaskCreationOptions.RunContinuationsAsynchronously);
                _round = mine.Task;
            }

            round = _round;
        }

        if (mine is not null)
        {
            // One round at a time per activation; concurrent callers share it.
            try
            {
                var result = await RunRoundAsync();
                lock (_gate)
                {
                    _round = null;
                }

                mine.SetResult(result);
            }
            catch (Exception exception)
            {
                lock (_gate)
                {
                    _round = null;
                }

                mine.SetException(exception);
            }
        }

        return await round;
    }

    /// <inheritdoc/>
    public async Task<EpochDto> GetAsync()
    {
        await EnsureSealedAsync();
        return EpochRules.ToDto(state.State);
    }

    /// <inheritdoc/>
    public async Task<EpochDto?> FindAsync()
    {
        if (!state.State.IsSealed)
        {
            await ReloadAsync();
        }

        var snapshot = state.State;
        return snapshot.IsSealed ? EpochRules.ToDto(snapshot) : null;
    }

    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != StorageNames.TimestampRetryReminder)
        {
            return;
        }

        if (await FindAsync() is null)
        {
            await UnregisterRetryAsync();
            return;
        }

        await RequestTimestampsAsync();
    }

    private async Task EnsureSealedAsync()
    {
        if (await FindAsync() is null)
        {
            throw new NotFoundException("epoch", Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private async Task ReloadAsync()
    {
        await _write.WaitAsync();
        try
        {
            if (!state.State.IsSealed)
            {
                await state.ReadStateAsync();
            }
        }
        finally
        {
            _write.Release();
        }
    }

    private async Task<EpochDto> RunRoundAsync()
    {
        var snapshot = state.State;
        var now = time.GetUtcNow();
        var due = snapshot.Timestamps.Where(t => t.State != TimestampState.Granted && (t.NextAttemptAt is null || t.NextAttemptAt <= now)).ToList();
        if (due.Count > 0)
        {
            var imprint = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(snapshot.Text));
            var outcomes = await Task.WhenAll(due.Select(t => StampAsync(t.Tsa, imprint)));
            await ApplyAsync(outcomes);
        }

        await UpdateReminderAsync(state.State);
        return EpochRules.ToDto(state.State);
    }

    private async Task<StampOutcome> StampAsync(string tsaName, byte[] imprint)
    {
        var tsa = authorities.Authorities.FirstOrDefault(a => a.Name == tsaName);
        if (tsa is null)
        {
            return new StampOutcome(tsaName, null, $"TSA '{tsaName}' is no longer configured.");
        }

        try
        {
            var token = await authorities.TimestampAsync(tsa, imprint, CancellationToken.None);
            return new StampOutcome(tsaName, token, null);
        }
        catch (Exception exception)
        {
            // A TSA failure never fails the epoch: it is recorded (LastError, logged) and retried with backoff.
            logger.LogWarning(exception, "Timestamp for epoch {Epoch} from TSA {Tsa} failed", Number, tsaName);
            return new StampOutcome(tsaName, null, exception.Message);
        }
    }

    private async Task ApplyAsync(IReadOnlyList<StampOutcome> outcomes)
    {
        var options = epochOptions.Value;
        await _write.WaitAsync();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var now = time.GetUtcNow();
                var current = state.State;
                var stamps = current.Timestamps.Select(t =>
                {
                    var outcome = outcomes.FirstOrDefault(o => o.Tsa == t.Tsa);
                    if (outcome is null || t.State == TimestampState.Granted)
                    {
                        return t;
                    }

                    var attempts = t.Attempts + 1;
                    return outcome.Token is { } token
                        ? t with { State = TimestampState.Granted, Token = token.TokenDer, GenTime = token.GenTime, Attempts = attempts, LastError = null, NextAttemptAt = null }
                        : t with { Attempts = attempts, LastError = outcome.Error, NextAttemptAt = now + EpochRules.Backoff(attempts, options.RetryBase, options.RetryMax) };
                }).ToList();
                var updated = current with { Timestamps = stamps };
                var effects = new DurableEffects();
                if (current.TimestampedAt is null && stamps.All(t => t.State == TimestampState.Granted))
                {
                    updated = updated with { TimestampedAt = now };
                    effects.Events.Add(Event(StorageNames.EpochTimestampedEvent, updated));
                }

                state.State = updated;
                try
                {
                    await state.WriteStateAsync(effects);
                    return;
                }
                catch (StateConflictException) when (attempt < MaxWriteAttempts)
                {
                    // Another node stamped this epoch meanwhile: apply this round's results to its version.
                    await state.ReadStateAsync();
                }
            }
        }
        finally
        {
            _write.Release();
        }
    }

    private async Task UpdateReminderAsync(EpochState current)
    {
        var pending = current.Timestamps.Where(t => t.State != TimestampState.Granted).ToList();
        if (pending.Count == 0)
        {
            await UnregisterRetryAsync();
            return;
        }

        var next = pending.Min(t => t.NextAttemptAt ?? time.GetUtcNow());
        var due = next - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(
            StorageNames.TimestampRetryReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, epochOptions.Value.RetryMax);
    }

    private async Task UnregisterRetryAsync()
    {
        if (await this.GetReminder(StorageNames.TimestampRetryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private EpochDto SameOrConflict(SealRequest request)
    {
        var current = state.State;
        if (current.TreeSize != request.TreeSize || !current.RootHash.AsSpan().SequenceEqual(request.RootHash))
        {
            throw new EpochConflictException(Number, $"it covers {current.TreeSize} entries with root {Convert.ToBase64String(current.RootHash)}.");
        }

        return EpochRules.ToDto(current);
    }

    private static OutboxMessage Event(string type, EpochState epoch) =>
        new(StorageNames.EpochsStream, type, null, JsonSerializer.SerializeToUtf8Bytes(
            new EpochEvent(epoch.Epoch, epoch.TreeSize, Convert.ToBase64String(epoch.RootHash), epoch.SealedAt, EpochRules.StatusOf(epoch)),
            JsonSerializerOptions.Web));

    private sealed record StampOutcome(string Tsa, TimestampToken? Token, string? Error);

    private sealed record EpochEvent(long Epoch, long TreeSize, string RootHash, DateTimeOffset SealedAt, string Status);
}
