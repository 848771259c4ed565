using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

internal static class TestTrees
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    /// <summary>Distinct leaf hashes: leaf i is the 8-byte little-endian encoding of i.</summary>
    public static List<byte[]> LeafHashes(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Hasher.HashLeaf(BitConverter.GetBytes((long)i)))];

    /// <summary>Every perfect-subtree node of the tree over <paramref name="leafHashes"/>, as a store would hold them.</summary>
    public static Dictionary<NodeId, byte[]> NodeStore(IReadOnlyList<byte[]> leafHashes)
    {
        var store = new Dictionary<NodeId, byte[]>();
        var appender = new MerkleAppender(Hasher);
        foreach (var leaf in leafHashes)
        {
            appender.Append(leaf, (id, hash) => store.Add(id, hash.ToArray()));
        }

        return store;
    }

    /// <summary>The inclusion proof as a store assembles it (ProofPlannerTests show it equals the RFC generator's).</summary>
    public static byte[][] PlannedInclusion(IReadOnlyDictionary<NodeId, byte[]> store, long index, long size)
    {
        var plan = ProofPlanner.Inclusion(index, size);
        return plan.Rehash(Hasher, Fetch(plan, store));
    }

    /// <summary>The consistency proof as a store assembles it (ProofPlannerTests show it equals the RFC generator's).</summary>
    public static byte[][] PlannedConsistency(IReadOnlyDictionary<NodeId, byte[]> store, long size1, long size2)
    {
        var plan = ProofPlanner.Consistency(size1, size2);
        return plan.Rehash(Hasher, Fetch(plan, store));
    }

    public static byte[][] Fetch(ProofNodes plan, IReadOnlyDictionary<NodeId, byte[]> store) =>
        [.. plan.Ids.Select(id => store[id])];
}
