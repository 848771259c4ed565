using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Provenance.Core.Merkle;

namespace Provenance.Benchmarks.Core;

/// <summary>
/// Root over 1M leaves against the floor of its 2M SHA-256 calls (1M leaf inputs of 33 bytes,
/// ~1M node inputs of 65 bytes; target: within 1.5x), and inclusion verification in a 1M tree (target: under 20 µs).
/// </summary>
[MemoryDiagnoser]
public class MerkleBenchmarks
{
    private const int LeafCount = 1_000_000;
    private const int HashSize = Rfc9162.Sha256HashSize;
    private const long ProvedIndex = 765_432;

    private readonly IMerkleHasher _hasher = Sha256MerkleHasher.Instance;
    private readonly byte[] _root = new byte[HashSize];
    private readonly byte[] _leafInput = new byte[1 + HashSize];
    private readonly byte[] _nodeInput = new byte[1 + 2 * HashSize];
    private byte[] _leaves = [];
    private byte[] _scratch = [];
    private byte[] _treeRoot = [];
    private byte[] _provedLeafHash = [];
    private byte[][] _proof = [];

    [GlobalSetup]
    public void Setup()
    {
        _leaves = new byte[LeafCount * HashSize];
        new Random(42).NextBytes(_leaves);
        _scratch = new byte[LeafCount * HashSize];

        var leafHashes = new List<byte[]>(LeafCount);
        for (var i = 0; i < LeafCount; i++)
        {
            leafHashes.Add(_hasher.HashLeaf(_leaves.AsSpan(i * HashSize, HashSize)));
        }

        _treeRoot = MerkleTree.ComputeRoot(_hasher, leafHashes);
        _provedLeafHash = leafHashes[(int)ProvedIndex];
        _proof = MerkleProofs.Inclusion(_hasher, leafHashes, ProvedIndex, LeafCount).Hashes;
    }

    [Benchmark(Baseline = true)]
    public byte[] RawSha256_2M()
    {
        for (var i = 0; i < LeafCount; i++)
        {
            SHA256.HashData(_leafInput, _root);
        }

        for (var i = 1; i < LeafCount; i++)
        {
            SHA256.HashData(_nodeInput, _root);
        }

        return _root;
    }

    [Benchmark]
    public byte[] Root_1M_Leaves()
    {
        var scratch = _scratch.AsSpan();
        for (var i = 0; i < LeafCount; i++)
        {
            _hasher.HashLeaf(_leaves.AsSpan(i * HashSize, HashSize), scratch.Slice(i * HashSize, HashSize));
        }

        MerkleTree.ComputeRootInPlace(_hasher, scratch, _root);
        return _root;
    }

    [Benchmark]
    public void VerifyInclusion_1M_Tree() =>
        MerkleVerifier.VerifyInclusion(_hasher, ProvedIndex, LeafCount, _provedLeafHash, _proof, _treeRoot);
}
