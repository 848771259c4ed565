namespace Provenance.Core.Storage;

/// <summary>
/// A lock held by at most one node of the deployment at a time (PostgreSQL advisory lock; a
/// semaphore in memory). Used for single-writer work: sequencing the log, sealing an epoch.
/// The lock is released when the handle is disposed or when the holder's connection dies.
/// </summary>
public interface IDistributedLock
{
    /// <summary>Tries to take the named lock without waiting; <see langword="null"/> when another holder has it.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken);

    /// <summary>Takes the named lock, waiting for it.</summary>
    Task<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Raised by storage when another node changed a grain state, so this node's copy is stale.</summary>
public interface IStateChangeFeed
{
    /// <summary>Raised with the key of a state that another node wrote or cleared.</summary>
    event Action<GrainStateKey>? StateChangedElsewhere;
}
