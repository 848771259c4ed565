using System.Text.Json;
using Provenance.Core.Merkle;

namespace Provenance.Core.Tests.Merkle;

/// <summary>The transparency-dev/merkle verifier vectors in shared/testdata/merkle; each file is one case.</summary>
public sealed class ConformanceVectorTests
{
    private const int ExpectedFileCount = 196;

    private static readonly IMerkleHasher Hasher = Sha256MerkleHasher.Instance;

    public static TheoryData<string> InclusionFiles => Files("inclusion");

    public static TheoryData<string> ConsistencyFiles => Files("consistency");

    [Fact]
    public void Load_SharedDirectory_FindsAllFiles()
    {
        var directory = SharedTestData.FindMerkleDirectory();

        Assert.NotNull(directory);
        var count = Directory.GetFiles(directory, "*.json", SearchOption.AllDirectories).Length;
        Assert.True(count >= ExpectedFileCount, $"Loaded {count} vector files from {directory}, expected {ExpectedFileCount}.");
        Assert.True(InclusionFiles.Count + ConsistencyFiles.Count >= ExpectedFileCount, "Fewer vector cases than files.");
    }

    [Theory]
    [MemberData(nameof(InclusionFiles))]
    public void VerifyInclusion_VectorFile_GivesNamedVerdict(string file)
    {
        using var json = Read(file);
        var v = json.RootElement;
        var wantErr = v.GetProperty("wantErr").GetBoolean();

        var error = Record.Exception(() => MerkleVerifier.VerifyInclusion(
            Hasher,
            AsSigned(v.GetProperty("leafIdx").GetUInt64()),
            AsSigned(v.GetProperty("treeSize").GetUInt64()),
            Bytes(v, "leafHash"),
            Proof(v),
            Bytes(v, "root")));

        AssertVerdict(wantErr, error);
    }

    [Theory]
    [MemberData(nameof(ConsistencyFiles))]
    public void VerifyConsistency_VectorFile_GivesNamedVerdict(string file)
    {
        using var json = Read(file);
        var v = json.RootElement;
        var wantErr = v.GetProperty("wantErr").GetBoolean();

        var error = Record.Exception(() => MerkleVerifier.VerifyConsistency(
            Hasher,
            AsSigned(v.GetProperty("size1").GetUInt64()),
            AsSigned(v.GetProperty("size2").GetUInt64()),
            Proof(v),
            Bytes(v, "root1"),
            Bytes(v, "root2")));

        AssertVerdict(wantErr, error);
    }

    private static void AssertVerdict(bool wantErr, Exception? error)
    {
        if (wantErr)
        {
            Assert.NotNull(error);
            Assert.True(
                error is InvalidProofException or RootMismatchException,
                $"Expected a typed proof error, got {error.GetType().Name}: {error.Message}");
        }
        else
        {
            Assert.Null(error);
        }
    }

    private static TheoryData<string> Files(string kind)
    {
        var data = new TheoryData<string>();
        var directory = SharedTestData.FindMerkleDirectory();
        if (directory is null || !Directory.Exists(Path.Combine(directory, kind)))
        {
            return data;
        }

        foreach (var path in Directory.GetFiles(Path.Combine(directory, kind), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(directory, path).Replace('\\', '/'));
        }

        return data;
    }

    private static JsonDocument Read(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedTestData.FindMerkleDirectory()!, file)));

    // The vectors are Go uint64; values above long.MaxValue (e.g. 0 - 1) become negative, which the verifier must reject.
    private static long AsSigned(ulong value) => unchecked((long)value);

    private static byte[] Bytes(JsonElement v, string name) =>
        v.GetProperty(name).ValueKind == JsonValueKind.Null ? [] : Convert.FromBase64String(v.GetProperty(name).GetString()!);

    private static byte[][] Proof(JsonElement v) =>
        v.GetProperty("proof").ValueKind == JsonValueKind.Null
            ? []
            : [.. v.GetProperty("proof").EnumerateArray().Select(e => Convert.FromBase64String(e.GetString()!))];
}
