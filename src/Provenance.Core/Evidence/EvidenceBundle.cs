using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Core.Evidence;

/// <summary>
/// Everything an evidence bundle holds (docs/evidence-bundle.md): the input of
/// <see cref="EvidenceBundleWriter"/> and the output of <see cref="EvidenceBundleReader"/>. Plain data:
/// the writer adds the index (<c>bundle.json</c>) and the README.
/// </summary>
/// <param name="AssetId">The asset the bundle is about.</param>
/// <param name="ManifestCanonical">The manifest's RFC 8785 bytes exactly as hashed and signed (<c>manifest.json</c>).</param>
/// <param name="ManifestJws">ES256 compact JWS over <paramref name="ManifestCanonical"/> (<c>manifest.jws</c>), attached or detached payload.</param>
/// <param name="SignerKeyPem">The manifest signing key's public part, SubjectPublicKeyInfo PEM (<c>signer-key.pem</c>).</param>
/// <param name="Lineage">The chain from the asset up to its roots (<c>lineage.json</c>).</param>
/// <param name="InclusionProof">Proof of the manifest hash into the epoch's tree, or <see langword="null"/> while the asset is in no epoch yet.</param>
/// <param name="Checkpoint">The signed checkpoint of that epoch, or <see langword="null"/> with no inclusion proof.</param>
/// <param name="Timestamps">RFC 3161 tokens over the checkpoint, one per TSA that granted one.</param>
/// <param name="CreatedAt">When the bundle was made (also the zip entries' time, so equal input gives equal bytes).</param>
/// <param name="Generator">What made the bundle, e.g. <c>provenance-server/1.0</c>.</param>
public sealed record EvidenceBundle(
    string AssetId,
    byte[] ManifestCanonical,
    string ManifestJws,
    string SignerKeyPem,
    EvidenceLineage Lineage,
    InclusionProofDto? InclusionProof,
    EvidenceCheckpoint? Checkpoint,
    IReadOnlyList<EvidenceTimestamp> Timestamps,
    DateTimeOffset CreatedAt,
    string? Generator = null);

/// <summary>A signed checkpoint (<c>checkpoint.txt</c>, <c>checkpoint.jws</c>, <c>log-key.pem</c>).</summary>
/// <param name="Text">The exact checkpoint text that was signed and timestamped (UTF-8, LF line ends); see <see cref="Epochs.Checkpoint"/>.</param>
/// <param name="Jws">ES256 compact JWS over <paramref name="Text"/> by the log key.</param>
/// <param name="LogKeyPem">The log signing key's public part, SubjectPublicKeyInfo PEM.</param>
public sealed record EvidenceCheckpoint(byte[] Text, string Jws, string LogKeyPem);

/// <summary>One TSA's RFC 3161 token over the checkpoint (<c>timestamps/&lt;tsa&gt;.tsr</c> and <c>timestamps/&lt;tsa&gt;-chain.pem</c>).</summary>
/// <param name="Tsa">The TSA's configured name; file names use it with characters outside <c>[A-Za-z0-9._-]</c> replaced by <c>-</c>.</param>
/// <param name="TokenDer">The TimeStampToken (a CMS ContentInfo, RFC 3161 section 2.4.2), DER.</param>
/// <param name="ChainPem">PEM certificates: the TSA's signing certificate first, then up to its root.</param>
public sealed record EvidenceTimestamp(string Tsa, byte[] TokenDer, string ChainPem)
{
    /// <summary>
    /// Joins PEM certificates (signer first, root last) into one chain, each block ending with a line feed:
    /// OpenSSL refuses blocks run together (e.g. <c>X509Certificate2.ExportCertificatePem()</c> output ends without one).
    /// </summary>
    public static string JoinPem(params IEnumerable<string> certificatesPem) =>
        string.Concat(certificatesPem.Select(pem => pem.TrimEnd() + "\n"));
}

/// <summary>The lineage chain of <c>lineage.json</c>: the asset and every ancestor up to the roots.</summary>
/// <param name="AssetId">The asset the chain starts from; one of <paramref name="Nodes"/>.</param>
public sealed record EvidenceLineage(string AssetId, IReadOnlyList<EvidenceLineageNode> Nodes);

/// <summary>One asset of the chain. A node of another tenant is redacted: id and content hash only.</summary>
/// <param name="ManifestHash"><c>sha256:&lt;hex&gt;</c> of the node's canonical manifest, absent when redacted.</param>
public sealed record EvidenceLineageNode(
    string AssetId,
    string ContentHash,
    string? ManifestHash,
    IReadOnlyList<EvidenceLineageLink> Parents,
    bool Redacted = false);

/// <summary>A parent link of a lineage node.</summary>
public sealed record EvidenceLineageLink(string AssetId, Relationship Relationship);

/// <summary>The index of a bundle (<c>bundle.json</c>), written by <see cref="EvidenceBundleWriter"/>.</summary>
/// <param name="Format">Bundle format version, <see cref="EvidenceBundleLayout.FormatV1"/>.</param>
/// <param name="CheckpointFormat">How <c>checkpoint.txt</c> reads, <see cref="EvidenceBundleLayout.CheckpointFormatV1"/>.</param>
/// <param name="Files">Every other file of the zip with its SHA-256, in writing order.</param>
public sealed record EvidenceBundleIndex(
    string Format,
    string AssetId,
    string? ManifestHash,
    string CheckpointFormat,
    DateTimeOffset CreatedAt,
    string? Generator,
    IReadOnlyList<EvidenceBundleFileEntry> Files,
    IReadOnlyList<EvidenceBundleTimestampEntry> Timestamps);

/// <summary>One file of the bundle: path inside the zip, lowercase hex SHA-256 and size in bytes.</summary>
public sealed record EvidenceBundleFileEntry(string Path, string Sha256, long Size);

/// <summary>Where one TSA's token and chain are inside the bundle.</summary>
public sealed record EvidenceBundleTimestampEntry(string Tsa, string Token, string Chain);

/// <summary>A bundle as read back: its contents, its index and the raw bytes of every file (for the index check).</summary>
public sealed record EvidenceBundleFile(EvidenceBundle Bundle, EvidenceBundleIndex Index, IReadOnlyDictionary<string, byte[]> Files);
