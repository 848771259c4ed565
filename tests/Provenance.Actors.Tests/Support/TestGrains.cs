using Provenance.Actors.Storage;

namespace Provenance.Actors.Tests.Support;

/// <summary>Counts how many turns overlap; <see cref="Max"/> is the peak.</summary>
public sealed class OverlapMeter
{
    private int _current;
    private int _max;

    public int Max => Volatile.Read(ref _max);

    public int Current => Volatile.Read(ref _current);

    public async Task MeasureAsync(int delayMs)
    {
        var now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }

        try
        {
            await Task.Delay(delayMs);
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }
}

public interface ITurnGrain : IGrainWithStringKey
{
    Task WorkAsync(int delayMs);

    [ReadOnly]
    Task ReadAsync(int delayMs);

    [AlwaysInterleave]
    Task<int> PeekMaxAsync();

    /// <summary>Blocks the activation until <see cref="ReleaseAsync"/> is called.</summary>
    Task BlockAsync();

    [AlwaysInterleave]
    Task ReleaseAsync();

    [ReadOnly]
    Task<bool> ReaderSawWriterAsync();
}

internal sealed class TurnGrain : Grain, ITurnGrain
{
    private readonly OverlapMeter _all = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writers;
    private volatile bool _readerSawWriter;

    public async Task WorkAsync(int delayMs)
    {
        Interlocked.Increment(ref _writers);
        try
        {
            await _all.MeasureAsync(delayMs);
        }
        finally
        {
            Interlocked.Decrement(ref _writers);
        }
    }

    public async Task ReadAsync(int delayMs)
    {
        if (Volatile.Read(ref _writers) != 0)
        {
            _readerSawWriter = true;
        }

        await _all.MeasureAsync(delayMs);
        if (Volatile.Read(ref _writers) != 0)
        {
            _readerSawWriter = true;
        }
    }

    public Task<int> PeekMaxAsync() => Task.FromResult(_all.Max);

    public Task BlockAsync() => _gate.Task;

    public Task ReleaseAsync()
    {
        _gate.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<bool> ReaderSawWriterAsync() => Task.FromResult(_readerSawWriter);
}

public interface IReentrantTurnGrain : IGrainWithStringKey
{
    Task WorkAsync(int delayMs);

    Task<int> PeekMaxAsync();
}

[Reentrant]
internal sealed class ReentrantTurnGrain : Grain, IReentrantTurnGrain
{
    private readonly OverlapMeter _all = new();

    public Task WorkAsync(int delayMs) => _all.MeasureAsync(delayMs);

    public Task<int> PeekMaxAsync() => Task.FromResult(_all.Max);
}

public interface ILifecycleGrain : IGrainWithStringKey
{
    /// <summary>The id of this activation's instance.</summary>
    Task<Guid> PingAsync();

    ValueTask<Guid> PingValueAsync();

    Task DeactivateAsync();

    Task<GrainId> GetIdAsync();
}

internal sealed class LifecycleGrain(Probe probe) : Grain, ILifecycleGrain
{
    private readonly Guid _instance = Guid.NewGuid();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"activate:{GetPrimaryKeyString()}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"deactivate:{GetPrimaryKeyString()}:{reason.ReasonCode}");
        probe.Deactivations.Enqueue(reason);
        return Task.CompletedTask;
    }

    public Task<Guid> PingAsync() => Task.FromResult(_instance);

    public ValueTask<Guid> PingValueAsync() => ValueTask.FromResult(_instance);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<GrainId> GetIdAsync() => Task.FromResult(GrainId);
}

public interface IGuidKeyGrain : IGrainWithGuidKey
{
    Task<Guid> GetKeyAsync();
}

[GrainType("guid-keyed")]
internal sealed class GuidKeyGrain : Grain, IGuidKeyGrain
{
    public Task<Guid> GetKeyAsync() => Task.FromResult(GetPrimaryKey());
}

public interface IIntegerKeyGrain : IGrainWithIntegerKey
{
    Task<long> GetKeyAsync();
}

internal sealed class IntegerKeyGrain : Grain, IIntegerKeyGrain
{
    public Task<long> GetKeyAsync() => Task.FromResult(GetPrimaryKeyLong());
}

public interface IThrowingGrain : IGrainWithStringKey
{
    Task ThrowSynchronouslyAsync(Exception exception);

    Task ThrowAfterYieldAsync(Exception exception);

    ValueTask<int> ThrowValueTaskAsync(Exception exception);

    Task<int> OkAsync();
}

internal sealed class ThrowingGrain : Grain, IThrowingGrain
{
    public Task ThrowSynchronouslyAsync(Exception exception) => throw exception;

    public async Task ThrowAfterYieldAsync(Exception exception)
    {
        await Task.Yield();
        throw exception;
    }

    public async ValueTask<int> ThrowValueTaskAsync(Exception exception)
    {
        await Task.Yield();
        throw exception;
    }

    public Task<int> OkAsync() => Task.FromResult(42);
}

public interface IFailingActivationGrain : IGrainWithStringKey
{
    Task<int> GetAttemptAsync();
}

internal sealed class FailingActivationGrain(Probe probe) : Grain, IFailingActivationGrain
{
    private int _attempt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _attempt = probe.IncrementActivationAttempts();
        return probe.FailActivation ? Task.FromException(new InvalidOperationException("activation refused")) : Task.CompletedTask;
    }

    public Task<int> GetAttemptAsync() => Task.FromResult(_attempt);
}

public interface ICycleGrain : IGrainWithStringKey
{
    Task CallPeerAsync(string peerKey);

    Task CallBackAsync(string callerKey);

    Task PingAsync();
}

internal sealed class CycleGrain : Grain, ICycleGrain
{
    public Task CallPeerAsync(string peerKey) =>
        GrainFactory.GetGrain<ICycleGrain>(peerKey).CallBackAsync(GetPrimaryKeyString());

    public Task CallBackAsync(string callerKey) => GrainFactory.GetGrain<ICycleGrain>(callerKey).PingAsync();

    public Task PingAsync() => Task.CompletedTask;
}

public sealed class CounterState
{
    public int Count { get; set; }

    public List<string> Notes { get; set; } = [];
}

public sealed class ArchiveState
{
    public string? Label { get; set; }
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> GetAsync();

    /// <summary>Adds <paramref name="delta"/> and writes; on a conflict reloads and retries when <paramref name="retry"/>.</summary>
    Task<int> AddAsync(int delta, bool retry);

    Task<int> AddWithEffectsAsync(int delta, string note);

    Task ReloadAsync();

    Task<string?> GetEtagAsync();

    Task ClearAsync();

    Task SetLabelAsync(string label);
}

internal sealed class CounterGrain(
    [PersistentState("counter")] IPersistentState<CounterState> counter,
    [PersistentState("archive", "archive")] IPersistentState<ArchiveState> archive,
    Probe probe) : Grain, ICounterGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"counter-activated:{GetPrimaryKeyString()}:{counter.State.Count}");
        return Task.CompletedTask;
    }

    public Task<int> GetAsync() => Task.FromResult(counter.State.Count);

    public async Task<int> AddAsync(int delta, bool retry)
    {
        while (true)
        {
            counter.State.Count += delta;
            try
            {
                await counter.WriteStateAsync();
                return counter.State.Count;
            }
            catch (InconsistentStateException) when (retry)
            {
                await counter.ReadStateAsync();
            }
            catch (InconsistentStateException)
            {
                counter.State.Count -= delta;
                throw;
            }
        }
    }

    public async Task<int> AddWithEffectsAsync(int delta, string note)
    {
        counter.State.Count += delta;
        counter.State.Notes.Add(note);
        var effects = new DurableEffects();
        effects.LogAppends.Add(new LogAppend($"{GetPrimaryKeyString()}#{counter.State.Count}", [1, 2, 3]));
        effects.Events.Add(new OutboxMessage("counters", "counter.added", "tenant-a", "{}"u8.ToArray()));
        effects.IndexEntries.Add(new IndexEntry("notes", GetPrimaryKeyString(), note));
        await counter.WriteStateAsync(effects);
        return counter.State.Count;
    }

    public Task ReloadAsync() => counter.ReadStateAsync();

    public Task<string?> GetEtagAsync() => Task.FromResult(counter.Etag);

    public Task ClearAsync() => counter.ClearStateAsync();

    public async Task SetLabelAsync(string label)
    {
        archive.State.Label = label;
        await archive.WriteStateAsync();
    }
}

public interface ITimerGrain : IGrainWithStringKey
{
    Task StartAsync(int periodMs, bool throwing);

    /// <summary>A timer whose first tick reschedules it as a one-shot far in the future.</summary>
    Task StartSelfPostponingAsync();

    Task StopAsync();

    Task<int> GetTicksAsync();

    Task WorkAsync(int delayMs);

    Task<int> PeekMaxAsync();
}

internal sealed class TimerGrain : Grain, ITimerGrain
{
    private readonly OverlapMeter _all = new();
    private IGrainTimer? _timer;
    private int _ticks;

    public Task StartAsync(int periodMs, bool throwing)
    {
        _timer = RegisterGrainTimer(
            async ct =>
            {
                Interlocked.Increment(ref _ticks);
                await _all.MeasureAsync(2);
                if (throwing)
                {
                    throw new InvalidOperationException("tick failed");
                }
            },
            TimeSpan.FromMilliseconds(periodMs),
            TimeSpan.FromMilliseconds(periodMs));
        return Task.CompletedTask;
    }

    public Task StartSelfPostponingAsync()
    {
        _timer = RegisterGrainTimer(
            ct =>
            {
                Interlocked.Increment(ref _ticks);
                _timer!.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
                return Task.CompletedTask;
            },
            TimeSpan.Zero,
            TimeSpan.FromMilliseconds(5));
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public Task<int> GetTicksAsync() => Task.FromResult(Volatile.Read(ref _ticks));

    public Task WorkAsync(int delayMs) => _all.MeasureAsync(delayMs);

    public Task<int> PeekMaxAsync() => Task.FromResult(_all.Max);
}

public interface IReminderGrain : IGrainWithStringKey
{
    Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period);

    Task UnregisterAsync(string name);
}

internal sealed class ReminderGrain(Probe probe) : Grain, IReminderGrain, IRemindable
{
    public async Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period) =>
        await RegisterOrUpdateReminderAsync(name, dueTime, period);

    public Task UnregisterAsync(string name) => UnregisterReminderAsync(name);

    public Task ReceiveReminderAsync(string reminderName, TickStatus status)
    {
        probe.Reminders.Enqueue((GetPrimaryKeyString(), reminderName, status));
        return reminderName == "boom" ? throw new InvalidOperationException("reminder failed") : Task.CompletedTask;
    }
}

public interface IMisconfiguredGrain : IGrainWithStringKey
{
    Task PingAsync();
}

internal sealed class MisconfiguredGrain([PersistentState("state", "missing")] IPersistentState<ArchiveState> state) : Grain, IMisconfiguredGrain
{
    public Task PingAsync() => Task.FromResult(state.RecordExists);
}
