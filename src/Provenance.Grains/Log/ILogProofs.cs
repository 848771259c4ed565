using Provenance.Core.Contracts;

namespace Provenance.Grains.Log;

/// <summary>
/// RFC 9162 proofs served from the log's stored tree nodes (no tree recomputation), and the log-side checks of
/// POST /v1/verify. Plain data, hashes base64 (standard alphabet, padded). Thread-safe singleton service.
/// </summary>
public interface ILogProofs
{
    /// <summary>
    /// Inclusion proof of the log leaf of revision <paramref name="revision"/> of asset <paramref name="assetId"/>
    /// (source key <c>"{assetId}@{revision}"</c>, leaf input = the 32-byte manifest hash) into epoch
    /// <paramref name="epoch"/>, or, when null, into the latest epoch (every epoch after the leaf's covers it).
    /// </summary>
    /// <exception cref="Core.Assets.NotFoundException">No such log entry, or no such epoch.</exception>
    /// <exception cref="Core.Epochs.NotAnchoredException">The entry is not (yet) covered by the requested or any epoch.</exception>
    Task<InclusionProofDto> GetInclusionProofAsync(string assetId, long revision, long? epoch, CancellationToken cancellationToken);

    /// <summary>
    /// Consistency proof between epochs <paramref name="fromEpoch"/> and <paramref name="toEpoch"/>
    /// (requires <c>fromEpoch ≤ toEpoch</c>; equal sizes give an empty proof; a first tree of size 0 is consistent with
    /// any tree and also gives an empty proof).
    /// </summary>
    /// <exception cref="Core.Assets.NotFoundException">An epoch is not sealed.</exception>
    /// <exception cref="Core.Assets.ValidationFailedException"><paramref name="fromEpoch"/> &gt; <paramref name="toEpoch"/>.</exception>
    Task<ConsistencyProofDto> GetConsistencyProofAsync(long fromEpoch, long toEpoch, CancellationToken cancellationToken);

    /// <summary>
    /// The log-side checks of a verification: <c>inclusion</c> (the manifest hash is the leaf of the asset's log entry
    /// and its inclusion proof leads to the epoch's root), <c>checkpoint</c> (the epoch's checkpoint JWS verifies with the
    /// log key ring over exactly its text, and the text states that size and root) and one <c>timestamp:&lt;tsa&gt;</c> per
    /// TSA of the epoch (the stored token verifies against the SHA-256 of the checkpoint text and the TSA's trust
    /// anchors). Not yet sequenced or not yet in an epoch gives <see cref="CheckOutcome.Pending"/>; never throws for a
    /// failed check.
    /// </summary>
    /// <param name="assetId">The asset.</param>
    /// <param name="revision">Its manifest revision (log source key <c>"{assetId}@{revision}"</c>).</param>
    /// <param name="manifestHash">The 32-byte SHA-256 of the canonical manifest being verified.</param>
    /// <param name="cancellationToken">Cancels storage reads.</param>
    Task<LogVerification> VerifyAsync(string assetId, long revision, ReadOnlyMemory<byte> manifestHash, CancellationToken cancellationToken);
}

/// <summary>The log-side checks and the evidence they used (for the evidence bundle).</summary>
/// <param name="Checks">inclusion, checkpoint, timestamp:&lt;tsa&gt;…</param>
/// <param name="Inclusion">The inclusion proof checked, when the entry is in an epoch.</param>
/// <param name="Epoch">The epoch checked against, when any.</param>
public sealed record LogVerification(IReadOnlyList<CheckDto> Checks, InclusionProofDto? Inclusion, EpochDto? Epoch);
