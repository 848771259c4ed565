using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Provenance.Core.Contracts;

namespace Provenance.Core.Evidence;

/// <summary>Reads a bundle written by <see cref="EvidenceBundleWriter"/>. Reads only; <see cref="EvidenceVerifier"/> judges.</summary>
public static class EvidenceBundleReader
{
    /// <summary>Largest bundle file read (the bundle is small; this bounds a hostile zip).</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>Reads a bundle from a stream (copied to memory first if not seekable).</summary>
    /// <exception cref="InvalidEvidenceBundleException">Not a zip, a required file missing, or a file that does not parse.</exception>
    public static async Task<EvidenceBundleFile> ReadAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = new MemoryStream();
        await source.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Read(buffer.ToArray());
    }

    /// <summary>Reads a bundle from its zip bytes.</summary>
    /// <exception cref="InvalidEvidenceBundleException">Not a zip, a required file missing, or a file that does not parse.</exception>
    public static EvidenceBundleFile Read(byte[] zipBytes)
    {
        ArgumentNullException.ThrowIfNull(zipBytes);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var zip = new ZipArchive(new MemoryStream(zipBytes, writable: false), ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/'))
                {
                    continue;
                }

                if (entry.Length > MaxFileBytes)
                {
                    throw new InvalidEvidenceBundleException($"'{entry.FullName}' is larger than {MaxFileBytes} bytes.", entry.FullName);
                }

                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                if (!files.TryAdd(entry.FullName, copy.ToArray()))
                {
                    throw new InvalidEvidenceBundleException($"'{entry.FullName}' appears twice.", entry.FullName);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidEvidenceBundleException("The file is not a readable zip.", null, e);
        }

        var index = Json<EvidenceBundleIndex>(files, EvidenceBundleLayout.Index);
        if (index.Format != EvidenceBundleLayout.FormatV1)
        {
            throw new InvalidEvidenceBundleException($"Unknown bundle format '{index.Format}'; this build reads {EvidenceBundleLayout.FormatV1}.", EvidenceBundleLayout.Index);
        }

        EvidenceCheckpoint? checkpoint = files.ContainsKey(EvidenceBundleLayout.Checkpoint)
            ? new EvidenceCheckpoint(
                Required(files, EvidenceBundleLayout.Checkpoint),
                Text(files, EvidenceBundleLayout.CheckpointJws),
                Text(files, EvidenceBundleLayout.LogKeyPem))
            : null;
        var timestamps = (index.Timestamps ?? [])
            .Select(t => new EvidenceTimestamp(t.Tsa, Required(files, t.Token), Text(files, t.Chain)))
            .ToList();
        var bundle = new EvidenceBundle(
            index.AssetId,
            Required(files, EvidenceBundleLayout.Manifest),
            Text(files, EvidenceBundleLayout.ManifestJws),
            Text(files, EvidenceBundleLayout.SignerKeyPem),
            Json<EvidenceLineage>(files, EvidenceBundleLayout.Lineage),
            files.ContainsKey(EvidenceBundleLayout.InclusionProof) ? Json<InclusionProofDto>(files, EvidenceBundleLayout.InclusionProof) : null,
            checkpoint,
            timestamps,
            index.CreatedAt,
            index.Generator);
        return new EvidenceBundleFile(bundle, index, files);
    }

    private static byte[] Required(Dictionary<string, byte[]> files, string path) =>
        files.TryGetValue(path, out var bytes) ? bytes : throw new InvalidEvidenceBundleException($"The bundle has no '{path}'.", path);

    private static string Text(Dictionary<string, byte[]> files, string path)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Required(files, path));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidEvidenceBundleException($"'{path}' is not UTF-8 text.", path, e);
        }
    }

    private static T Json<T>(Dictionary<string, byte[]> files, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Required(files, path), ApiJson.Options)
                ?? throw new InvalidEvidenceBundleException($"'{path}' is empty.", path);
        }
        catch (JsonException e)
        {
            throw new InvalidEvidenceBundleException($"'{path}' is not valid JSON of the expected shape: {e.Message}", path, e);
        }
    }
}

/// <summary>A bundle that cannot be read at all (not a zip, a file missing or unparseable).</summary>
public sealed class InvalidEvidenceBundleException(string message, string? field = null, Exception? inner = null)
    : ProvenanceException("invalid-evidence-bundle", message, field, inner);
