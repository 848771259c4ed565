using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

public sealed class MerkleTreeTests
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    // The RFC 6962 reference leaves and root quoted in shared/testdata/merkle/README.md.
    private static readonly string[] ReferenceLeaves =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private const string ReferenceRoot = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";

    [Fact]
    public void ComputeRoot_Rfc6962ReferenceLeaves_GivesReferenceRoot()
    {
        var leafHashes = ReferenceLeaves.Select(hex => Hasher.HashLeaf(Convert.FromHexString(hex))).ToList();

        var root = MerkleTree.ComputeRoot(Hasher, leafHashes);

        Assert.Equal(ReferenceRoot, Convert.ToHexStringLower(root));
    }

    [Fact]
    public void ComputeRoot_NoLeaves_GivesEmptyRoot()
    {
        var root = MerkleTree.ComputeRoot(Hasher, []);

        Assert.Equal(Hasher.EmptyRoot(), root);
    }

    [Fact]
    public void ComputeRoot_EverySizeTo130_EqualsRecursiveDefinition()
    {
        var leaves = TestTrees.LeafHashes(130);

        for (var n = 1; n <= leaves.Count; n++)
        {
            var root = MerkleTree.ComputeRoot(Hasher, leaves, 0, n);

            Assert.Equal(RecursiveRoot(leaves, 0, n), root);
        }
    }

    [Fact]
    public void ComputeRootInPlace_PartialHash_Throws()
    {
        var buffer = new byte[33];

        Assert.Throws<ArgumentException>(() => MerkleTree.ComputeRootInPlace(Hasher, buffer, new byte[32]));
    }

    // MTH exactly as RFC 9162 section 2.1.1 writes it, as an independent oracle for the iterative version.
    private static byte[] RecursiveRoot(IReadOnlyList<byte[]> leaves, int begin, int end)
    {
        if (end - begin == 1)
        {
            return leaves[begin];
        }

        var k = 1;
        while (k * 2 < end - begin)
        {
            k *= 2;
        }

        return Hasher.HashChildren(RecursiveRoot(leaves, begin, begin + k), RecursiveRoot(leaves, begin + k, end));
    }
}
