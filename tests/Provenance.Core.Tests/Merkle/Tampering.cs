using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

internal sealed record InclusionCase(long Index, long Size, byte[] LeafHash, byte[][] Proof, byte[] Root)
{
    public void Verify() => MerkleVerifier.VerifyInclusion(Sha256MerkleHasher.Instance, Index, Size, LeafHash, Proof, Root);

    public override string ToString() => $"inclusion of {Index} in {Size}";
}

internal sealed record ConsistencyCase(long Size1, long Size2, byte[] Root1, byte[] Root2, byte[][] Proof)
{
    public void Verify() => MerkleVerifier.VerifyConsistency(Sha256MerkleHasher.Instance, Size1, Size2, Proof, Root1, Root2);

    public override string ToString() => $"consistency {Size1} -> {Size2}";
}

/// <summary>How many bits of each proof node the generator flips.</summary>
internal enum BitFlips
{
    /// <summary>Every bit of every node (small trees).</summary>
    All,

    /// <summary>One bit per node, its position varying with the node and the case.</summary>
    Sample,
}

/// <summary>
/// Named probes that turn a valid proof into one a correct verifier must reject (the probes of
/// transparency-dev/merkle's verifier tests): index or size off by one, doubled or halved, each bit of
/// each node flipped, garbage before or after, the first, middle or last node dropped, roots swapped, a wrong leaf or root.
/// </summary>
internal static class Tampering
{
    private static readonly byte[] Garbage = Sha256MerkleHasher.Instance.HashLeaf("garbage"u8);

    public static IEnumerable<(string Name, InclusionCase Case)> Inclusion(InclusionCase good, BitFlips flips)
    {
        yield return ("index + 1", good with { Index = good.Index + 1 });
        yield return ("index - 1", good with { Index = good.Index - 1 });
        yield return ("size * 2", good with { Size = good.Size * 2 });
        yield return ("size / 2", good with { Size = good.Size / 2 });
        yield return ("wrong leaf", good with { LeafHash = FlipBit(good.LeafHash, 0) });
        yield return ("wrong root", good with { Root = FlipBit(good.Root, 255) });
        yield return ("empty root", good with { Root = [] });
        yield return ("trailing garbage", good with { Proof = [.. good.Proof, Garbage] });
        yield return ("preceding garbage", good with { Proof = [Garbage, .. good.Proof] });
        foreach (var (name, proof) in ProofProbes(good.Proof, flips, good.Index ^ good.Size))
        {
            yield return (name, good with { Proof = proof });
        }
    }

    public static IEnumerable<(string Name, ConsistencyCase Case)> Consistency(ConsistencyCase good, BitFlips flips)
    {
        yield return ("size1 + 1", good with { Size1 = good.Size1 + 1 });
        yield return ("size1 - 1", good with { Size1 = good.Size1 - 1 });
        yield return ("size1 ^ 2", good with { Size1 = good.Size1 ^ 2 });
        yield return ("size2 * 2", good with { Size2 = good.Size2 * 2 });
        yield return ("size2 / 2", good with { Size2 = good.Size2 / 2 });
        if (!good.Root1.AsSpan().SequenceEqual(good.Root2))
        {
            yield return ("swapped roots", good with { Root1 = good.Root2, Root2 = good.Root1 });
        }

        yield return ("wrong root1", good with { Root1 = FlipBit(good.Root1, 0) });
        yield return ("wrong root2", good with { Root2 = FlipBit(good.Root2, 255) });
        yield return ("trailing garbage", good with { Proof = [.. good.Proof, Garbage] });
        yield return ("preceding garbage", good with { Proof = [Garbage, .. good.Proof] });
        yield return ("trailing root1", good with { Proof = [.. good.Proof, good.Root1] });
        yield return ("preceding root2", good with { Proof = [good.Root2, .. good.Proof] });
        foreach (var (name, proof) in ProofProbes(good.Proof, flips, good.Size1 ^ good.Size2))
        {
            yield return (name, good with { Proof = proof });
        }
    }

    private static IEnumerable<(string Name, byte[][] Proof)> ProofProbes(byte[][] proof, BitFlips flips, long salt)
    {
        foreach (var node in new[] { 0, proof.Length / 2, proof.Length - 1 }.Where(n => n >= 0 && n < proof.Length).Distinct())
        {
            yield return ($"dropped node {node}", [.. proof[..node], .. proof[(node + 1)..]]);
        }

        for (var node = 0; node < proof.Length; node++)
        {

            var bitCount = proof[node].Length * 8;
            if (flips == BitFlips.All)
            {
                for (var bit = 0; bit < bitCount; bit++)
                {
                    yield return ($"node {node} bit {bit} flipped", WithNode(proof, node, FlipBit(proof[node], bit)));
                }
            }
            else
            {
                var bit = (int)((salt * 31 + node * 97) % bitCount);
                yield return ($"node {node} bit {bit} flipped", WithNode(proof, node, FlipBit(proof[node], bit)));
            }
        }
    }

    private static byte[][] WithNode(byte[][] proof, int node, byte[] replacement)
    {
        var copy = (byte[][])proof.Clone();
        copy[node] = replacement;
        return copy;
    }

    private static byte[] FlipBit(byte[] hash, int bit)
    {
        var copy = (byte[])hash.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}

internal static class ProofAssert
{
    public static void Accepts(InclusionCase c) => Accepts(c.Verify, c.ToString());

    public static void Accepts(ConsistencyCase c) => Accepts(c.Verify, c.ToString());

    public static void RejectsAll(IEnumerable<(string Name, InclusionCase Case)> probes)
    {
        foreach (var (name, c) in probes)
        {
            Rejects(c.Verify, $"{c} ({name})");
        }
    }

    public static void RejectsAll(IEnumerable<(string Name, ConsistencyCase Case)> probes)
    {
        foreach (var (name, c) in probes)
        {
            Rejects(c.Verify, $"{c} ({name})");
        }
    }

    private static void Accepts(Action verify, string what)
    {
        var error = Record.Exception(verify);
        if (error is not null)
        {
            Assert.Fail($"{what} was rejected: {error.Message}");
        }
    }

    private static void Rejects(Action verify, string what)
    {
        try
        {
            verify();
        }
        catch (InvalidProofException)
        {
            return;
        }
        catch (RootMismatchException)
        {
            return;
        }

        Assert.Fail($"{what} was accepted.");
    }
}
