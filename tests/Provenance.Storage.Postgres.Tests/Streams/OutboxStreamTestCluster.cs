using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.TestingHost;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Storage.Postgres.Tests.Streams;

/// <summary>
/// A TestingHost cluster (development clustering) whose silos each open <see cref="PostgresStorage"/> on one test
/// database and run the outbox stream provider; plus helpers to commit events the way grains do.
/// </summary>
internal static class OutboxStreamTestCluster
{
    public const string ProviderName = "outbox";
    public const string AssetsStream = "assets";
    public const string DerivativesStream = "derivatives";
    private const string ConnectionStringKey = "OutboxTests:ConnectionString";
    private const string QueueCountKey = "OutboxTests:QueueCount";

    public static async Task<TestCluster> StartAsync(string connectionString, int queueCount = 4, short silos = 2)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.Properties[QueueCountKey] = queueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await cluster.WaitForLivenessToStabilizeAsync();
        return cluster;
    }

    /// <summary>Commits a new grain state with one event, as a grain does; returns the event's outbox position.</summary>
    public static async Task<long> CommitEventAsync(PostgresStorage storage, string stream, string? streamKey, string payload, string? tenant = "tenant-a")
    {
        var effects = new DurableEffects();
        effects.Events.Add(new OutboxMessage(stream, "test.event", tenant, TestEffects.Bytes(payload), streamKey));
        await storage.GrainStorage.WriteAsync(TestEffects.NewKey(), TestEffects.Bytes("state"), null, effects, default);
        return await PositionOfAsync(storage, payload);
    }

    /// <summary>The outbox position of the event with <paramref name="payload"/> (numbering pending rows first).</summary>
    public static async Task<long> PositionOfAsync(PostgresStorage storage, string payload)
    {
        for (var attempt = 0; ; attempt++)
        {
            await storage.OutboxStore.SequencePendingAsync(default);
            await using var command = storage.DataSource.CreateCommand($"SELECT position FROM {SchemaNames.Outbox} WHERE convert_from(payload, 'UTF8') = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
            if (await command.ExecuteScalarAsync() is long position)
            {
                return position;
            }

            if (attempt > 100)
            {
                throw new InvalidOperationException($"no numbered event with payload {payload}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>One stream key per queue (first found), so a test covers every queue.</summary>
    public static string[] KeysCoveringAllQueues(string stream, int queueCount)
    {
        var keys = new string?[queueCount];
        var prefix = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; keys.Any(k => k is null); i++)
        {
            var key = $"{prefix}-{i}";
            var queue = OutboxStreamIdentity.QueueOf(StreamId.Create(stream, key), queueCount);
            keys[queue] ??= key;
        }

        return keys!;
    }

    /// <summary>The receivers currently running on <paramref name="silo"/> (their checkpoint consumer names).</summary>
    public static IReadOnlyCollection<string> RunningReceivers(SiloHandle silo) =>
        ((InProcessSiloHandle)silo).ServiceProvider.GetRequiredService<ReceiverLog>().Running;

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration[ConnectionStringKey]!;
            var queueCount = int.Parse(siloBuilder.Configuration[QueueCountKey]!, System.Globalization.CultureInfo.InvariantCulture);
            siloBuilder.Services.AddPostgresStorage(connectionString, o => o.StreamQueueCount = queueCount);
            siloBuilder.Services.AddSingleton<ReceiverLog>();
            siloBuilder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<ReceiverLog>());
            siloBuilder.Services.AddLogging(b => b.AddFilter<ReceiverLog>(typeof(OutboxQueueReceiver).FullName, LogLevel.Information));

            // A killed silo is declared dead within seconds, so its queues move quickly.
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
            siloBuilder.AddOutboxStreams(ProviderName, o =>
            {
                o.QueueCount = queueCount;
                o.BatchSize = 16; // small batches: several reads and checkpoints per test
                o.PubSubType = StreamPubSubType.ImplicitOnly;
            });
        }
    }

    /// <summary>Follows the receivers' start and stop log lines (test-only window on queue ownership).</summary>
    private sealed class ReceiverLog : ILoggerProvider, ILogger
    {
        private readonly ConcurrentDictionary<string, byte> running = new();

        public IReadOnlyCollection<string> Running => [.. running.Keys];

        public ILogger CreateLogger(string categoryName) =>
            categoryName == typeof(OutboxQueueReceiver).FullName ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values
                || values.FirstOrDefault(v => v.Key == "Consumer").Value is not string consumer)
            {
                return;
            }

            if (formatter(state, exception).Contains(" starts ", StringComparison.Ordinal))
            {
                running[consumer] = 0;
            }
            else
            {
                running.TryRemove(consumer, out _);
            }
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public void Dispose()
        {
        }
    }
}
