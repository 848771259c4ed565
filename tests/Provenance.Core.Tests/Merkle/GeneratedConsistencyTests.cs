using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

public sealed class GeneratedConsistencyTests
{
    private const int MaxSize = 300;
    private const int AllBitsUpTo = 12;

    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public void VerifyConsistency_EveryPairOfSizesTo300_AcceptsAndRejectsTampering()
    {
        var leaves = TestTrees.LeafHashes(MaxSize);
        var store = TestTrees.NodeStore(leaves);
        var roots = Enumerable.Range(0, MaxSize + 1).Select(n => MerkleTree.ComputeRoot(Hasher, leaves, 0, n)).ToArray();

        for (var size2 = 1; size2 <= MaxSize; size2++)
        {
            var flips = size2 <= AllBitsUpTo ? BitFlips.All : BitFlips.Sample;
            for (var size1 = 1; size1 <= size2; size1++)
            {
                var proof = TestTrees.PlannedConsistency(store, size1, size2);
                var good = new ConsistencyCase(size1, size2, roots[size1], roots[size2], proof);

                ProofAssert.Accepts(good);
                ProofAssert.RejectsAll(Tampering.Consistency(good, flips));
            }
        }
    }

    [Fact]
    public void VerifyConsistency_EmptyFirstTree_ThrowsInvalidProof()
    {
        var leaves = TestTrees.LeafHashes(1);
        var empty = Hasher.EmptyRoot();

        var error = Assert.Throws<InvalidProofException>(() => MerkleVerifier.VerifyConsistency(Hasher, 0, 1, [], empty, leaves[0]));

        Assert.Equal("size1", error.Field);
    }

    [Fact]
    public void VerifyConsistency_WrongSecondRoot_ThrowsMismatchNamingRoot2()
    {
        var leaves = TestTrees.LeafHashes(7);
        var proof = MerkleProofs.Consistency(Hasher, leaves, 3, 7);
        var root3 = MerkleTree.ComputeRoot(Hasher, leaves, 0, 3);
        var wrong = MerkleTree.ComputeRoot(Hasher, leaves, 0, 6);

        var error = Assert.Throws<RootMismatchException>(() => MerkleVerifier.VerifyConsistency(Hasher, proof, root3, wrong));

        Assert.Equal("root2", error.Field);
        Assert.Equal(wrong, error.ExpectedRoot);
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leaves), error.CalculatedRoot);
    }

    [Fact]
    public void Consistency_Size1AboveSize2_ThrowsInvalidProof()
    {
        var leaves = TestTrees.LeafHashes(4);

        Assert.Throws<InvalidProofException>(() => MerkleProofs.Consistency(Hasher, leaves, 4, 3));
    }
}
