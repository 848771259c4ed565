using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Provenance.Core.Storage;
using Provenance.Core;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Epochs;
using Provenance.Core.Merkle;
using Provenance.Core.Signing;
using Provenance.Grains.Epochs;
using Provenance.Timestamping;

namespace Provenance.Grains.Log;

/// <summary>
/// <see cref="ILogProofs"/>: plans proofs with Core's <see cref="ProofPlanner"/>, fetches the planned perfect-subtree
/// nodes from the log store in one query and folds them with <see cref="ProofNodes.Rehash"/> (RFC 9162 section 2.1.3
/// and 2.1.4); epochs come from the epoch grains. Verifications take the latest epoch from this node's
/// <see cref="LatestEpochCache"/> when it covers the leaf, and from the anchor otherwise.
/// </summary>
internal sealed class LogProofs(IGrainFactory grains, ILogStore log, ILogSigner signer, ITimestampAuthorities authorities, LatestEpochCache latestEpoch) : ILogProofs
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;
    private static readonly object NoKeyRing = new();

    // Passed checkpoint and timestamp checks by exact bytes: every verify of an asset in the same epoch re-checks the same
    // checkpoint JWS and TSA tokens, whose outcome cannot change while the log key ring and the TSA's anchors stay the same.
    private readonly VerifiedResultCache passedCheckpoints = new();
    private readonly VerifiedResultCache passedTimestamps = new();

    // Stored tree nodes are immutable (each is the hash of one complete perfect subtree), and so is a log entry once
    // sequenced, so proofs reuse what earlier proofs read instead of asking the database again.
    private const int MaxCachedNodes = 200_000;
    private const int MaxCachedEntries = 100_000;
    private readonly BoundedMemo<TreeNodeId, byte[]> nodeCache = new(MaxCachedNodes);
    private readonly BoundedMemo<string, LogEntry> sequencedEntries = new(MaxCachedEntries, StringComparer.Ordinal);

    // An inclusion path is a function of (leaf index, tree size) over those immutable nodes, so verifications of the same
    // leaf against the same epoch reuse it; the check that it leads to the epoch's root still runs every time.
    private const int MaxCachedPaths = 20_000;
    private readonly BoundedMemo<(long Index, long Size), byte[][]> inclusionPaths = new(MaxCachedPaths);

    // What every verification against the same epoch derives from it; the latest-epoch snapshot hands out one EpochDto
    // object per epoch, so its facts are computed once.
    private EpochFacts? lastFacts;

    /// <inheritdoc/>
    public async Task<InclusionProofDto> GetInclusionProofAsync(string assetId, long revision, long? epoch, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(assetId);
        var sourceKey = StorageNames.LogSourceKey(assetId, revision);
        var entry = await log.FindBySourceAsync(sourceKey, cancellationToken)
            ?? throw new NotFoundException("log entry", sourceKey);
        if (entry.Index is not { } index)
        {
            throw new NotAnchoredException(sourceKey, "it is not sequenced yet.");
        }

        var target = await CoveringEpochAsync(sourceKey, index, epoch);
        var proof = await InclusionPathAsync(index, target.Checkpoint.TreeSize, cancellationToken);
        return new InclusionProofDto(assetId, target.Epoch, index, target.Checkpoint.TreeSize,
            Convert.ToBase64String(Hasher.HashLeaf(entry.LeafInput)), [.. proof.Select(Convert.ToBase64String)], target.Checkpoint.RootHash);
    }

    /// <inheritdoc/>
    public async Task<ConsistencyProofDto> GetConsistencyProofAsync(long fromEpoch, long toEpoch, CancellationToken cancellationToken)
    {
        if (fromEpoch > toEpoch)
        {
            throw new ValidationFailedException($"'from' ({fromEpoch}) must not be after 'to' ({toEpoch}).", "from");
        }

        var first = await EpochAsync(fromEpoch);
        var second = await EpochAsync(toEpoch);
        long size1 = first.Checkpoint.TreeSize, size2 = second.Checkpoint.TreeSize;
        if (size1 == 0)
        {
            throw new ValidationFailedException($"Epoch {fromEpoch} covers an empty log; RFC 9162 defines consistency proofs only from a non-empty tree (every tree extends the empty one).", "from");
        }

        var plan = ProofPlanner.Consistency(size1, size2);
        var hashes = await FetchAsync(plan, cancellationToken);
        var proof = plan.Rehash(Hasher, hashes);
        return new ConsistencyProofDto(fromEpoch, toEpoch, size1, size2, first.Checkpoint.RootHash, second.Checkpoint.RootHash, [.. proof.Select(Convert.ToBase64String)]);
    }

    /// <inheritdoc/>
    public async Task<LogVerification> VerifyAsync(string assetId, long revision, ReadOnlyMemory<byte> manifestHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(assetId);
        var sourceKey = StorageNames.LogSourceKey(assetId, revision);
        var entry = await FindEntryAsync(sourceKey, cancellationToken);
        if (entry is null)
        {
            return Only(new CheckDto(Checks.Inclusion, CheckOutcome.Fail, $"The log has no entry for '{sourceKey}'."));
        }

        if (!entry.LeafInput.AsSpan().SequenceEqual(manifestHash.Span))
        {
            return Only(new CheckDto(Checks.Inclusion, CheckOutcome.Fail, $"The log entry of '{sourceKey}' holds another manifest hash than the one verified."));
        }

        if (entry.Index is not { } index)
        {
            return Only(new CheckDto(Checks.Inclusion, CheckOutcome.Pending, "Accepted by the log, not yet sequenced."));
        }

        var latest = await LatestEpochCoveringAsync(index);
        if (latest is null || latest.Checkpoint.TreeSize <= index)
        {
            return Only(new CheckDto(Checks.Inclusion, CheckOutcome.Pending, $"Leaf {index} of the log is not in an epoch yet."));
        }

        var facts = FactsOf(latest);
        var checks = new List<CheckDto>();
        var leafHash = Hasher.HashLeaf(manifestHash.Span);
        var path = await InclusionPathAsync(index, latest.Checkpoint.TreeSize, cancellationToken);
        var inclusion = new InclusionProofDto(assetId, latest.Epoch, index, latest.Checkpoint.TreeSize, Convert.ToBase64String(leafHash),
            [.. path.Select(Convert.ToBase64String)], latest.Checkpoint.RootHash);
        checks.Add(Check(Checks.Inclusion, () =>
        {
            MerkleVerifier.VerifyInclusion(Hasher, index, latest.Checkpoint.TreeSize, leafHash, path, facts.RootHash ?? Convert.FromBase64String(latest.Checkpoint.RootHash));
            return string.Create(CultureInfo.InvariantCulture, $"Leaf {index} of {latest.Checkpoint.TreeSize} in epoch {latest.Epoch}: the RFC 9162 inclusion proof leads to the epoch's root.");
        }));
        var ring = signer.KeyRing;
        checks.Add(Check(Checks.Checkpoint, () => passedCheckpoints.GetOrVerify(ring, facts.CheckpointKey, () => VerifyCheckpoint(latest, ring))));
        foreach (var stamp in latest.Timestamps)
        {
            checks.Add(VerifyTimestamp(stamp, facts.Imprint));
        }

        return new LogVerification(checks, inclusion, latest);
    }

    /// <summary>
    /// The latest epoch for a leaf at <paramref name="index"/>: the node's final-epoch snapshot when it covers the leaf,
    /// else the anchor's answer (offered to the snapshot).
    /// </summary>
    private async Task<EpochDto?> LatestEpochCoveringAsync(long index)
    {
        if (latestEpoch.Get() is { } kept && kept.Checkpoint.TreeSize > index)
        {
            return kept;
        }

        var version = latestEpoch.Version;
        var latest = (await grains.GetAnchor().ListEpochsAsync(1, null)).FirstOrDefault();
        if (latest is not null)
        {
            latestEpoch.Offer(version, latest);
        }

        return latest;
    }

    private EpochFacts FactsOf(EpochDto epoch)
    {
        var facts = Volatile.Read(ref lastFacts);
        if (facts is null || !ReferenceEquals(facts.Epoch, epoch))
        {
            facts = new EpochFacts(epoch, RootHashOrNull(epoch.Checkpoint.RootHash), SHA256.HashData(Encoding.UTF8.GetBytes(epoch.Checkpoint.Text)), CheckpointKey(epoch));
            Volatile.Write(ref lastFacts, facts);
        }

        return facts;
    }

    /// <summary>The decoded root, or null when it is not base64 (the inclusion check then fails with the decoding error).</summary>
    private static byte[]? RootHashOrNull(string rootHash)
    {
        var buffer = new byte[rootHash.Length];
        return Convert.TryFromBase64String(rootHash, buffer, out var written) ? buffer[..written] : null;
    }

    private static string CheckpointKey(EpochDto epoch) =>
        string.Create(CultureInfo.InvariantCulture, $"checkpoint\n{epoch.Epoch}\n{epoch.Checkpoint.TreeSize}\n{epoch.Checkpoint.RootHash}\n{epoch.Checkpoint.Jws}\n{epoch.Checkpoint.Text}");

    private static string VerifyCheckpoint(EpochDto epoch, KeyRing ring)
    {
        var verified = Es256Jws.Verify(epoch.Checkpoint.Jws, ring);
        if (verified.Type != Labels.CheckpointJwsType)
        {
            throw new MalformedCheckpointException($"The JWS type is '{verified.Type}', not '{Labels.CheckpointJwsType}'.");
        }

        var text = Encoding.UTF8.GetString(verified.Payload.Span);
        if (text != epoch.Checkpoint.Text)
        {
            throw new MalformedCheckpointException("The signed payload differs from the stored checkpoint text.");
        }

        var checkpoint = Checkpoint.Parse(text);
        if (checkpoint.TreeSize != epoch.Checkpoint.TreeSize || Convert.ToBase64String(checkpoint.RootHash) != epoch.Checkpoint.RootHash || checkpoint.Epoch != epoch.Epoch)
        {
            throw new MalformedCheckpointException("The signed checkpoint states another epoch, size or root.");
        }

        return $"Checkpoint of epoch {epoch.Epoch} signed by log key {verified.Kid}.";
    }

    private CheckDto VerifyTimestamp(EpochTimestampDto stamp, byte[] imprint)
    {
        var name = Checks.TimestampPrefix + stamp.Tsa;
        if (stamp.State != TimestampState.Granted || stamp.TokenBase64 is null)
        {
            return new CheckDto(name, CheckOutcome.Pending, string.Create(CultureInfo.InvariantCulture,
                $"Not granted yet after {stamp.Attempts} attempt(s){(stamp.LastError is null ? "" : ": " + stamp.LastError)}; next attempt {stamp.NextAttemptAt:O}."));
        }

        var tsa = authorities.Authorities.FirstOrDefault(a => a.Name == stamp.Tsa);
        if (tsa is null)
        {
            return new CheckDto(name, CheckOutcome.NotApplicable, $"TSA '{stamp.Tsa}' is not configured here, so its trust anchors are unknown.");
        }

        return Check(name, () =>
        {
            // The verifier checks the chain at the token's genTime, so the outcome depends only on these inputs.
            var anchors = tsa.ResolveTrustAnchors();
            var key = $"timestamp\n{stamp.Tsa}\n{tsa.PolicyOid}\n{string.Join(',', anchors.Select(a => a.Thumbprint))}\n{Convert.ToHexString(imprint)}\n{stamp.TokenBase64}";
            return passedTimestamps.GetOrVerify(NoKeyRing, key, () =>
            {
                var token = Rfc3161TokenVerifier.Verify(Convert.FromBase64String(stamp.TokenBase64), imprint, anchors, tsa.PolicyOid);
                return $"RFC 3161 token of '{token.TsaName}' over the checkpoint's SHA-256, genTime {token.GenTime:O}.";
            });
        });
    }

    private static CheckDto Check(string name, Func<string> check)
    {
        try
        {
            return new CheckDto(name, CheckOutcome.Pass, check());
        }
        catch (ProvenanceException e)
        {
            return new CheckDto(name, CheckOutcome.Fail, e.Message);
        }
        catch (FormatException e)
        {
            return new CheckDto(name, CheckOutcome.Fail, e.Message);
        }
    }

    private static LogVerification Only(CheckDto check) => new([check], null, null);

    /// <summary>What the checks derive from one epoch: its root (null when malformed), the SHA-256 of its checkpoint text (the timestamp imprint) and its checkpoint cache key.</summary>
    private sealed record EpochFacts(EpochDto Epoch, byte[]? RootHash, byte[] Imprint, string CheckpointKey);

    private async Task<EpochDto> CoveringEpochAsync(string sourceKey, long index, long? epoch)
    {
        if (epoch is { } n)
        {
            var requested = await EpochAsync(n);
            return requested.Checkpoint.TreeSize > index
                ? requested
                : throw new NotAnchoredException(sourceKey, string.Create(CultureInfo.InvariantCulture, $"epoch {n} covers leaves [0, {requested.Checkpoint.TreeSize}), the entry is leaf {index}."));
        }

        var latest = (await grains.GetAnchor().ListEpochsAsync(1, null)).FirstOrDefault();
        return latest is not null && latest.Checkpoint.TreeSize > index
            ? latest
            : throw new NotAnchoredException(sourceKey, string.Create(CultureInfo.InvariantCulture, $"leaf {index} is after the latest epoch."));
    }

    private async Task<EpochDto> EpochAsync(long epoch) =>
        epoch >= 1 && await grains.GetEpoch(epoch).FindAsync() is { } found
            ? found
            : throw new NotFoundException("epoch", epoch.ToString(CultureInfo.InvariantCulture));

    /// <summary>The RFC 9162 inclusion path of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves (shared: do not change it).</summary>
    private async ValueTask<byte[][]> InclusionPathAsync(long index, long size, CancellationToken cancellationToken)
    {
        if (inclusionPaths.TryGet((index, size), out var cached))
        {
            return cached;
        }

        var plan = ProofPlanner.Inclusion(index, size);
        return inclusionPaths.Remember((index, size), plan.Rehash(Hasher, await FetchAsync(plan, cancellationToken)));
    }

    private async Task<LogEntry?> FindEntryAsync(string sourceKey, CancellationToken cancellationToken)
    {
        if (sequencedEntries.TryGet(sourceKey, out var cached))
        {
            return cached;
        }

        var entry = await log.FindBySourceAsync(sourceKey, cancellationToken);
        if (entry?.Index is not null)
        {
            sequencedEntries.Remember(sourceKey, entry);
        }

        return entry;
    }

    private async Task<IReadOnlyList<byte[]>> FetchAsync(ProofNodes plan, CancellationToken cancellationToken)
    {
        var ids = plan.Ids.Select(id => new TreeNodeId(id.Level, id.Index)).ToList();
        var hashes = new byte[ids.Count][];
        var missing = new List<TreeNodeId>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (nodeCache.TryGet(ids[i], out var hash))
            {
                hashes[i] = hash;
            }
            else
            {
                missing.Add(ids[i]);
            }
        }

        if (missing.Count > 0)
        {
            var nodes = await log.GetNodesAsync(missing, cancellationToken);
            for (var i = 0; i < ids.Count; i++)
            {
                if (hashes[i] is null)
                {
                    hashes[i] = nodes.TryGetValue(ids[i], out var hash)
                        ? nodeCache.Remember(ids[i], hash)
                        : throw new InvalidOperationException($"The log store lacks tree node ({ids[i].Level}, {ids[i].Index}) that a proof within the sequenced log needs.");
                }
            }
        }

        return hashes;
    }

    /// <summary>Check names of POST /v1/verify that the log answers for.</summary>
    internal static class Checks
    {
        public const string Inclusion = "inclusion";
        public const string Checkpoint = "checkpoint";
        public const string TimestampPrefix = "timestamp:";
    }
}
