using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using Provenance.Core.Contracts;
using Provenance.Core.Epochs;
using Provenance.Core.Evidence;
using Provenance.Core.Hashing;
using Provenance.Core.Manifests;
using Provenance.Core.Merkle;
using Provenance.Core.Signing;
using Provenance.Timestamping;
using ManifestParent = Provenance.Core.Manifests.ParentLink;
using ManifestRelationship = Provenance.Core.Manifests.Relationship;
using ManifestStatus = Provenance.Core.Manifests.LifecycleStatus;

namespace Provenance.Cli.Tests.Evidence;

/// <summary>
/// Builds a real bundle: a ManifestV1 canonicalised by ManifestCodec, ES256 signatures, an RFC 9162 tree of five
/// manifests with the subject at index 3, a checkpoint, and an RFC 3161 token from the built-in TSA. No mocks.
/// </summary>
internal sealed class EvidenceFixture : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 5, 0, 0, TimeSpan.Zero);
    public static readonly byte[] OriginalBytes = Encoding.UTF8.GetBytes("the remix's exact bytes");

    private readonly BuiltInTsa _tsa;

    public EvidenceFixture()
    {
        SignerKey = SigningKey.Generate();
        LogKey = SigningKey.Generate();
        _tsa = new BuiltInTsa(new MemoryTsaKeyStore(), TimeProvider.System);

        var manifest = new ManifestV1
        {
            AssetId = "remix-1",
            ContentHash = ContentHash.Compute(OriginalBytes),
            MediaType = "image/png",
            Title = "Harbour remix",
            Parents = [new ManifestParent("original", ContentHash.Compute("original bytes"u8), ManifestRelationship.ParentOf)],
            Tenant = "default",
            Creator = new ActorRef("ada"),
            Model = "imagegen",
            Status = ManifestStatus.Generated,
            CreatedAt = Now,
        };
        ManifestCanonical = ManifestCodec.ToCanonicalBytes(manifest);
        var manifestHash = ContentHash.Compute(ManifestCanonical);

        var hasher = Sha256MerkleHasher.Instance;
        var leaves = Enumerable.Range(0, 5)
            .Select(i => i == 3 ? manifestHash.Bytes.ToArray() : SHA256.HashData(Encoding.UTF8.GetBytes($"other manifest {i}")))
            .Select(leaf => hasher.HashLeaf(leaf))
            .ToList();
        var root = MerkleTree.ComputeRoot(hasher, leaves);
        var proof = MerkleProofs.Inclusion(hasher, leaves, 3, 5);
        CheckpointText = Checkpoint.Create("test", 5, root, 1, null, Now).ToBytes();

        Bundle = new EvidenceBundle(
            "remix-1",
            ManifestCanonical,
            Es256Jws.Sign(ManifestCanonical, SignerKey),
            SignerKey.ExportSpkiPem(),
            new EvidenceLineage("remix-1",
            [
                new EvidenceLineageNode("remix-1", manifest.ContentHash.ToString(), manifestHash.ToString(), [new EvidenceLineageLink("original", Provenance.Core.Manifests.Relationship.ParentOf)]),
                new EvidenceLineageNode("original", ContentHash.Compute("original bytes"u8).ToString(), ContentHash.Compute("original manifest"u8).ToString(), []),
            ]),
            new InclusionProofDto("remix-1", 1, 3, 5, Convert.ToBase64String(leaves[3]), [.. proof.Hashes.Select(Convert.ToBase64String)], Convert.ToBase64String(root)),
            new EvidenceCheckpoint(CheckpointText, Es256Jws.Sign(CheckpointText, LogKey, Provenance.Core.Labels.CheckpointJwsType), LogKey.ExportSpkiPem()),
            [new EvidenceTimestamp("builtin", Timestamp(SHA256.HashData(CheckpointText)), EvidenceTimestamp.JoinPem(_tsa.SigningCertificatePem, _tsa.RootCertificatePem))],
            Now,
            "tests");
    }

    public SigningKey SignerKey { get; }

    public SigningKey LogKey { get; }

    public byte[] ManifestCanonical { get; }

    public byte[] CheckpointText { get; }

    public EvidenceBundle Bundle { get; }

    /// <summary>An RFC 3161 token from the built-in TSA over <paramref name="sha256"/>.</summary>
    public byte[] Timestamp(byte[] sha256)
    {
        var request = Rfc3161TimestampRequest.CreateFromHash(sha256, HashAlgorithmName.SHA256, requestSignerCertificates: true, nonce: RandomNumberGenerator.GetBytes(8));
        var response = _tsa.Respond(request.Encode());
        return request.ProcessResponse(response, out _).AsSignedCms().Encode();
    }

    /// <summary>A hand-made ES256 compact JWS naming any <paramref name="kid"/>, for forgery probes that <see cref="Es256Jws"/> would not produce.</summary>
    public static string SignWithKid(ECDsa key, byte[] payload, string kid)
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"ES256\",\"kid\":\"{kid}\"}}"));
        var body = Base64Url.EncodeToString(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes($"{header}.{body}"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{header}.{body}.{Base64Url.EncodeToString(signature)}";
    }

    public static async Task<VerifyResultDto> WriteReadVerifyAsync(EvidenceBundle bundle, Stream? original = null)
    {
        var bytes = EvidenceBundleWriter.ToBytes(bundle);
        var read = EvidenceBundleReader.Read(bytes);
        return await new EvidenceVerifier(new EvidenceTimestampVerifier()).VerifyAsync(read, original);
    }

    public void Dispose()
    {
        _tsa.Dispose();
    }

    private sealed class MemoryTsaKeyStore : ITsaKeyStore
    {
        private TsaKeyMaterial? _material;

        public TsaKeyMaterial? Load() => _material;

        public void Save(TsaKeyMaterial material) => _material = material;
    }
}
