using Microsoft.Extensions.DependencyInjection;
using Provenance.Actors.Hosting;
using Provenance.Actors.Runtime;
using Provenance.Actors.Storage;

namespace Provenance.Actors.Tests.Support;

/// <summary>How to build a <see cref="TestNode"/>; pass shared stores to simulate nodes or restarts.</summary>
internal sealed class NodeSetup
{
    public MemoryGrainStorage? Storage { get; init; }

    public MemoryReminderTable? Reminders { get; init; }

    public TimeProvider? Time { get; init; }

    public IStateChangeFeed? StateChangeFeed { get; init; }

    public Probe? Probe { get; init; }

    public Action<GrainRuntimeOptions>? Runtime { get; init; }

    public Action<GrainCollectionOptions>? Collection { get; init; }

    public Action<StreamOptions>? Streams { get; init; }
}

/// <summary>One started grain runtime (a "node") over in-memory stores, without a generic host.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private TestNode(ServiceProvider provider, MemoryGrainStorage storage)
    {
        _provider = provider;
        Storage = storage;
        Runtime = provider.GetRequiredService<GrainRuntime>();
    }

    public GrainRuntime Runtime { get; }

    public IGrainFactory Factory => Runtime;

    public MemoryGrainStorage Storage { get; }

    public Probe Probe => _provider.GetRequiredService<Probe>();

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public static async Task<TestNode> StartAsync(NodeSetup? setup = null)
    {
        setup ??= new NodeSetup();
        var storage = setup.Storage ?? new MemoryGrainStorage();
        var services = new ServiceCollection();
        services.AddSingleton(setup.Probe ?? new Probe());
        if (setup.Time is not null)
        {
            services.AddSingleton(setup.Time);
        }

        if (setup.StateChangeFeed is not null)
        {
            services.AddSingleton(setup.StateChangeFeed);
        }

        var builder = services
            .AddGrainRuntime(options =>
            {
                options.CallTimeout = TimeSpan.FromSeconds(10);
                options.DeactivationTimeout = TimeSpan.FromSeconds(2);
                options.ReminderPollInterval = TimeSpan.FromMilliseconds(20);
                setup.Runtime?.Invoke(options);
            })
            .AddGrains(typeof(TestNode).Assembly)
            .AddMemoryGrainStorageAsDefault(storage)
            .AddMemoryGrainStorage("archive")
            .AddMemoryReminderTable(setup.Reminders)
            .ConfigureStreams(options =>
            {
                options.MaxWait = TimeSpan.FromMilliseconds(200);
                options.RetryDelay = TimeSpan.FromMilliseconds(20);
                setup.Streams?.Invoke(options);
            });
        if (setup.Collection is not null)
        {
            builder.ConfigureCollection(setup.Collection);
        }

        var provider = services.BuildServiceProvider();
        var node = new TestNode(provider, storage);
        await node.Runtime.StartAsync(CancellationToken.None);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        await _provider.DisposeAsync();
    }
}

/// <summary>Records what grains did, for assertions. One per node unless shared.</summary>
public sealed class Probe
{
    private int _activationAttempts;

    public System.Collections.Concurrent.ConcurrentQueue<string> Events { get; } = new();

    public System.Collections.Concurrent.ConcurrentQueue<(string Key, string Name, TickStatus Status)> Reminders { get; } = new();

    public System.Collections.Concurrent.ConcurrentQueue<DeactivationReason> Deactivations { get; } = new();

    public volatile bool FailActivation;

    public int ActivationAttempts => Volatile.Read(ref _activationAttempts);

    public int IncrementActivationAttempts() => Interlocked.Increment(ref _activationAttempts);

    public int Count(string prefix) => Events.Count(e => e.StartsWith(prefix, StringComparison.Ordinal));
}

/// <summary>A clock the test moves by hand; timers still run on real time.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = DateTimeOffset.Parse("2026-01-01T00:00:00Z", global::System.Globalization.CultureInfo.InvariantCulture).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>A state-change feed the test raises by hand, standing in for another node's NOTIFY.</summary>
internal sealed class ManualStateChangeFeed : IStateChangeFeed
{
    public event Action<GrainStateKey>? StateChangedElsewhere;

    public void Raise(GrainStateKey key) => StateChangedElsewhere?.Invoke(key);
}

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> (default 5 s) passes.</summary>
    public static async Task<bool> HoldsAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
