using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provenance.Core.Contracts;

/// <summary>
/// The one JSON configuration of the HTTP API (docs/api.md): camelCase properties, enums as camelCase
/// strings (integers refused), nulls omitted, required constructor parameters and nullability enforced
/// on input. The server configures ASP.NET Core with <see cref="Configure"/>; the client and CLI use
/// <see cref="Options"/> so both sides read and write the same wire format.
/// </summary>
public static class ApiJson
{
    /// <summary>Shared, read-only options (do not mutate; call <see cref="Configure"/> on your own instance instead).</summary>
    public static JsonSerializerOptions Options { get; } = CreateReadOnly();

    /// <summary>Applies the API's settings to <paramref name="options"/> (e.g. ASP.NET Core's HTTP JSON options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    private static JsonSerializerOptions CreateReadOnly()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
