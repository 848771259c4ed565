using System.Collections.Concurrent;

namespace Provenance.Actors.Storage;

/// <summary>An in-process <see cref="IDistributedLock"/>: one semaphore per name. Share one instance between runtimes to simulate nodes.</summary>
public sealed class MemoryDistributedLock : IDistributedLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        var semaphore = Get(name);
        return Task.FromResult<IAsyncDisposable?>(semaphore.Wait(0, cancellationToken) ? new Releaser(semaphore) : null);
    }

    /// <inheritdoc/>
    public async Task<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        var semaphore = Get(name);
        await semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(semaphore);
    }

    private SemaphoreSlim Get(string name) => _locks.GetOrAdd(name, static _ => new SemaphoreSlim(1, 1));

    private sealed class Releaser(SemaphoreSlim semaphore) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
