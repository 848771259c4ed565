using Provenance.Core;
using Provenance.Core.Contracts;
using Provenance.Core.Epochs;
using Provenance.Core.Merkle;
using Provenance.Core.Signing;
using Provenance.Grains.Log;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Log;

/// <summary>One log with epochs over 1, 5, 16, 17 and 37 leaves, shared by the proof tests (read-only).</summary>
public sealed class ProofLog : IAsyncLifetime
{
    public static readonly long[] EpochSizes = [1, 5, 16, 17, 37];

    private readonly PostgresFixture _db = new();

    internal EpochNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        Node = await EpochNode.StartAsync(_db.ConnectionString, "proofs", new InMemoryKeyStore(), new TestTsas(),
            o => o.Authorities = [TestTsas.BuiltIn("builtin")]);
        long size = 0;
        foreach (var target in EpochSizes)
        {
            await LogAppends.AppendAsync(Node.Services.GetStorage(), "p", size, target);
            size = target;
            await Node.Anchor.TriggerAsync();
        }

        await LogAppends.AppendAsync(Node.Services.GetStorage(), "p", size, size + 3);
        await LogAppends.WaitSequencedAsync(Node.Log, TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await _db.DisposeAsync();
    }
}

public sealed class LogProofsTests(ProofLog log) : IClassFixture<ProofLog>
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public async Task GetInclusionProofAsync_EveryLeafInEveryCoveringEpoch_VerifiesAndAnySingleByteChangeFails()
    {
        var proofs = new List<InclusionProofDto>();
        for (var i = 0; i < ProofLog.EpochSizes[^1]; i++)
        {
            for (var e = 1; e <= ProofLog.EpochSizes.Length; e++)
            {
                if (ProofLog.EpochSizes[e - 1] > i)
                {
                    proofs.Add(await log.Node.Proofs.GetInclusionProofAsync(LogAppends.AssetId("p", i), 1, e, default));
                }
            }
        }

        Assert.Equal(ProofLog.EpochSizes.Sum(), proofs.Count);
        foreach (var proof in proofs)
        {
            var leaf = Convert.FromBase64String(proof.LeafHash);
            var path = proof.Proof.Select(Convert.FromBase64String).ToArray();
            var root = Convert.FromBase64String(proof.RootHash);
            Assert.Equal(Hasher.HashLeaf(LogAppends.ManifestHash(proof.AssetId)), leaf);
            MerkleVerifier.VerifyInclusion(Hasher, proof.LeafIndex, proof.TreeSize, leaf, path, root);
            foreach (var (name, tamperedLeaf, tamperedPath, tamperedRoot) in Tamperings(leaf, path, root))
            {
                Assert.ThrowsAny<ProvenanceException>(() => MerkleVerifier.VerifyInclusion(Hasher, proof.LeafIndex, proof.TreeSize, tamperedLeaf, tamperedPath, tamperedRoot));
                _ = name;
            }
        }
    }

    [Fact]
    public async Task GetInclusionProofAsync_NoEpochGiven_UsesLatestEpoch()
    {
        var proof = await log.Node.Proofs.GetInclusionProofAsync(LogAppends.AssetId("p", 3), 1, null, default);

        Assert.Equal((5L, 3L, 37L), (proof.Epoch, proof.LeafIndex, proof.TreeSize));
    }

    [Fact]
    public async Task GetInclusionProofAsync_LeafAfterLatestEpoch_NotAnchored()
    {
        var error = await Assert.ThrowsAsync<NotAnchoredException>(() => log.Node.Proofs.GetInclusionProofAsync(LogAppends.AssetId("p", 38), 1, null, default));

        Assert.Equal("not-anchored", error.Code);
        await Assert.ThrowsAsync<NotAnchoredException>(() => log.Node.Proofs.GetInclusionProofAsync(LogAppends.AssetId("p", 5), 1, 2, default));
        await Assert.ThrowsAsync<Core.Assets.NotFoundException>(() => log.Node.Proofs.GetInclusionProofAsync("no-such-asset", 1, null, default));
    }

    [Fact]
    public async Task GetConsistencyProofAsync_EveryEpochPair_VerifiesAndAnySingleByteChangeFails()
    {
        var checkedPairs = 0;
        for (var from = 1; from <= ProofLog.EpochSizes.Length; from++)
        {
            for (var to = from; to <= ProofLog.EpochSizes.Length; to++)
            {
                var proof = await log.Node.Proofs.GetConsistencyProofAsync(from, to, default);
                var path = proof.Proof.Select(Convert.FromBase64String).ToArray();
                var root1 = Convert.FromBase64String(proof.Root1);
                var root2 = Convert.FromBase64String(proof.Root2);
                Assert.Equal((ProofLog.EpochSizes[from - 1], ProofLog.EpochSizes[to - 1]), (proof.Size1, proof.Size2));

                MerkleVerifier.VerifyConsistency(Hasher, proof.Size1, proof.Size2, path, root1, root2);

                foreach (var (_, tamperedRoot1, tamperedPath, tamperedRoot2) in Tamperings(root1, path, root2))
                {
                    Assert.ThrowsAny<ProvenanceException>(() => MerkleVerifier.VerifyConsistency(Hasher, proof.Size1, proof.Size2, tamperedPath, tamperedRoot1, tamperedRoot2));
                }

                checkedPairs++;
            }
        }

        Assert.Equal(15, checkedPairs);
    }

    [Fact]
    public async Task VerifyAsync_AnchoredManifestHash_InclusionCheckpointAndTimestampPass()
    {
        var result = await log.Node.Proofs.VerifyAsync(LogAppends.AssetId("p", 20), 1, LogAppends.ManifestHash(LogAppends.AssetId("p", 20)), default);

        Assert.Equal(["inclusion", "checkpoint", "timestamp:builtin"], result.Checks.Select(c => c.Name));
        Assert.All(result.Checks, c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
        Assert.Equal(5, result.Epoch!.Epoch);
        Assert.Equal(20, result.Inclusion!.LeafIndex);
    }

    [Fact]
    public async Task VerifyAsync_OtherManifestHash_InclusionFails()
    {
        var wrong = LogAppends.ManifestHash("something else");

        var result = await log.Node.Proofs.VerifyAsync(LogAppends.AssetId("p", 20), 1, wrong, default);

        Assert.Equal(CheckOutcome.Fail, Assert.Single(result.Checks).Outcome);
    }

    [Fact]
    public async Task VerifyAsync_SequencedAfterLatestEpoch_InclusionPending()
    {
        var id = LogAppends.AssetId("p", 39);

        var result = await log.Node.Proofs.VerifyAsync(id, 1, LogAppends.ManifestHash(id), default);

        var check = Assert.Single(result.Checks);
        Assert.Equal(("inclusion", CheckOutcome.Pending), (check.Name, check.Outcome));
    }

    [Fact]
    public async Task ListEpochsAsync_BeforeAndLimit_NewestFirstPage()
    {
        var page = await log.Node.Anchor.ListEpochsAsync(2, 5);

        Assert.Equal([4L, 3L], page.Select(e => e.Epoch));
        Assert.Equal(ProofLog.EpochSizes.Length, (await log.Node.Anchor.ListEpochsAsync(100, null)).Count);
    }

    /// <summary>Every single-byte change of the first value, of each path node and of the last value, one at a time.</summary>
    private static IEnumerable<(string Name, byte[] First, byte[][] Path, byte[] Last)> Tamperings(byte[] first, byte[][] path, byte[] last)
    {
        foreach (var position in new[] { 0, 15, 31 })
        {
            yield return ($"first[{position}]", Flip(first, position), path, last);
            yield return ($"last[{position}]", first, path, Flip(last, position));
            for (var n = 0; n < path.Length; n++)
            {
                var tampered = path.ToArray();
                tampered[n] = Flip(path[n], position);
                yield return ($"path[{n}][{position}]", first, tampered, last);
            }
        }
    }

    private static byte[] Flip(byte[] value, int position)
    {
        var copy = (byte[])value.Clone();
        copy[position] ^= 0x01;
        return copy;
    }
}
