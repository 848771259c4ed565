using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Provenance.Core.Hashing;

namespace Provenance.Benchmarks.Core;

/// <summary>
/// Target: <see cref="ContentHash.ComputeAsync"/> over a 1 GB file within 1.2x of <c>sha256sum</c>. The baseline is the
/// BCL's one-call <see cref="SHA256.HashData(Stream)"/> over the same file. The temp file is deleted in cleanup.
/// </summary>
[MemoryDiagnoser]
public class StreamingHashBenchmarks
{
    private const long FileSize = 1L << 30;
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"provenance-bench-{Guid.NewGuid():N}.bin");
        var chunk = new byte[1 << 20];
        new Random(42).NextBytes(chunk);
        using var file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        for (long written = 0; written < FileSize; written += chunk.Length)
        {
            chunk[0] = (byte)(written >> 20);
            file.Write(chunk);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Baseline = true, Description = "SHA256.HashData(Stream), 1 GB file")]
    public byte[] RawSha256HashData()
    {
        using var file = Open();
        return SHA256.HashData(file);
    }

    [Benchmark(Description = "ContentHash.ComputeAsync, 1 GB file")]
    public async Task<ContentHash> ContentHashComputeAsync()
    {
        await using var file = Open();
        return await ContentHash.ComputeAsync(file);
    }

    // bufferSize 0: no FileStream buffer, reads go straight into the caller's buffer.
    private FileStream Open() => new(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
}
