using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Provenance.Actors.Diagnostics;
using Provenance.Actors.Storage;

namespace Provenance.Actors.Runtime;

/// <summary>
/// The grain runtime of one node: the activation directory, call dispatch, idle collection, the
/// reminder poller and the state-change-feed subscription. Resolve it from a container built with
/// <c>AddGrainRuntime</c>; run it under the generic host (its hosted service starts and stops it) or
/// call <see cref="StartAsync"/> and <see cref="DisposeAsync"/> yourself (tests, tools). Several
/// runtimes may share one storage: each is a "node".
/// </summary>
/// <remarks>
/// Guarantees: one activation per grain id per runtime; one turn at a time per activation (see
/// <see cref="Grain"/>). Not guaranteed: a single activation across runtimes (use the ETag and the
/// state-change feed). A grain's exception reaches the caller as the same object.
/// </remarks>
public sealed class GrainRuntime : IGrainFactory, IRuntimeStatistics, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly IServiceProvider _services;
    private readonly GrainCatalog _catalog;
    private readonly GrainCollectionOptions _collection;
    private readonly IReminderTable? _reminders;
    private readonly IStateChangeFeed? _stateChangeFeed;
    private readonly RuntimeMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lifecycle = new();
    private readonly TimeSpan _callTimeout;
    private Task _loops = Task.CompletedTask;
    private bool _started;
    private volatile bool _stopped;
    private Task? _stopTask;

    internal GrainRuntime(IServiceProvider services)
    {
        _services = services;
        Options = services.GetRequiredService<IOptions<GrainRuntimeOptions>>().Value;
        _collection = services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
        Time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        Logger = (ILogger?)services.GetService<ILoggerFactory>()?.CreateLogger<GrainRuntime>() ?? NullLogger.Instance;
        _reminders = services.GetService<IReminderTable>();
        _stateChangeFeed = services.GetService<IStateChangeFeed>();
        _callTimeout = Options.CallTimeout;
        _catalog = new GrainCatalog(services.GetServices<GrainAssembly>().Select(a => a.Assembly));
        _metrics = new RuntimeMetrics(MeasureActivations, MeasureQueues);
        foreach (var grainClass in _catalog.Classes)
        {
            grainClass.Statistics = new GrainTypeStatistics(grainClass.GrainType, _metrics);
        }
    }

    internal GrainRuntimeOptions Options { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal CancellationToken StoppingToken => _stopping.Token;

    internal RuntimeMetrics Metrics => _metrics;

    /// <summary>Starts idle collection, the reminder poller (when an <see cref="IReminderTable"/> is registered) and the state-change-feed subscription. Idempotent.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_started)
            {
                return Task.CompletedTask;
            }

            _started = true;
        }

        if (_stateChangeFeed is not null)
        {
            _stateChangeFeed.StateChangedElsewhere += OnStateChangedElsewhere;
        }

        var loops = new List<Task> { RunCollectorAsync(_stopping.Token) };
        if (_reminders is not null)
        {
            loops.Add(RunReminderPollerAsync(_reminders, _stopping.Token));
        }

        _loops = Task.WhenAll(loops);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the loops and deactivates every activation (each gets <c>OnDeactivateAsync</c> with
    /// <see cref="DeactivationReasonCode.ShuttingDown"/> after its current turn). Calls made afterwards
    /// throw <see cref="ObjectDisposedException"/>. Idempotent.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            _stopTask ??= StopCoreAsync();
        }

        return _stopTask.WaitAsync(cancellationToken);
    }

    /// <summary>Stops the runtime (see <see cref="StopAsync"/>) and releases the meter.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _metrics.Dispose();
    }

    /// <summary>Blocking form of <see cref="DisposeAsync"/>, for containers disposed synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(primaryKey);
        return CreateReference<TGrainInterface>(primaryKey);
    }

    /// <inheritdoc/>
    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey) where TGrainInterface : IGrainWithGuidKey =>
        CreateReference<TGrainInterface>(primaryKey.ToString("D"));

    /// <inheritdoc/>
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey) where TGrainInterface : IGrainWithIntegerKey =>
        CreateReference<TGrainInterface>(primaryKey.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public RuntimeStatisticsSnapshot GetSnapshot()
    {
        var queues = new Dictionary<GrainClassInfo, int>();
        foreach (var activation in _activations.Values)
        {
            queues[activation.Class] = queues.GetValueOrDefault(activation.Class) + activation.QueueLength;
        }

        var types = _catalog.Classes
            .Select(c => c.Statistics.Snapshot(queues.GetValueOrDefault(c)))
            .OrderBy(s => s.GrainType, StringComparer.Ordinal)
            .ToList();
        return new RuntimeStatisticsSnapshot(Time.GetUtcNow(), types);
    }

    /// <summary>Deactivates the activations idle for at least <see cref="GrainCollectionOptions.CollectionAge"/>; returns how many.</summary>
    internal int CollectIdleActivations()
    {
        var collected = 0;
        foreach (var activation in _activations.Values)
        {
            if (activation.TryCollect(_collection.CollectionAge))
            {
                collected++;
            }
        }

        return collected;
    }

    internal ActivationData? FindActivation(GrainId grainId) => _activations.GetValueOrDefault(grainId);

    /// <summary>The call path of every grain method: inline when the activation is idle, else through its mailbox.</summary>
    internal Task<T> InvokeAsync<T>(GrainId grainId, GrainClassInfo grainClass, CallKind kind, GrainCall<T> call, object?[] arguments)
    {
        var start = Stopwatch.GetTimestamp();
        if (_activations.TryGetValue(grainId, out var activation) && activation.TryBeginInlineTurn(kind))
        {
            ValueTask<T> pending;
            try
            {
                pending = call(activation.Grain, arguments);
            }
            catch (Exception exception)
            {
                activation.EndTurn(kind);
                grainClass.Statistics.CallCompleted(start, failed: true);
                return Task.FromException<T>(exception);
            }

            if (pending.IsCompletedSuccessfully)
            {
                var result = pending.Result;
                activation.EndTurn(kind);
                grainClass.Statistics.CallCompleted(start, failed: false);
                return typeof(T) == typeof(VoidResult) ? (Task<T>)(object)s_completedVoid : Task.FromResult(result);
            }

            var turn = CompleteInlineTurnAsync(pending, activation, kind, grainClass.Statistics, start);
            return _callTimeout == Timeout.InfiniteTimeSpan ? turn : turn.WaitAsync(_callTimeout, Time);
        }

        return DispatchCallAsync(grainId, grainClass, kind, call, arguments, start);
    }

    private static readonly Task<VoidResult> s_completedVoid = Task.FromResult(default(VoidResult));

    /// <summary>Puts work in the mailbox of the grain's activation, creating and activating it if needed.</summary>
    internal async ValueTask DispatchAsync(GrainId grainId, GrainClassInfo grainClass, WorkItem item)
    {
        while (true)
        {
            if (_stopped)
            {
                item.Fail(new ObjectDisposedException(nameof(GrainRuntime), $"The grain runtime is stopped; grain {grainId} cannot be called."));
                return;
            }

            if (!_activations.TryGetValue(grainId, out var activation))
            {
                var fresh = new ActivationData(this, grainClass, grainId);
                activation = _activations.GetOrAdd(grainId, fresh);
                if (ReferenceEquals(activation, fresh))
                {
                    fresh.Enqueue(item);
                    await fresh.ActivateAsync(_services).ConfigureAwait(false);
                    return;
                }
            }

            if (activation.Enqueue(item))
            {
                return;
            }

            await activation.Deactivated.ConfigureAwait(false);
        }
    }

    internal void RemoveActivation(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));

    /// <exception cref="InvalidOperationException">No storage is registered under that name.</exception>
    internal IGrainStorage ResolveStorage(string? storageName) =>
        (storageName is null ? _services.GetService<IGrainStorage>() : _services.GetKeyedService<IGrainStorage>(storageName))
        ?? throw new InvalidOperationException(storageName is null
            ? "No default IGrainStorage is registered (AddMemoryGrainStorageAsDefault or a database provider)."
            : $"No IGrainStorage is registered under the name '{storageName}'.");

    internal async Task<IGrainReminder> RegisterReminderAsync(Grain grain, string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrEmpty(reminderName);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        if (grain is not IRemindable)
        {
            throw new InvalidOperationException($"{grain.GetType()} registers a reminder but does not implement IRemindable.");
        }

        var table = _reminders ?? throw new InvalidOperationException("No IReminderTable is registered (AddMemoryReminderTable or a database provider).");
        var id = grain.GrainId;
        await table.UpsertAsync(new ReminderEntry(id.Type, id.Key, reminderName, Time.GetUtcNow() + dueTime, period), _stopping.Token).ConfigureAwait(false);
        return new GrainReminder(reminderName);
    }

    internal Task UnregisterReminderAsync(GrainId grainId, string reminderName)
    {
        var table = _reminders ?? throw new InvalidOperationException("No IReminderTable is registered (AddMemoryReminderTable or a database provider).");
        return table.DeleteAsync(grainId.Type, grainId.Key, reminderName, _stopping.Token);
    }

    /// <summary>Delivers one claimed reminder tick as a grain call (activating the grain); a failure is logged.</summary>
    internal async Task DeliverReminderAsync(ReminderEntry entry)
    {
        var grainClass = _catalog.FindByGrainType(entry.GrainType);
        if (grainClass is not { IsRemindable: true })
        {
            Logger.LogWarning("Reminder {Reminder} targets grain type {GrainType}, which this runtime does not serve as IRemindable", entry.Name, entry.GrainType);
            return;
        }

        var status = new TickStatus(entry.NextDue, entry.Period);
        GrainCall<VoidResult> call = (grain, _) => MethodInvoker.FromTask(((IRemindable)grain).ReceiveReminderAsync(entry.Name, status));
        try
        {
            await InvokeAsync(new GrainId(entry.GrainType, entry.GrainKey), grainClass, grainClass.IsReentrant ? CallKind.Interleave : CallKind.Exclusive, call, []).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Logger.LogWarning(exception, "Reminder {Reminder} of grain {GrainType}/{GrainKey} failed", entry.Name, entry.GrainType, entry.GrainKey);
        }
    }

    /// <summary>One poll of the reminder table; returns the deliveries started.</summary>
    internal async Task<IReadOnlyList<Task>> PollRemindersAsync(IReminderTable table, CancellationToken cancellationToken)
    {
        var due = await table.ClaimDueAsync(Time.GetUtcNow(), Options.ReminderBatchSize, cancellationToken).ConfigureAwait(false);
        return due.Select(DeliverReminderAsync).ToList();
    }

    private TGrainInterface CreateReference<TGrainInterface>(string key)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        var grainInterface = _catalog.GetInterface(typeof(TGrainInterface));
        var proxy = DispatchProxy.Create<TGrainInterface, GrainProxy>();
        ((GrainProxy)(object)proxy!).Bind(this, grainInterface, new GrainId(grainInterface.Class.GrainType, key));
        return proxy;
    }

    private async Task<T> DispatchCallAsync<T>(GrainId grainId, GrainClassInfo grainClass, CallKind kind, GrainCall<T> call, object?[] arguments, long start)
    {
        var item = new CallWorkItem<T>(grainId, grainClass, kind, call, arguments, start, _callTimeout, Time);
        await DispatchAsync(grainId, grainClass, item).ConfigureAwait(false);
        return await item.Task.ConfigureAwait(false);
    }

    private static async Task<T> CompleteInlineTurnAsync<T>(ValueTask<T> pending, ActivationData activation, CallKind kind, GrainTypeStatistics statistics, long start)
    {
        var failed = true;
        try
        {
            var result = await pending.ConfigureAwait(false);
            failed = false;
            return result;
        }
        finally
        {
            activation.EndTurn(kind);
            statistics.CallCompleted(start, failed);
        }
    }

    private void OnStateChangedElsewhere(GrainStateKey key)
    {
        if (_activations.TryGetValue(new GrainId(key.GrainType, key.Key), out var activation))
        {
            activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.StateChangedElsewhere, $"state {key} changed on another node"));
        }
    }

    private async Task RunCollectorAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_collection.CollectionQuantum, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                CollectIdleActivations();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunReminderPollerAsync(IReminderTable table, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.ReminderPollInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await PollRemindersAsync(table, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Logger.LogWarning(exception, "Polling the reminder table failed");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task StopCoreAsync()
    {
        _stopped = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_stateChangeFeed is not null)
        {
            _stateChangeFeed.StateChangedElsewhere -= OnStateChangedElsewhere;
        }

        await _loops.ConfigureAwait(false);
        var shutdown = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "the runtime is stopping");
        var activations = _activations.Values.ToList();
        foreach (var activation in activations)
        {
            activation.RequestDeactivation(shutdown);
        }

        try
        {
            // A turn that never ends would otherwise hold shutdown forever.
            await Task.WhenAll(activations.Select(a => a.Deactivated)).WaitAsync(Options.DeactivationTimeout, Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var stuck = activations.Where(a => !a.Deactivated.IsCompleted).Select(a => a.GrainId.ToString());
            Logger.LogWarning("Stopping the grain runtime: activations still busy after {Timeout}: {GrainIds}", Options.DeactivationTimeout, string.Join(", ", stuck));
        }
    }

    private IEnumerable<Measurement<int>> MeasureActivations() =>
        _catalog.Classes.Select(c => new Measurement<int>(c.Statistics.ActiveActivations, new KeyValuePair<string, object?>("grain.type", c.GrainType)));

    private IEnumerable<Measurement<int>> MeasureQueues() =>
        _activations.Values.GroupBy(a => a.Class.GrainType)
            .Select(g => new Measurement<int>(g.Sum(a => a.QueueLength), new KeyValuePair<string, object?>("grain.type", g.Key)));

    private sealed record GrainReminder(string ReminderName) : IGrainReminder;
}
