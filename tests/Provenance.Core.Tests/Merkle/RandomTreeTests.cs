using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

public sealed class RandomTreeTests
{
    private const int MaxSize = 100_000;
    private const int Seed = 9162;
    private const int SamplesPerSize = 12;

    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public void Proofs_RandomSizesTo100000_VerifyAndRejectTampering()
    {
        var random = new Random(Seed);
        var leaves = TestTrees.LeafHashes(MaxSize);
        var store = TestTrees.NodeStore(leaves);
        int[] sizes = [MaxSize, .. Enumerable.Range(0, 4).Select(_ => random.Next(1, MaxSize))];

        foreach (var size in sizes)
        {
            var root = MerkleTree.ComputeRoot(Hasher, leaves, 0, size);
            for (var sample = 0; sample < SamplesPerSize; sample++)
            {
                var index = random.Next(size);
                var size1 = random.Next(1, size + 1);
                var root1 = MerkleTree.ComputeRoot(Hasher, leaves, 0, size1);
                var inclusionPlan = ProofPlanner.Inclusion(index, size);
                var consistencyPlan = ProofPlanner.Consistency(size1, size);
                var inclusion = new InclusionCase(index, size, leaves[index], inclusionPlan.Rehash(Hasher, TestTrees.Fetch(inclusionPlan, store)), root);
                var consistency = new ConsistencyCase(size1, size, root1, root, consistencyPlan.Rehash(Hasher, TestTrees.Fetch(consistencyPlan, store)));

                ProofAssert.Accepts(inclusion);
                ProofAssert.Accepts(consistency);
                ProofAssert.RejectsAll(Tampering.Inclusion(inclusion, BitFlips.Sample));
                ProofAssert.RejectsAll(Tampering.Consistency(consistency, BitFlips.Sample));
            }
        }
    }

    [Fact]
    public void Proofs_LargeTree_PlannedEqualInMemory()
    {
        var random = new Random(Seed);
        var size = random.Next(MaxSize / 2, MaxSize);
        var leaves = TestTrees.LeafHashes(size);
        var store = TestTrees.NodeStore(leaves);
        var index = random.Next(size);
        var size1 = random.Next(1, size);

        var inclusionPlan = ProofPlanner.Inclusion(index, size);
        var consistencyPlan = ProofPlanner.Consistency(size1, size);

        Assert.Equal(MerkleProofs.Inclusion(Hasher, leaves, index, size).Hashes, inclusionPlan.Rehash(Hasher, TestTrees.Fetch(inclusionPlan, store)));
        Assert.Equal(MerkleProofs.Consistency(Hasher, leaves, size1, size).Hashes, consistencyPlan.Rehash(Hasher, TestTrees.Fetch(consistencyPlan, store)));
    }
}
