using System.Security.Cryptography;
using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

public sealed class Sha256MerkleHasherTests
{
    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    [Fact]
    public void EmptyRoot_Always_IsSha256OfNothing()
    {
        var root = Hasher.EmptyRoot();

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(root));
    }

    [Fact]
    public void HashLeaf_EmptyLeaf_IsRfc6962KnownAnswer()
    {
        var hash = Hasher.HashLeaf([]);

        Assert.Equal("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void HashLeaf_LargeLeaf_EqualsPrefixedSha256()
    {
        var leaf = new byte[5000];
        leaf.AsSpan().Fill(7);

        var hash = Hasher.HashLeaf(leaf);

        Assert.Equal(SHA256.HashData([Rfc9162.LeafHashPrefix, .. leaf]), hash);
    }

    [Fact]
    public void HashChildren_DestinationOverlapsInput_EqualsPrefixedSha256()
    {
        var left = Hasher.HashLeaf([1]);
        var right = Hasher.HashLeaf([2]);
        var expected = SHA256.HashData([Rfc9162.NodeHashPrefix, .. left, .. right]);
        var destination = (byte[])right.Clone();

        Hasher.HashChildren(left, destination, destination);

        Assert.Equal(expected, destination);
    }

    [Fact]
    public void HashChildren_ShortChild_Throws()
    {
        var child = new byte[31];

        Assert.Throws<ArgumentException>(() => Hasher.HashChildren(child, new byte[32]));
    }
}
