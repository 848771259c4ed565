using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provenance.Core.Contracts;

/// <summary>
/// The one JSON configuration of the public API (docs/api.md): camelCase properties, enums as camelCase
/// strings, nulls omitted, case-insensitive reading. The server, the typed client and the CLI all use
/// <see cref="Options"/>, so a contract serialises identically on both sides of the wire.
/// </summary>
public static class ApiJson
{
    /// <summary>Read-only serializer options for API bodies; pass them as they are (they cannot be changed).</summary>
    public static JsonSerializerOptions Options { get; } = Create(writeIndented: false);

    /// <summary>The same options, indented: for human-facing output such as <c>provenance --json</c>.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(writeIndented: true);

    /// <summary>Media type of API bodies.</summary>
    public const string MediaType = "application/json";

    /// <summary>Media type of RFC 9457 error bodies.</summary>
    public const string ProblemMediaType = "application/problem+json";

    /// <summary>Prefix of every problem <c>type</c> URI; the rest is the stable error code (<see cref="ProvenanceException.Code"/>).</summary>
    public const string ProblemTypePrefix = "https://provenance.dev/problems/";

    private static JsonSerializerOptions Create(bool writeIndented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = writeIndented,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
