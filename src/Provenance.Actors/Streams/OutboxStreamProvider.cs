using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Provenance.Actors.Storage;

namespace Provenance.Actors.Streams;

/// <summary><see cref="IStreamProvider"/> over the registered <see cref="IOutboxStore"/>.</summary>
internal sealed class OutboxStreamProvider(IServiceProvider services, IOptions<StreamOptions> options) : IStreamProvider, IAsyncDisposable, IDisposable
{
    private readonly ILogger _logger = (ILogger?)services.GetService<ILoggerFactory>()?.CreateLogger<OutboxStreamProvider>() ?? NullLogger.Instance;
    private readonly TimeProvider _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly HashSet<Subscription> _subscriptions = [];

    public async Task<IStreamSubscription> SubscribeAsync(string consumerName, string streamName, Func<OutboxRecord, CancellationToken, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerName);
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        ArgumentNullException.ThrowIfNull(handler);
        var store = services.GetService<IOutboxStore>() ?? throw new InvalidOperationException("No IOutboxStore is registered.");
        var checkpoint = await store.GetCheckpointAsync(consumerName, streamName, cancellationToken).ConfigureAwait(false);
        var subscription = new Subscription(this, store, consumerName, streamName, handler, checkpoint);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        subscription.Start();
        return subscription;
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        Subscription[] all;
        lock (_gate)
        {
            all = [.. _subscriptions];
        }

        foreach (var subscription in all)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private sealed class Subscription(
        OutboxStreamProvider provider, IOutboxStore store, string consumerName, string streamName, Func<OutboxRecord, CancellationToken, Task> handler, long checkpoint)
        : IStreamSubscription
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;
        private long _checkpoint = checkpoint;

        public string ConsumerName => consumerName;

        public string StreamName => streamName;

        public long Checkpoint => Interlocked.Read(ref _checkpoint);

        public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _stop.Dispose();
            provider.Remove(this);
        }

        private async Task RunAsync(CancellationToken cancellationToken)
        {
            var options = provider.Options;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var batch = await store.ReadAsync(streamName, Checkpoint, options.BatchSize, cancellationToken).ConfigureAwait(false);
                    if (batch.Count == 0)
                    {
                        await store.WaitForEventsAsync(streamName, options.MaxWait, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    foreach (var record in batch)
                    {
                        await handler(record, cancellationToken).ConfigureAwait(false);
                    }

                    await store.SaveCheckpointAsync(consumerName, streamName, batch[^1].Position, cancellationToken).ConfigureAwait(false);
                    Interlocked.Exchange(ref _checkpoint, batch[^1].Position);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    provider._logger.LogWarning(exception, "Stream consumer {Consumer} on {Stream} failed after position {Checkpoint}; retrying", consumerName, streamName, Checkpoint);
                    try
                    {
                        await Task.Delay(options.RetryDelay, provider._time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }
    }

    private StreamOptions Options => options.Value;
}
