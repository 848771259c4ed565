using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provenance.Core.Manifests;

/// <summary>Source-generated System.Text.Json metadata for the manifest wire format (camelCase, nulls omitted, strict on read).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(UtcTimestampJsonConverter)])]
[JsonSerializable(typeof(ManifestV1))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;

/// <summary>
/// RFC 3339 section 5.6 timestamps, always written in UTC with <c>Z</c> and only the fractional-second digits
/// needed (none for whole seconds), so one instant has one canonical form. Reads 'Z' or a numeric offset; other forms are refused.
/// </summary>
internal sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    private const string WriteFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'";

    private static readonly string[] ReadFormats = ["yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK", "yyyy'-'MM'-'dd'T'HH':'mm':'ssK"];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // RFC 3339 requires the offset ('Z' or +hh:mm); without one .NET would assume local time, so it is refused.
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return text is not null
            && (text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-'))
            && DateTimeOffset.TryParseExact(text, ReadFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value.ToUniversalTime()
            : throw new JsonException("Expected an RFC 3339 timestamp such as 2026-01-02T03:04:05Z.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<char> text = stackalloc char[40];
        value.UtcDateTime.TryFormat(text, out var written, WriteFormat, CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }
}
