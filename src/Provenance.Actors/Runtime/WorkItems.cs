using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Provenance.Actors.Diagnostics;

namespace Provenance.Actors.Runtime;

/// <summary>Work waiting in a mailbox: a call or a timer tick. Started on the thread pool by its activation.</summary>
internal abstract class WorkItem(CallKind kind, bool keepsAlive) : IThreadPoolWorkItem
{
    public CallKind Kind { get; } = kind;

    /// <summary>Whether starting this work counts as activity for idle collection (calls do, timer ticks do not).</summary>
    public bool KeepsAlive { get; } = keepsAlive;

    /// <summary>The activation running the work; set when it starts.</summary>
    public ActivationData? Activation { get; set; }

    /// <summary>Nobody waits for the result any more (timed out) or the timer was disposed: skip it.</summary>
    public abstract bool IsAbandoned { get; }

    public abstract void Execute();

    /// <summary>The activation failed before running this work.</summary>
    public abstract void Fail(Exception exception);

    /// <summary>The activation was deactivated before running this work: hand it to the next activation (or drop it).</summary>
    public abstract void Reroute(GrainRuntime runtime);
}

/// <summary>A queued grain call; its caller awaits <see cref="Task"/>.</summary>
internal sealed class CallWorkItem<T> : WorkItem
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly GrainCall<T> _call;
    private readonly object?[] _arguments;
    private readonly long _startTimestamp;
    private readonly ITimer? _timeout;

    public CallWorkItem(GrainId grainId, GrainClassInfo grainClass, CallKind kind, GrainCall<T> call, object?[] arguments, long startTimestamp, TimeSpan timeout, TimeProvider time)
        : base(kind, keepsAlive: true)
    {
        GrainId = grainId;
        Class = grainClass;
        _call = call;
        _arguments = arguments;
        _startTimestamp = startTimestamp;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timeout = time.CreateTimer(static s => ((CallWorkItem<T>)s!).OnTimeout(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public GrainId GrainId { get; }

    public GrainClassInfo Class { get; }

    public Task<T> Task => _completion.Task;

    public override bool IsAbandoned => _completion.Task.IsCompleted;

    public override void Execute() => _ = RunAsync();

    public override void Fail(Exception exception)
    {
        _timeout?.Dispose();
        if (_completion.TrySetException(exception))
        {
            Class.Statistics.CallCompleted(_startTimestamp, failed: true);
        }
    }

    public override void Reroute(GrainRuntime runtime)
    {
        if (!IsAbandoned)
        {
            _ = runtime.DispatchAsync(GrainId, Class, this);
        }
    }

    private async Task RunAsync()
    {
        var activation = Activation!;
        try
        {
            var result = await _call(activation.Grain, _arguments).ConfigureAwait(false);
            _timeout?.Dispose();
            if (_completion.TrySetResult(result))
            {
                Class.Statistics.CallCompleted(_startTimestamp, failed: false);
            }
        }
        catch (Exception exception)
        {
            Fail(exception);
        }
        finally
        {
            activation.EndTurn(Kind);
        }
    }

    private void OnTimeout()
    {
        var elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
        Fail(new TimeoutException($"Call to grain {GrainId} did not complete within {elapsed:g}. A call cycle between non-reentrant grains deadlocks until this timeout."));
    }
}

/// <summary>A grain timer. It is its own work item: ticks never overlap, the next one is armed after a tick ends.</summary>
internal sealed class GrainTimer : WorkItem, IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ITimer _timer;
    private TimeSpan _dueTime;
    private TimeSpan _period;
    private volatile bool _ticking;
    private TimeSpan? _dueAfterTick;

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
        : base(activation.Class.IsReentrant ? CallKind.Interleave : CallKind.Exclusive, keepsAlive: false)
    {
        Validate(dueTime, period);
        _activation = activation;
        _callback = callback;
        _dueTime = dueTime;
        _period = period;
        _timer = activation.Runtime.Time.CreateTimer(static s => ((GrainTimer)s!).OnFire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public override bool IsAbandoned => _disposed.IsCancellationRequested;

    public void Start() => _timer.Change(_dueTime, Timeout.InfiniteTimeSpan);

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        Validate(dueTime, period);
        _period = period;
        if (_ticking)
        {
            // Called from the tick itself: re-armed with this due time when the tick ends.
            _dueAfterTick = dueTime;
            return;
        }

        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }

    public override void Execute() => _ = RunAsync();

    public override void Fail(Exception exception) => Dispose();

    public override void Reroute(GrainRuntime runtime) => Dispose();

    private void OnFire()
    {
        if (!IsAbandoned && !_activation.Enqueue(this))
        {
            Dispose();
        }
    }

    private async Task RunAsync()
    {
        _ticking = true;
        try
        {
            if (!IsAbandoned)
            {
                await _callback(_disposed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (!_disposed.IsCancellationRequested || exception is not OperationCanceledException)
        {
            _activation.Runtime.Logger.LogWarning(exception, "Timer callback of grain {GrainId} failed", _activation.GrainId);
        }
        catch (OperationCanceledException)
        {
            // the timer was disposed during the tick
        }
        finally
        {
            _ticking = false;
            var due = _dueAfterTick ?? _period;
            _dueAfterTick = null;
            _activation.EndTurn(Kind);
            if (!IsAbandoned && due != Timeout.InfiniteTimeSpan)
            {
                try
                {
                    _timer.Change(due, Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // disposed concurrently
                }
            }
        }
    }

    private static void Validate(TimeSpan dueTime, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        if (period != Timeout.InfiniteTimeSpan && period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be positive or Timeout.InfiniteTimeSpan.");
        }
    }
}
