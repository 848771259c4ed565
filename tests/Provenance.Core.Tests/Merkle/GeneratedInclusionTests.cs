using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

public sealed class GeneratedInclusionTests
{
    private const int MaxSize = 300;
    private const int AllBitsUpTo = 16;

    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public void VerifyInclusion_EveryIndexOfEverySizeTo300_AcceptsAndRejectsTampering()
    {
        var leaves = TestTrees.LeafHashes(MaxSize);
        var store = TestTrees.NodeStore(leaves);

        for (var size = 1; size <= MaxSize; size++)
        {
            var root = MerkleTree.ComputeRoot(Hasher, leaves, 0, size);
            var flips = size <= AllBitsUpTo ? BitFlips.All : BitFlips.Sample;
            for (var index = 0; index < size; index++)
            {
                var proof = TestTrees.PlannedInclusion(store, index, size);
                var good = new InclusionCase(index, size, leaves[index], proof, root);

                ProofAssert.Accepts(good);
                ProofAssert.RejectsAll(Tampering.Inclusion(good, flips));
            }
        }
    }

    [Fact]
    public void RootFromInclusionProof_ValidProof_GivesTreeRoot()
    {
        var leaves = TestTrees.LeafHashes(21);
        var proof = MerkleProofs.Inclusion(Hasher, leaves, 13, 21);

        var root = MerkleVerifier.RootFromInclusionProof(Hasher, 13, 21, leaves[13], proof.Hashes);

        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leaves), root);
    }

    [Fact]
    public void VerifyInclusion_WrongRoot_ThrowsMismatchCarryingBothRoots()
    {
        var leaves = TestTrees.LeafHashes(5);
        var proof = MerkleProofs.Inclusion(Hasher, leaves, 2, 5);
        var wrongRoot = MerkleTree.ComputeRoot(Hasher, leaves, 0, 4);

        var error = Assert.Throws<RootMismatchException>(() => MerkleVerifier.VerifyInclusion(Hasher, proof, leaves[2], wrongRoot));

        Assert.Equal(wrongRoot, error.ExpectedRoot);
        Assert.Equal(MerkleTree.ComputeRoot(Hasher, leaves), error.CalculatedRoot);
        Assert.Equal(RootMismatchException.ErrorCode, error.Code);
    }

    [Fact]
    public void VerifyInclusion_IndexBeyondSize_ThrowsInvalidProofNamingIndex()
    {
        var leaf = Hasher.HashLeaf([]);

        var error = Assert.Throws<InvalidProofException>(() => MerkleVerifier.VerifyInclusion(Hasher, 1, 1, leaf, [], leaf));

        Assert.Equal("index", error.Field);
    }

    [Fact]
    public void Inclusion_IndexBeyondSize_ThrowsInvalidProof()
    {
        var leaves = TestTrees.LeafHashes(3);

        Assert.Throws<InvalidProofException>(() => MerkleProofs.Inclusion(Hasher, leaves, 3, 3));
    }
}
