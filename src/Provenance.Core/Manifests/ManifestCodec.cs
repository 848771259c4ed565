using System.Text;
using System.Text.Json;
using Provenance.Core.Hashing;
using Provenance.Core.Json;

namespace Provenance.Core.Manifests;

/// <summary>
/// The manifest wire format: camelCase JSON without null members, canonicalised with RFC 8785
/// (<see cref="Jcs"/>). The canonical bytes are what is hashed, signed and stored.
/// </summary>
public static class ManifestCodec
{
    [ThreadStatic]
    private static PooledByteBuffer? t_serialized;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Serialises and canonicalises <paramref name="manifest"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="manifest"/> or one of its required members is null.</exception>
    /// <exception cref="JcsException"><see cref="ManifestV1.GenerationParameters"/> breaks I-JSON (e.g. a duplicate member).</exception>
    public static byte[] ToCanonicalBytes(ManifestV1 manifest)
    {
        using var canonical = new PooledByteBuffer(2048);
        WriteCanonical(manifest, canonical);
        return canonical.ToArray();
    }

    /// <summary><c>sha256:</c> of <see cref="ToCanonicalBytes"/>: the manifest hash that the log records.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="manifest"/> is null.</exception>
    /// <exception cref="JcsException">As for <see cref="ToCanonicalBytes"/>.</exception>
    public static ContentHash Hash(ManifestV1 manifest)
    {
        using var canonical = new PooledByteBuffer(2048);
        WriteCanonical(manifest, canonical);
        return ContentHash.Compute(canonical.WrittenSpan);
    }

    /// <summary>
    /// Reads a manifest. The document must be I-JSON (no duplicate members, valid UTF-8) and name
    /// <see cref="Labels.ManifestSchemaV1"/>; members the schema does not define are refused.
    /// It need not be canonical.
    /// </summary>
    /// <exception cref="UnsupportedSchemaVersionException"><c>schemaVersion</c> is missing, not a string, or not v1.</exception>
    /// <exception cref="JcsException">The document is not well-formed I-JSON.</exception>
    /// <exception cref="InvalidManifestException">The document does not fit the v1 schema.</exception>
    public static ManifestV1 Parse(ReadOnlySpan<byte> utf8Json)
    {
        using (var validated = new PooledByteBuffer(Math.Max(256, utf8Json.Length)))
        {
            Jcs.CanonicalizeCore(utf8Json, validated);
        }

        var version = ReadSchemaVersion(utf8Json);
        if (version != Labels.ManifestSchemaV1)
        {
            throw new UnsupportedSchemaVersionException(version, Labels.ManifestSchemaV1);
        }

        try
        {
            return JsonSerializer.Deserialize(utf8Json, ManifestJsonContext.Default.ManifestV1)
                ?? throw new InvalidManifestException("The manifest is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException($"The manifest does not fit {Labels.ManifestSchemaV1}: {e.Message}", e.Path, e);
        }
        catch (InvalidContentHashException e)
        {
            throw new InvalidManifestException(e.Message, e.Field, e);
        }
    }

    internal static void WriteCanonical(ManifestV1 manifest, PooledByteBuffer canonical)
    {
        ArgumentNullException.ThrowIfNull(manifest);

        // Serialisation buffers are reused per thread: this path runs once per registration and must stay allocation-light.
        var serialized = t_serialized ??= new PooledByteBuffer(2048);
        var writer = t_writer ??= new Utf8JsonWriter(serialized);
        serialized.Clear();
        writer.Reset(serialized);
        try
        {
            JsonSerializer.Serialize(writer, manifest, ManifestJsonContext.Default.ManifestV1);
            writer.Flush();
            Jcs.CanonicalizeCore(serialized.WrittenSpan, canonical);
        }
        finally
        {
            writer.Reset();
            serialized.Clear();
        }
    }

    private static string? ReadSchemaVersion(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidManifestException("A manifest is a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = reader.ValueTextEquals("schemaVersion"u8);
            reader.Read();
            if (isVersion)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : Encoding.UTF8.GetString(reader.ValueSpan);
            }

            reader.Skip();
        }

        return null;
    }
}
