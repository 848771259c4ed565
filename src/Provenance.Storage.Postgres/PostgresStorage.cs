using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Index;
using Provenance.Storage.Postgres.Log;
using Provenance.Storage.Postgres.Notifications;
using Provenance.Storage.Postgres.Outbox;
using Provenance.Storage.Postgres.Schema;
using Provenance.Storage.Postgres.State;

namespace Provenance.Storage.Postgres;

/// <summary>
/// The project's storage ports on one PostgreSQL database shared by every node: grain state (group
/// commit, optimistic versions), the Merkle log, the outbox, the secondary index and the
/// cross-node state-change feed (LISTEN/NOTIFY). Owns its data source and background loops; dispose it last.
/// </summary>
public sealed class PostgresStorage : IAsyncDisposable
{
    private readonly PostgresGrainStorage grainStorage;
    private readonly PostgresNotificationListener notifications;
    private int disposed;

    private PostgresStorage(NpgsqlDataSource dataSource, PostgresStorageOptions options)
    {
        DataSource = dataSource;
        Options = options;
        notifications = new PostgresNotificationListener(dataSource, options.NodeId);
        grainStorage = new PostgresGrainStorage(dataSource, options);
        OutboxStore = new PostgresOutboxStore(dataSource, notifications);
        var index = new PostgresGrainIndex(dataSource);
        Index = index;
        IndexSequencer = index;
        Log = new PostgresLogStore(dataSource);
    }

    /// <summary>The data source every component uses.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The options the storage was opened with.</summary>
    public PostgresStorageOptions Options { get; }

    /// <summary>Grain state with durable effects.</summary>
    public IDurableStateStore GrainStorage => grainStorage;

    /// <summary>Other nodes' state changes.</summary>
    public IStateChangeFeed StateChanges => notifications;

    /// <summary>The durable outbox and consumer checkpoints.</summary>
    public IOutboxStore Outbox => OutboxStore;

    /// <summary>The outbox with its numbering pass (for the Orleans stream receivers).</summary>
    internal PostgresOutboxStore OutboxStore { get; }

    /// <summary>The LISTEN connection (outbox wake-ups for the Orleans stream receivers).</summary>
    internal PostgresNotificationListener Notifications => notifications;

    /// <summary>The secondary index.</summary>
    public IGrainIndex Index { get; }

    /// <summary>The secondary index's numbering pass (write side: the log sequencer grain runs it).</summary>
    public IIndexSequencer IndexSequencer { get; }

    /// <summary>The Merkle log.</summary>
    public ILogStore Log { get; }

    /// <summary>
    /// Opens the storage on <paramref name="connectionString"/>, applying the schema migrations first unless
    /// <see cref="PostgresStorageOptions.ApplyMigrations"/> is off.
    /// </summary>
    /// <exception cref="NpgsqlException">The database cannot be reached or a migration failed.</exception>
    public static async Task<PostgresStorage> OpenAsync(string connectionString, PostgresStorageOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new PostgresStorageOptions();
        var dataSource = CreateDataSource(connectionString);
        try
        {
            if (options.ApplyMigrations)
            {
                await SchemaMigrator.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
            }

            return new PostgresStorage(dataSource, options);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the group-commit writers (after committing what is queued) and the listener, then closes the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await grainStorage.DisposeAsync().ConfigureAwait(false);
        await notifications.DisposeAsync().ConfigureAwait(false);
        await DataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A data source tuned for the provider: automatic statement preparation, a pool sized for group commit.</summary>
    internal static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }

        settings.ApplicationName ??= "provenance";
        return builder.Build();
    }

    /// <summary>Waits until the notification listener is connected (for tests that must not miss the first NOTIFY).</summary>
    internal Task ListeningAsync(CancellationToken cancellationToken) => notifications.ListeningAsync(cancellationToken);
}
