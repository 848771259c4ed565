using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Provenance.Core.Contracts;
using Provenance.Core.Epochs;
using Provenance.Core.Hashing;
using Provenance.Core.Json;
using Provenance.Core.Merkle;

namespace Provenance.Core.Evidence;

/// <summary>
/// Re-checks an evidence bundle offline (docs/evidence-bundle.md): content hash, manifest canonical form and
/// hash, manifest signature and key id, lineage, inclusion proof against the checkpoint root, checkpoint
/// signature, each timestamp's imprint and token. Every check is reported by name; none stops the others.
/// </summary>
/// <param name="timestampVerifier">Verifies RFC 3161 tokens; without one, <c>timestamp:&lt;tsa&gt;</c> checks are pending.</param>
public sealed class EvidenceVerifier(ITimestampTokenVerifier? timestampVerifier)
{
    /// <summary>Check names, stable for scripts and tests.</summary>
    public static class CheckNames
    {
        public const string ContentHash = "content-hash";
        public const string ManifestCanonical = "manifest-canonical";
        public const string ManifestHash = "manifest-hash";
        public const string Signature = "signature";
        public const string Lineage = "lineage";
        public const string Inclusion = "inclusion";
        public const string Checkpoint = "checkpoint";
        public const string BundleIndex = "bundle-index";

        /// <summary>Name of the imprint check of one TSA's token.</summary>
        public static string TimestampImprint(string tsa) => $"timestamp-imprint:{tsa}";

        /// <summary>Name of the token check of one TSA; <c>timestamp</c> alone when there is no token yet.</summary>
        public static string Timestamp(string tsa) => $"timestamp:{tsa}";
    }

    /// <summary>Verdicts, as in <see cref="VerifyResultDto.Verdict"/>.</summary>
    public static class Verdicts
    {
        public const string Verified = "verified";
        public const string PartiallyVerified = "partially-verified";
        public const string Failed = "failed";
    }

    /// <summary>Runs every check; <paramref name="originalFile"/>, when given, is hashed streaming for the content-hash check.</summary>
    public async Task<VerifyResultDto> VerifyAsync(EvidenceBundleFile file, Stream? originalFile = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var bundle = file.Bundle;
        var manifest = ManifestFacts.Read(bundle.ManifestCanonical);
        var checks = new List<CheckDto>();

        if (originalFile is null)
        {
            checks.Add(new(CheckNames.ContentHash, CheckOutcome.NotApplicable, "No original file given; pass it to compare its hash with the manifest."));
        }
        else
        {
            var actual = (await ContentHash.ComputeAsync(originalFile, cancellationToken).ConfigureAwait(false)).ToString();
            checks.Add(actual == manifest.ContentHash
                ? new(CheckNames.ContentHash, CheckOutcome.Pass, $"The file hashes to {actual}, as the manifest says.")
                : new(CheckNames.ContentHash, CheckOutcome.Fail, $"The file hashes to {actual} but the manifest says {manifest.ContentHash ?? "nothing"}."));
        }

        checks.Add(CheckCanonical(bundle));
        var manifestHash = ContentHash.Compute(bundle.ManifestCanonical);
        checks.Add(CheckManifestHash(bundle, manifest, manifestHash.ToString()));
        checks.Add(CheckSignature(bundle));
        checks.Add(CheckLineage(bundle, manifest));
        var checkpoint = CheckCheckpoint(bundle, out var parsed);
        checks.Add(CheckInclusion(bundle, manifestHash, parsed));
        checks.Add(checkpoint);
        checks.AddRange(CheckTimestamps(bundle));
        checks.Add(CheckIndex(file));

        var verdict = checks.Any(c => c.Outcome == CheckOutcome.Fail) ? Verdicts.Failed
            : checks.Any(c => c.Outcome == CheckOutcome.Pending) ? Verdicts.PartiallyVerified
            : Verdicts.Verified;
        return new VerifyResultDto(verdict, bundle.AssetId, manifest.ContentHash, checks, null);
    }

    private static CheckDto CheckCanonical(EvidenceBundle bundle)
    {
        try
        {
            return Jcs.Canonicalize(bundle.ManifestCanonical).AsSpan().SequenceEqual(bundle.ManifestCanonical)
                ? new(CheckNames.ManifestCanonical, CheckOutcome.Pass, "manifest.json is in RFC 8785 canonical form.")
                : new(CheckNames.ManifestCanonical, CheckOutcome.Fail, "manifest.json is not in RFC 8785 canonical form: it was edited after signing.");
        }
        catch (Exception e) when (e is JcsException or JsonException)
        {
            return new(CheckNames.ManifestCanonical, CheckOutcome.Fail, $"manifest.json is not valid JSON: {e.Message}");
        }
    }

    private static CheckDto CheckManifestHash(EvidenceBundle bundle, ManifestFacts manifest, string manifestHash)
    {
        var subject = bundle.Lineage.Nodes.FirstOrDefault(n => n.AssetId == bundle.AssetId);
        if (subject?.ManifestHash is null)
        {
            return new(CheckNames.ManifestHash, CheckOutcome.Fail, $"lineage.json gives no manifest hash for asset {bundle.AssetId}.");
        }

        if (manifest.AssetId is not null && manifest.AssetId != bundle.AssetId)
        {
            return new(CheckNames.ManifestHash, CheckOutcome.Fail, $"The manifest is for asset {manifest.AssetId}, not {bundle.AssetId}.");
        }

        return subject.ManifestHash == manifestHash
            ? new(CheckNames.ManifestHash, CheckOutcome.Pass, $"The manifest hashes to {manifestHash}.")
            : new(CheckNames.ManifestHash, CheckOutcome.Fail, $"The manifest hashes to {manifestHash} but the asset's recorded manifest hash is {subject.ManifestHash}.");
    }

    private static CheckDto CheckSignature(EvidenceBundle bundle)
    {
        try
        {
            var key = EvidenceKeys.ImportPem(bundle.SignerKeyPem);
            var verified = EvidenceKeys.VerifyJws(bundle.ManifestJws, bundle.ManifestCanonical, key);
            return verified.Kid == key.Kid
                ? new(CheckNames.Signature, CheckOutcome.Pass, $"ES256 signature valid; signed by key {key.Kid}.")
                : new(CheckNames.Signature, CheckOutcome.Fail, $"The signature names no key id; it must name the included key's thumbprint {key.Kid}.");
        }
        catch (ProvenanceException e)
        {
            return new(CheckNames.Signature, CheckOutcome.Fail, e.Message);
        }
    }

    private static CheckDto CheckLineage(EvidenceBundle bundle, ManifestFacts manifest)
    {
        var nodes = new Dictionary<string, EvidenceLineageNode>(StringComparer.Ordinal);
        foreach (var node in bundle.Lineage.Nodes)
        {
            if (!nodes.TryAdd(node.AssetId, node))
            {
                return new(CheckNames.Lineage, CheckOutcome.Fail, $"Asset {node.AssetId} appears twice in lineage.json.");
            }
        }

        if (bundle.Lineage.AssetId != bundle.AssetId || !nodes.TryGetValue(bundle.AssetId, out var subject))
        {
            return new(CheckNames.Lineage, CheckOutcome.Fail, $"lineage.json does not start from asset {bundle.AssetId}.");
        }

        if (manifest.ContentHash is not null && subject.ContentHash != manifest.ContentHash)
        {
            return new(CheckNames.Lineage, CheckOutcome.Fail, $"lineage.json gives content hash {subject.ContentHash} but the manifest says {manifest.ContentHash}.");
        }

        if (manifest.Parents is not null)
        {
            var claimed = manifest.Parents.Order(StringComparer.Ordinal);
            var linked = subject.Parents.Select(p => p.AssetId).Order(StringComparer.Ordinal);
            if (!claimed.SequenceEqual(linked))
            {
                return new(CheckNames.Lineage, CheckOutcome.Fail, $"The manifest names parents [{string.Join(", ", manifest.Parents)}] but lineage.json links [{string.Join(", ", subject.Parents.Select(p => p.AssetId))}].");
            }
        }

        foreach (var node in nodes.Values)
        {
            var missing = node.Parents.FirstOrDefault(p => !nodes.ContainsKey(p.AssetId));
            if (missing is not null)
            {
                return new(CheckNames.Lineage, CheckOutcome.Fail, $"Parent {missing.AssetId} of {node.AssetId} is missing from lineage.json.");
            }
        }

        // Depth-first walk from the subject: a grey node met again is a cycle.
        var state = new Dictionary<string, bool>(StringComparer.Ordinal);
        var roots = new SortedSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(string Id, bool Exit)>([(bundle.AssetId, false)]);
        while (stack.Count > 0)
        {
            var (id, exit) = stack.Pop();
            if (exit)
            {
                state[id] = true;
                continue;
            }

            if (state.TryGetValue(id, out var done))
            {
                if (!done)
                {
                    return new(CheckNames.Lineage, CheckOutcome.Fail, $"lineage.json has a cycle through {id}.");
                }

                continue;
            }

            state[id] = false;
            stack.Push((id, true));
            var node = nodes[id];
            if (node.Parents.Count == 0)
            {
                roots.Add(id);
            }

            foreach (var parent in node.Parents)
            {
                if (state.TryGetValue(parent.AssetId, out var parentDone) && !parentDone)
                {
                    return new(CheckNames.Lineage, CheckOutcome.Fail, $"lineage.json has a cycle through {parent.AssetId}.");
                }

                stack.Push((parent.AssetId, false));
            }
        }

        return new(CheckNames.Lineage, CheckOutcome.Pass, $"{state.Count} asset(s) link without a cycle to root(s) {string.Join(", ", roots)}.");
    }

    private static CheckDto CheckCheckpoint(EvidenceBundle bundle, out Checkpoint? parsed)
    {
        parsed = null;
        if (bundle.Checkpoint is not { } checkpoint)
        {
            return new(CheckNames.Checkpoint, CheckOutcome.Pending, "The asset is in no sealed epoch yet.");
        }

        try
        {
            parsed = Checkpoint.Parse(new UTF8Encoding(false, true).GetString(checkpoint.Text));
        }
        catch (Exception e) when (e is MalformedCheckpointException or DecoderFallbackException)
        {
            return new(CheckNames.Checkpoint, CheckOutcome.Fail, $"checkpoint.txt is malformed: {e.Message}");
        }

        try
        {
            var key = EvidenceKeys.ImportPem(checkpoint.LogKeyPem);
            EvidenceKeys.VerifyJws(checkpoint.Jws, checkpoint.Text, key);
            return new(CheckNames.Checkpoint, CheckOutcome.Pass, $"Checkpoint of {parsed.Origin} at size {parsed.TreeSize} signed by log key {key.Kid}.");
        }
        catch (ProvenanceException e)
        {
            return new(CheckNames.Checkpoint, CheckOutcome.Fail, $"Checkpoint signature: {e.Message}");
        }
    }

    private static CheckDto CheckInclusion(EvidenceBundle bundle, ContentHash manifestHash, Checkpoint? checkpoint)
    {
        if (bundle.InclusionProof is not { } proof)
        {
            return new(CheckNames.Inclusion, CheckOutcome.Pending, "The asset is in no sealed epoch yet, so there is no inclusion proof.");
        }

        if (checkpoint is null)
        {
            return new(CheckNames.Inclusion, CheckOutcome.Fail, "There is an inclusion proof but no readable checkpoint to check it against.");
        }

        try
        {
            var hasher = Sha256MerkleHasher.Instance;
            var leaf = hasher.HashLeaf(manifestHash.Bytes);
            if (proof.AssetId != bundle.AssetId)
            {
                return new(CheckNames.Inclusion, CheckOutcome.Fail, $"The proof is for asset {proof.AssetId}, not {bundle.AssetId}.");
            }

            if (!Convert.FromBase64String(proof.LeafHash).AsSpan().SequenceEqual(leaf))
            {
                return new(CheckNames.Inclusion, CheckOutcome.Fail, "The proof's leaf hash is not the RFC 9162 leaf hash of this manifest's hash.");
            }

            if (proof.TreeSize != checkpoint.TreeSize || !Convert.FromBase64String(proof.RootHash).AsSpan().SequenceEqual(checkpoint.RootHash))
            {
                return new(CheckNames.Inclusion, CheckOutcome.Fail, $"The proof is for a tree of size {proof.TreeSize} and root {proof.RootHash}, not the checkpoint's size {checkpoint.TreeSize} and root {Convert.ToBase64String(checkpoint.RootHash)}.");
            }

            MerkleVerifier.VerifyInclusion(hasher, proof.LeafIndex, proof.TreeSize, leaf, [.. proof.Proof.Select(Convert.FromBase64String)], checkpoint.RootHash);
            return new(CheckNames.Inclusion, CheckOutcome.Pass, $"Leaf {proof.LeafIndex} of {proof.TreeSize} is included under the checkpoint root of epoch {checkpoint.Epoch}.");
        }
        catch (Exception e) when (e is FormatException or InvalidProofException or RootMismatchException)
        {
            return new(CheckNames.Inclusion, CheckOutcome.Fail, $"The inclusion proof does not hold: {e.Message}");
        }
    }

    private IEnumerable<CheckDto> CheckTimestamps(EvidenceBundle bundle)
    {
        if (bundle.Checkpoint is not { } checkpoint)
        {
            yield break;
        }

        if (bundle.Timestamps.Count == 0)
        {
            yield return new("timestamp", CheckOutcome.Pending, "No TSA has granted a timestamp on this checkpoint yet.");
            yield break;
        }

        var digest = SHA256.HashData(checkpoint.Text);
        foreach (var timestamp in bundle.Timestamps)
        {
            yield return CheckImprint(timestamp, digest);
            if (timestampVerifier is null)
            {
                yield return new(CheckNames.Timestamp(timestamp.Tsa), CheckOutcome.Pending, "No RFC 3161 verifier was configured; check it with the openssl command in README.md.");
                continue;
            }

            var result = timestampVerifier.Verify(timestamp.Tsa, timestamp.TokenDer, digest, timestamp.ChainPem);
            yield return new(CheckNames.Timestamp(timestamp.Tsa), result.Valid ? CheckOutcome.Pass : CheckOutcome.Fail, result.Detail);
        }
    }

    private static CheckDto CheckImprint(EvidenceTimestamp timestamp, byte[] digest)
    {
        var name = CheckNames.TimestampImprint(timestamp.Tsa);
        try
        {
            var info = Rfc3161TokenInfo.Read(timestamp.TokenDer);
            if (info.HashAlgorithmOid != Rfc3161TokenInfo.Sha256Oid)
            {
                return new(name, CheckOutcome.Fail, $"The token's imprint uses hash {info.HashAlgorithmOid}, not SHA-256.");
            }

            return info.MessageImprint.AsSpan().SequenceEqual(digest)
                ? new(name, CheckOutcome.Pass, $"The token timestamps the checkpoint's SHA-256 at {info.GenTime:O}.")
                : new(name, CheckOutcome.Fail, $"The token timestamps {Convert.ToHexStringLower(info.MessageImprint)}, not the checkpoint's SHA-256 {Convert.ToHexStringLower(digest)}.");
        }
        catch (FormatException e)
        {
            return new(name, CheckOutcome.Fail, e.Message);
        }
    }

    private static CheckDto CheckIndex(EvidenceBundleFile file)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal) { EvidenceBundleLayout.Index };
        foreach (var entry in file.Index.Files ?? [])
        {
            listed.Add(entry.Path);
            if (!file.Files.TryGetValue(entry.Path, out var bytes))
            {
                return new(CheckNames.BundleIndex, CheckOutcome.Fail, $"bundle.json lists {entry.Path} but the zip lacks it.");
            }

            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != entry.Sha256 || bytes.Length != entry.Size)
            {
                return new(CheckNames.BundleIndex, CheckOutcome.Fail, $"{entry.Path} does not match its SHA-256 in bundle.json.");
            }
        }

        var extra = file.Files.Keys.FirstOrDefault(k => !listed.Contains(k));
        return extra is null
            ? new(CheckNames.BundleIndex, CheckOutcome.Pass, $"All {listed.Count - 1} files match bundle.json.")
            : new(CheckNames.BundleIndex, CheckOutcome.Fail, $"{extra} is in the zip but not in bundle.json.");
    }

    /// <summary>What the verifier reads from a manifest, tolerant of its exact schema: asset id, content hash, parent ids.</summary>
    private sealed record ManifestFacts(string? AssetId, string? ContentHash, IReadOnlyList<string>? Parents)
    {
        public static ManifestFacts Read(byte[] canonical)
        {
            try
            {
                using var doc = JsonDocument.Parse(canonical);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return new(null, null, null);
                }

                List<string>? parents = null;
                if (root.TryGetProperty("parents", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    parents = [.. list.EnumerateArray()
                        .Select(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("assetId", out var id) ? id.GetString() : null)
                        .OfType<string>()];
                }

                return new(String(root, "assetId"), String(root, "contentHash"), parents);
            }
            catch (JsonException)
            {
                return new(null, null, null);
            }
        }

        private static string? String(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
