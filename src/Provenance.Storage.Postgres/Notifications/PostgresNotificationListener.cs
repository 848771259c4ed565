using System.Collections.Concurrent;
using Npgsql;
using Provenance.Core.Storage;
using Provenance.Storage.Postgres.Schema;
using Provenance.Storage.Postgres.State;

namespace Provenance.Storage.Postgres.Notifications;

/// <summary>
/// One dedicated connection per node that LISTENs to the provider's channels, reconnecting after a failure. Feeds
/// <see cref="IStateChangeFeed"/> (ignoring this node's own writes) and wakes outbox readers per stream.
/// Started on first use.
/// </summary>
internal sealed class PostgresNotificationListener : IStateChangeFeed, IAsyncDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource dataSource;
    private readonly string nodeId;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> streamSignals = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<GrainStateKey>? stateChanged;
    private long outboxNotifications;
    private Task? loop;
    private int started;
    private int disposed;

    public PostgresNotificationListener(NpgsqlDataSource dataSource, string nodeId)
    {
        this.dataSource = dataSource;
        this.nodeId = nodeId;
    }

    /// <inheritdoc/>
    public event Action<GrainStateKey>? StateChangedElsewhere
    {
        add
        {
            stateChanged += value;
            EnsureStarted();
        }

        remove => stateChanged -= value;
    }

    /// <summary>Completes once the first LISTEN is in place (tests use it to avoid racing the first notification).</summary>
    public Task ListeningAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return listening.Task.WaitAsync(cancellationToken);
    }

    /// <summary>A task completed by the next notification for <paramref name="stream"/> (or by a reconnect).</summary>
    public Task NextEventSignal(string stream)
    {
        EnsureStarted();
        return streamSignals.GetOrAdd(stream, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    /// <summary>
    /// A counter that grows with every outbox notification (any stream) and every reconnect (when notifications may
    /// have been missed): a reader that sees it unchanged since its last read knows no event was announced since.
    /// </summary>
    public long OutboxNotificationCount()
    {
        EnsureStarted();
        return Interlocked.Read(ref outboxNotifications);
    }

    /// <summary>Stops listening. Idempotent (the DI container may dispose it as well as its owner).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        stopping.Dispose();
    }

    private void EnsureStarted()
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            loop = Task.Run(() => ListenLoopAsync(stopping.Token));
        }
    }

    private async Task ListenLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {SchemaNames.StateChannel}; LISTEN {SchemaNames.OutboxChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                listening.TrySetResult();

                // Notifications sent while we were not listening are lost: wake every reader to re-poll.
                WakeAllStreams();
                while (true)
                {
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Connection lost (or a subscriber threw inside the notification callback): the feed must survive,
                // so reconnect; waiters are woken to re-poll, and state subscribers re-read on their next write.
                WakeAllStreams();
                try
                {
                    await Task.Delay(ReconnectDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == SchemaNames.OutboxChannel)
        {
            Interlocked.Increment(ref outboxNotifications);
            Wake(e.Payload);
        }
        else if (e.Channel == SchemaNames.StateChannel
                 && StateChangeNotice.TryParse(e.Payload, out var writer, out var key)
                 && writer != nodeId)
        {
            stateChanged?.Invoke(key);
        }
    }

    private void Wake(string stream)
    {
        if (streamSignals.TryRemove(stream, out var signal))
        {
            signal.TrySetResult();
        }
    }

    private void WakeAllStreams()
    {
        Interlocked.Increment(ref outboxNotifications);
        foreach (var stream in streamSignals.Keys)
        {
            Wake(stream);
        }
    }
}
