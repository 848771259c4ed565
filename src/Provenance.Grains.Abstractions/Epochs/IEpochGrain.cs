using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Epochs;

/// <summary>
/// One epoch (key: the epoch number, from 1): a signed checkpoint of the log (docs/epochs.md) plus one RFC 3161
/// token per configured TSA. Status <c>sealed</c> → <c>timestamp-pending</c> (a TSA failed; retried with backoff by
/// a durable reminder, never dropped) → <c>timestamped</c> (every TSA granted). Normally sealed by
/// <see cref="IAnchorGrain"/>, which holds the deployment-wide seal lock; the checkpoint itself is written
/// create-only, so two writers can never both seal the same epoch number.
/// </summary>
public interface IEpochGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Seals this epoch: builds the checkpoint text (origin, tree size, root, <c>epoch</c>, <c>previous</c>,
    /// <c>sealed</c>), signs it with the active log key (ES256 compact JWS over exactly the text's UTF-8 bytes), stores
    /// it create-only with an <c>epoch.sealed</c> outbox event, and schedules the timestamp requests (durable reminder).
    /// Does not call the TSAs: call <see cref="RequestTimestampsAsync"/> next (the anchor does, after releasing its lock).
    /// Idempotent: sealing again with the same tree size and root returns the stored epoch.
    /// </summary>
    /// <exception cref="ArgumentException">The request is inconsistent with this grain (epoch 1 with a previous root, a later epoch without one, negative size, root not 32 bytes).</exception>
    /// <exception cref="Core.Epochs.EpochConflictException">The epoch is already sealed over another tree size or root.</exception>
    /// <exception cref="Core.Signing.NoActiveKeyException">The log key ring has no active key.</exception>
    Task<EpochDto> SealAsync(SealRequest request);

    /// <summary>
    /// Requests a token from every TSA whose timestamp is still pending and due (all pending ones right after sealing),
    /// in parallel, each bounded by its TSA's timeout, and records grants and failures (a failure schedules the next
    /// attempt with exponential backoff). Never throws for a TSA failure. Returns the updated epoch.
    /// </summary>
    /// <exception cref="Core.Assets.NotFoundException">The epoch is not sealed.</exception>
    Task<EpochDto> RequestTimestampsAsync();

    /// <summary>The epoch.</summary>
    /// <exception cref="Core.Assets.NotFoundException">The epoch is not sealed.</exception>
    Task<EpochDto> GetAsync();

    /// <summary>The epoch, or <see langword="null"/> when it is not sealed (for probing).</summary>
    Task<EpochDto?> FindAsync();
}

/// <summary>What an epoch seals: the log's head at sealing and the previous epoch's root.</summary>
/// <param name="TreeSize">Sequenced log size covered (≥ 0).</param>
/// <param name="RootHash">RFC 9162 root of the first <paramref name="TreeSize"/> leaves (32 bytes).</param>
/// <param name="PreviousTreeSize">Tree size of the previous epoch (0 for epoch 1); <c>Entries</c> is the difference.</param>
/// <param name="PreviousRootHash">Root of the previous epoch; <see langword="null"/> exactly for epoch 1.</param>
[GenerateSerializer, Immutable, Alias("provenance.SealRequest")]
public sealed record SealRequest(long TreeSize, byte[] RootHash, long PreviousTreeSize, byte[]? PreviousRootHash);
