using Microsoft.Extensions.Logging;
using Provenance.Actors.Storage;

namespace Provenance.Actors.Runtime;

internal enum ActivationStatus
{
    Activating,
    Valid,
    Deactivating,
    Invalid,
}

/// <summary>
/// One activation of a grain: the instance and its mailbox. Scheduling rules (all under one short lock,
/// no thread per activation): an exclusive turn runs alone; read-only turns run together; interleaving
/// turns run regardless. Waiting work is started in FIFO order, a read-only call never overtakes a queued
/// writer. When the mailbox is idle a call runs inline on the caller's thread (no thread-pool hop);
/// queued work is started on the thread pool when the running turn ends.
/// </summary>
internal sealed class ActivationData
{
    private readonly Lock _gate = new();
    private readonly Queue<WorkItem> _queue = new();
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivationStatus _status = ActivationStatus.Activating;
    private int _exclusive = 1; // the activation itself is the first exclusive turn
    private int _readers;
    private int _interleaved;
    private DeactivationReason? _pendingDeactivation;
    private long _lastActivity;

    public ActivationData(GrainRuntime runtime, GrainClassInfo grainClass, GrainId grainId)
    {
        Runtime = runtime;
        Class = grainClass;
        GrainId = grainId;
        _lastActivity = runtime.Time.GetTimestamp();
    }

    public GrainRuntime Runtime { get; }

    public GrainClassInfo Class { get; }

    public GrainId GrainId { get; }

    public object Grain { get; private set; } = null!;

    /// <summary>Completes once the activation is gone from the directory (deactivated or failed to activate).</summary>
    public Task Deactivated => _deactivated.Task;

    /// <summary>Calls waiting in the mailbox (a racy read, for statistics).</summary>
    public int QueueLength => _queue.Count;

    public ActivationStatus Status => _status;

    private int Running => _exclusive + _readers + _interleaved;

    /// <summary>Starts a turn for an inline call when it may start now (see <see cref="MayStartNow"/>).</summary>
    public bool TryBeginInlineTurn(CallKind kind)
    {
        lock (_gate)
        {
            if (!MayStartNow(kind))
            {
                return false;
            }

            Begin(kind, keepsAlive: true);
            return true;
        }
    }

    /// <summary>Queues work (or starts it on the thread pool when it may run now). False when the activation is (being) deactivated.</summary>
    public bool Enqueue(WorkItem item)
    {
        lock (_gate)
        {
            if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid)
            {
                return false;
            }

            if (MayStartNow(item.Kind))
            {
                Start(item);
            }
            else
            {
                _queue.Enqueue(item);
            }

            return true;
        }
    }

    /// <summary>Ends a turn and starts what may run next, or the deactivation that was waiting for quiescence.</summary>
    public void EndTurn(CallKind kind)
    {
        DeactivationReason? deactivate = null;
        lock (_gate)
        {
            switch (kind)
            {
                case CallKind.Exclusive: _exclusive--; break;
                case CallKind.ReadOnly: _readers--; break;
                default: _interleaved--; break;
            }

            if (_status == ActivationStatus.Valid)
            {
                deactivate = BeginDeactivationIfQuiet();
                if (deactivate is null)
                {
                    Pump();
                }
            }
        }

        if (deactivate is { } reason)
        {
            _ = DeactivateAsync(reason);
        }
    }

    /// <summary>Deactivates after the running turns end; calls queued meanwhile go to a fresh activation.</summary>
    public void RequestDeactivation(DeactivationReason reason)
    {
        DeactivationReason? deactivate = null;
        lock (_gate)
        {
            if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid || _pendingDeactivation is not null)
            {
                return;
            }

            _pendingDeactivation = reason;
            if (_status == ActivationStatus.Valid)
            {
                deactivate = BeginDeactivationIfQuiet();
            }
        }

        if (deactivate is { } r)
        {
            _ = DeactivateAsync(r);
        }
    }

    /// <summary>Deactivates when nothing ran or waited for at least <paramref name="age"/>.</summary>
    public bool TryCollect(TimeSpan age)
    {
        lock (_gate)
        {
            if (_status != ActivationStatus.Valid || _pendingDeactivation is not null || Running != 0 || _queue.Count != 0
                || Runtime.Time.GetElapsedTime(_lastActivity) < age)
            {
                return false;
            }
        }

        RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ActivationIdle, $"idle for more than {age}"));
        return true;
    }

    public async Task ActivateAsync(IServiceProvider services)
    {
        try
        {
            var loaders = new IStateLoader[Class.States.Count];
            var arguments = new object?[loaders.Length];
            for (var i = 0; i < loaders.Length; i++)
            {
                var state = Class.States[i];
                var storage = Runtime.ResolveStorage(state.StorageName);
                loaders[i] = state.Create(new GrainStateKey(GrainId.Type, GrainId.Key, state.StateName), storage, Runtime.Options.JsonSerializerOptions);
                arguments[i] = loaders[i];
            }

            Grain = Actors.Grain.Construct(this, () => Class.Create(services, arguments));
            foreach (var loader in loaders)
            {
                await loader.ReadStateAsync().ConfigureAwait(false);
            }

            if (Grain is Grain grain)
            {
                await grain.OnActivateAsync(Runtime.StoppingToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            Runtime.Logger.LogWarning(exception, "Activation of grain {GrainId} failed", GrainId);
            var waiting = InvalidateAndDrain();

            Runtime.RemoveActivation(this);
            _deactivated.TrySetResult();
            foreach (var item in waiting)
            {
                item.Fail(exception);
            }

            return;
        }

        Class.Statistics.ActivationStarted();
        DeactivationReason? deactivate;
        lock (_gate)
        {
            _status = ActivationStatus.Valid;
            _exclusive = 0;
            _lastActivity = Runtime.Time.GetTimestamp();
            deactivate = BeginDeactivationIfQuiet();
            if (deactivate is null)
            {
                Pump();
            }
        }

        if (deactivate is { } reason)
        {
            await DeactivateAsync(reason).ConfigureAwait(false);
        }
    }

    public GrainTimer RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period);
        lock (_gate)
        {
            if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid)
            {
                timer.Dispose();
                return timer;
            }

            _timers.Add(timer);
        }

        timer.Start();
        return timer;
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>
    /// Whether new work may start at once: interleaving work ignores the queue (it must be able to run
    /// while a blocked turn holds back queued writers, e.g. the call that releases it); other work only
    /// starts when nothing is queued ahead of it, so a read-only call never overtakes a queued writer.
    /// </summary>
    private bool MayStartNow(CallKind kind) =>
        _status == ActivationStatus.Valid && _pendingDeactivation is null && (kind == CallKind.Interleave || (_queue.Count == 0 && CanStart(kind)));

    private bool CanStart(CallKind kind) => kind switch
    {
        CallKind.Exclusive => Running == 0,
        CallKind.ReadOnly => _exclusive == 0 && _interleaved == 0,
        _ => true,
    };

    private void Begin(CallKind kind, bool keepsAlive)
    {
        switch (kind)
        {
            case CallKind.Exclusive: _exclusive++; break;
            case CallKind.ReadOnly: _readers++; break;
            default: _interleaved++; break;
        }

        if (keepsAlive)
        {
            _lastActivity = Runtime.Time.GetTimestamp();
        }
    }

    private void Start(WorkItem item)
    {
        Begin(item.Kind, item.KeepsAlive);
        item.Activation = this;
        ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
    }

    private void Pump()
    {
        while (_queue.TryPeek(out var next))
        {
            if (next.IsAbandoned)
            {
                _queue.Dequeue();
                continue;
            }

            if (!CanStart(next.Kind))
            {
                return;
            }

            _queue.Dequeue();
            Start(next);
        }
    }

    private DeactivationReason? BeginDeactivationIfQuiet()
    {
        if (_pendingDeactivation is not { } reason || Running != 0)
        {
            return null;
        }

        _status = ActivationStatus.Deactivating;
        _exclusive = 1;
        return reason;
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        // Requests come from arbitrary threads (the state-change feed's listener, the collector, a caller
        // ending a turn): never run OnDeactivateAsync on them.
        await Task.Yield();
        GrainTimer[] timers;
        lock (_gate)
        {
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }

        if (Grain is Grain grain)
        {
            try
            {
                using var timeout = new CancellationTokenSource(Runtime.Options.DeactivationTimeout, Runtime.Time);
                await grain.OnDeactivateAsync(reason, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Runtime.Logger.LogWarning(exception, "OnDeactivateAsync of grain {GrainId} failed ({Reason})", GrainId, reason);
            }
        }

        Class.Statistics.ActivationStopped();
        var waiting = InvalidateAndDrain();

        Runtime.RemoveActivation(this);
        foreach (var item in waiting)
        {
            item.Reroute(Runtime);
        }

        _deactivated.TrySetResult();
    }

    /// <summary>Marks this activation invalid (no new work is queued) and takes the calls still waiting, under the gate.</summary>
    private WorkItem[] InvalidateAndDrain()
    {
        lock (_gate)
        {
            _status = ActivationStatus.Invalid;
            WorkItem[] waiting = [.. _queue];
            _queue.Clear();
            return waiting;
        }
    }
}
