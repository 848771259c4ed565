using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Storage;
using Provenance.Core.Merkle;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>Appends log leaves the way an asset registration does: pending entries committed with a state write (acknowledged once the write returns).</summary>
internal static class LogAppends
{
    /// <summary>Source key of test leaf <paramref name="i"/> with <paramref name="prefix"/>: <c>"{prefix}-{i}@1"</c> (asset <c>{prefix}-{i}</c>, revision 1).</summary>
    public static string AssetId(string prefix, long i) => $"{prefix}-{i}";

    /// <summary>The 32-byte "manifest hash" of test leaf <paramref name="assetId"/>.</summary>
    public static byte[] ManifestHash(string assetId) => SHA256.HashData(Encoding.UTF8.GetBytes("manifest of " + assetId));

    /// <summary>Appends leaves [<paramref name="begin"/>, <paramref name="end"/>) in one transaction.</summary>
    public static async Task AppendAsync(IDurableStateStore storage, string prefix, long begin, long end)
    {
        var effects = new DurableEffects();
        for (var i = begin; i < end; i++)
        {
            var id = AssetId(prefix, i);
            effects.LogAppends.Add(new LogAppend(StorageNames.LogSourceKey(id, 1), ManifestHash(id)));
        }

        var key = new GrainStateKey("test-appender", $"{prefix}-{begin}-{end}", "batch");
        await storage.WriteAsync(key, "{}"u8.ToArray(), null, effects, CancellationToken.None);
    }

    /// <summary>The RFC 9162 root recomputed from every sequenced leaf input, index order.</summary>
    public static async Task<byte[]> RecomputeRootAsync(ILogStore log, long size)
    {
        var inputs = await log.ReadLeafInputsAsync(0, size, CancellationToken.None);
        var hasher = Sha256MerkleHasher.Instance;
        return MerkleTree.ComputeRoot(hasher, [.. inputs.Select(i => hasher.HashLeaf(i))]);
    }

    /// <summary>Waits until nothing is pending (the background loops sequence), up to <paramref name="timeout"/>.</summary>
    public static async Task<LogHead> WaitSequencedAsync(ILogStore log, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var head = await log.GetHeadAsync(CancellationToken.None);
            if (head.Pending == 0 || DateTime.UtcNow > deadline)
            {
                return head;
            }

            await Task.Delay(20);
        }
    }
}
