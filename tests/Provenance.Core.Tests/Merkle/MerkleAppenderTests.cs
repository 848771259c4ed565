using System.Numerics;
using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

public sealed class MerkleAppenderTests
{
    private const int MaxSize = 2_000;

    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public void Root_EmptyAppender_IsEmptyRoot()
    {
        var appender = new MerkleAppender(Hasher);

        Assert.Equal(Hasher.EmptyRoot(), appender.Root());
        Assert.Equal(0, appender.Size);
    }

    [Fact]
    public void Root_EveryPrefixTo2000_EqualsBatchRoot()
    {
        var leaves = TestTrees.LeafHashes(MaxSize);
        var appender = new MerkleAppender(Hasher);

        for (var size = 1; size <= MaxSize; size++)
        {
            appender.Append(leaves[size - 1]);

            Assert.Equal(MerkleTree.ComputeRoot(Hasher, leaves, 0, size), appender.Root());
        }
    }

    [Fact]
    public void Append_EveryLeaf_VisitsEachPerfectSubtreeOnceWithItsRoot()
    {
        var leaves = TestTrees.LeafHashes(300);
        var visited = new List<(NodeId Id, byte[] Hash)>();
        var appender = new MerkleAppender(Hasher);

        foreach (var leaf in leaves)
        {
            appender.Append(leaf, (id, hash) => visited.Add((id, hash.ToArray())));
        }

        Assert.Equal(2 * leaves.Count - BitOperations.PopCount((uint)leaves.Count), visited.Count);
        Assert.Equal(visited.Count, visited.Select(v => v.Id).Distinct().Count());
        foreach (var (id, hash) in visited)
        {
            Assert.Equal(MerkleTree.ComputeRoot(Hasher, leaves, (int)id.Begin, (int)id.End), hash);
        }
    }

    [Fact]
    public void Restore_ExportedStateAtEverySize_ContinuesWithSameRoots()
    {
        var leaves = TestTrees.LeafHashes(130);
        var reference = new MerkleAppender(Hasher);
        var roots = new List<byte[]> { reference.Root() };
        foreach (var leaf in leaves)
        {
            reference.Append(leaf);
            roots.Add(reference.Root());
        }

        var live = new MerkleAppender(Hasher);
        for (var size = 0; size < leaves.Count; size++)
        {
            var resumed = MerkleAppender.Restore(Hasher, live.ExportState());

            resumed.Append(leaves[size]);
            live.Append(leaves[size]);

            Assert.Equal(roots[size + 1], resumed.Root());
            Assert.Equal(live.ExportState().Hashes, resumed.ExportState().Hashes);
        }
    }

    [Fact]
    public void Restore_StateNodesFromStoreAtEverySize_GivesBatchRoot()
    {
        var leaves = TestTrees.LeafHashes(MaxSize);
        var store = TestTrees.NodeStore(leaves);

        for (var size = 0; size <= MaxSize; size++)
        {
            var ids = MerkleAppender.StateNodes(size);
            var restored = MerkleAppender.Restore(Hasher, size, [.. ids.Select(id => store[id])]);

            Assert.Equal(BitOperations.PopCount((uint)size), ids.Count);
            Assert.Equal(MerkleTree.ComputeRoot(Hasher, leaves, 0, size), restored.Root());
        }
    }

    [Fact]
    public void Restore_HashCountNotPopCountOfSize_Throws()
    {
        var hashes = new[] { new byte[32] };

        Assert.Throws<ArgumentException>(() => MerkleAppender.Restore(Hasher, 3, hashes));
    }

    [Fact]
    public void AppendLeaf_RawLeaf_EqualsAppendOfLeafHash()
    {
        var byData = new MerkleAppender(Hasher);
        var byHash = new MerkleAppender(Hasher);

        byData.AppendLeaf("entry"u8);
        byHash.Append(Hasher.HashLeaf("entry"u8));

        Assert.Equal(byHash.Root(), byData.Root());
    }
}
