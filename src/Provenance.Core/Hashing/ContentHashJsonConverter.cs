using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provenance.Core.Hashing;

/// <summary>Writes a <see cref="ContentHash"/> as its canonical string and reads it strictly.</summary>
internal sealed class ContentHashJsonConverter : JsonConverter<ContentHash>
{
    public override ContentHash Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && ContentHash.TryParse(reader.GetString(), out var hash)
            ? hash
            : throw new JsonException("Expected a content hash 'sha256:<64 lowercase hex>'.");

    public override void Write(Utf8JsonWriter writer, ContentHash value, JsonSerializerOptions options)
    {
        Span<char> text = stackalloc char[ContentHash.StringLength];
        Labels.ContentHashPrefix.CopyTo(text);
        Convert.TryToHexStringLower(value.Bytes, text[Labels.ContentHashPrefix.Length..], out _);
        writer.WriteStringValue(text);
    }
}
