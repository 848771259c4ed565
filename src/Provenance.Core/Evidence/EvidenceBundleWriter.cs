using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Provenance.Core.Contracts;
using Provenance.Core.Hashing;

namespace Provenance.Core.Evidence;

/// <summary>
/// Writes an <see cref="EvidenceBundle"/> as one zip (docs/evidence-bundle.md). Pure: it writes only to the
/// stream it is given, and equal input gives equal bytes (entry times are <see cref="EvidenceBundle.CreatedAt"/>).
/// </summary>
public static class EvidenceBundleWriter
{
    /// <summary>Writes the bundle to <paramref name="destination"/> (which may be non-seekable; the zip is built in memory first).</summary>
    /// <exception cref="Signing.InvalidKeyException">A key PEM holds no P-256 public key.</exception>
    public static async Task WriteAsync(EvidenceBundle bundle, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var bytes = ToBytes(bundle);
        await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bundle's zip bytes.</summary>
    /// <exception cref="Signing.InvalidKeyException">A key PEM holds no P-256 public key.</exception>
    public static byte[] ToBytes(EvidenceBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var files = Files(bundle);
        var index = new EvidenceBundleIndex(
            EvidenceBundleLayout.FormatV1,
            bundle.AssetId,
            ContentHash.Compute(bundle.ManifestCanonical).ToString(),
            EvidenceBundleLayout.CheckpointFormatV1,
            bundle.CreatedAt,
            bundle.Generator,
            [.. files.Select(f => new EvidenceBundleFileEntry(f.Path, Convert.ToHexStringLower(SHA256.HashData(f.Bytes)), f.Bytes.Length))],
            [.. bundle.Timestamps.Select(t => new EvidenceBundleTimestampEntry(t.Tsa, EvidenceBundleLayout.TokenPath(t.Tsa), EvidenceBundleLayout.ChainPath(t.Tsa)))]);

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, EvidenceBundleLayout.Index, JsonSerializer.SerializeToUtf8Bytes(index, ApiJson.Indented), bundle.CreatedAt);
            foreach (var (path, bytes) in files)
            {
                Add(zip, path, bytes, bundle.CreatedAt);
            }
        }

        return buffer.ToArray();
    }

    private static List<(string Path, byte[] Bytes)> Files(EvidenceBundle bundle)
    {
        var files = new List<(string, byte[])>
        {
            (EvidenceBundleLayout.Readme, Encoding.UTF8.GetBytes(EvidenceReadme.Render(bundle))),
            (EvidenceBundleLayout.Manifest, bundle.ManifestCanonical),
            (EvidenceBundleLayout.ManifestJws, Encoding.ASCII.GetBytes(bundle.ManifestJws)),
            (EvidenceBundleLayout.SignerKeyPem, Encoding.ASCII.GetBytes(bundle.SignerKeyPem)),
            (EvidenceBundleLayout.SignerKeyJwk, Jwk(bundle.SignerKeyPem)),
            (EvidenceBundleLayout.Lineage, JsonSerializer.SerializeToUtf8Bytes(bundle.Lineage, ApiJson.Indented)),
        };
        if (bundle.InclusionProof is { } proof)
        {
            files.Add((EvidenceBundleLayout.InclusionProof, JsonSerializer.SerializeToUtf8Bytes(proof, ApiJson.Indented)));
        }

        if (bundle.Checkpoint is { } checkpoint)
        {
            files.Add((EvidenceBundleLayout.Checkpoint, checkpoint.Text));
            files.Add((EvidenceBundleLayout.CheckpointJws, Encoding.ASCII.GetBytes(checkpoint.Jws)));
            files.Add((EvidenceBundleLayout.LogKeyPem, Encoding.ASCII.GetBytes(checkpoint.LogKeyPem)));
            files.Add((EvidenceBundleLayout.LogKeyJwk, Jwk(checkpoint.LogKeyPem)));
        }

        foreach (var timestamp in bundle.Timestamps)
        {
            files.Add((EvidenceBundleLayout.TokenPath(timestamp.Tsa), timestamp.TokenDer));
            files.Add((EvidenceBundleLayout.ChainPath(timestamp.Tsa), Encoding.ASCII.GetBytes(timestamp.ChainPem)));
        }

        var duplicate = files.GroupBy(f => f.Item1).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two bundle files would share the name '{duplicate.Key}' (TSA names must differ after file-name escaping).", nameof(bundle));
        }

        return files;
    }

    private static byte[] Jwk(string pem) => Encoding.UTF8.GetBytes(EvidenceKeys.ToJwk(EvidenceKeys.ImportPem(pem)) + "\n");

    private static void Add(ZipArchive zip, string path, byte[] bytes, DateTimeOffset time)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        // Zip times have no zone and a 1980 floor; clamp so any CreatedAt is writable.
        var utc = time.UtcDateTime;
        entry.LastWriteTime = utc.Year < 1980 ? new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc) : utc;
        using var stream = entry.Open();
        stream.Write(bytes);
    }
}
