using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

public sealed class ProofPlannerTests
{
    private const int MaxSize = 300;

    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public void Inclusion_StoredNodesOfEverySizeTo300_EqualInMemoryProofs()
    {
        var leaves = TestTrees.LeafHashes(MaxSize);
        var store = TestTrees.NodeStore(leaves);

        for (var size = 1; size <= MaxSize; size++)
        {
            for (var index = 0; index < size; index++)
            {
                var plan = ProofPlanner.Inclusion(index, size);
                AssertStoredIn(plan, size);

                var assembled = plan.Rehash(Hasher, TestTrees.Fetch(plan, store));

                Assert.Equal(MerkleProofs.Inclusion(Hasher, leaves, index, size).Hashes, assembled);
            }
        }
    }

    [Fact]
    public void Consistency_StoredNodesOfEveryPairTo300_EqualInMemoryProofs()
    {
        var leaves = TestTrees.LeafHashes(MaxSize);
        var store = TestTrees.NodeStore(leaves);

        for (var size2 = 1; size2 <= MaxSize; size2++)
        {
            for (var size1 = 1; size1 <= size2; size1++)
            {
                var plan = ProofPlanner.Consistency(size1, size2);
                AssertStoredIn(plan, size2);

                var assembled = plan.Rehash(Hasher, TestTrees.Fetch(plan, store));

                Assert.Equal(MerkleProofs.Consistency(Hasher, leaves, size1, size2).Hashes, assembled);
            }
        }
    }

    [Fact]
    public void Inclusion_RaggedRightEdge_FoldsRightEdgeIntoEphemeralNode()
    {
        var plan = ProofPlanner.Inclusion(0, 7);

        Assert.Equal([new NodeId(0, 1), new NodeId(1, 1), new NodeId(0, 6), new NodeId(1, 2)], plan.Ids);
        Assert.Equal(2, plan.EphemeralBegin);
        Assert.Equal(4, plan.EphemeralEnd);
        Assert.Equal(new NodeId(2, 1), plan.Ephemeral);
        Assert.Equal(3, plan.ProofLength);
    }

    [Fact]
    public void Inclusion_PerfectTree_HasNoEphemeralNode()
    {
        var plan = ProofPlanner.Inclusion(5, 8);

        Assert.Equal([new NodeId(0, 4), new NodeId(1, 3), new NodeId(2, 0)], plan.Ids);
        Assert.Null(plan.Ephemeral);
        Assert.Equal(plan.EphemeralBegin, plan.EphemeralEnd);
    }

    [Fact]
    public void Consistency_EqualSizes_NeedsNoNodes()
    {
        var plan = ProofPlanner.Consistency(9, 9);

        Assert.Empty(plan.Ids);
        Assert.Empty(plan.Rehash(Hasher, []));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(6, 5)]
    [InlineData(-1, 5)]
    public void Consistency_SizesOutOfOrder_ThrowsInvalidProof(long size1, long size2)
    {
        Assert.Throws<InvalidProofException>(() => ProofPlanner.Consistency(size1, size2));
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(-1, 5)]
    public void Inclusion_IndexOutsideTree_ThrowsInvalidProof(long index, long size)
    {
        Assert.Throws<InvalidProofException>(() => ProofPlanner.Inclusion(index, size));
    }

    [Fact]
    public void Rehash_WrongHashCount_Throws()
    {
        var plan = ProofPlanner.Inclusion(0, 7);

        Assert.Throws<ArgumentException>(() => plan.Rehash(Hasher, [new byte[32]]));
    }

    // Every planned node must be a perfect subtree that already exists in the tree of that size.
    private static void AssertStoredIn(ProofNodes plan, long size)
    {
        foreach (var id in plan.Ids)
        {
            Assert.True(id.End <= size, $"{id} is not complete in a tree of {size}.");
        }
    }
}
