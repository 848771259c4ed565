using System.Text.Json;

namespace Provenance.Grains.Persistence;

/// <summary>The serialiser options of every <see cref="IDurableState{TState}"/> (web defaults: camelCase names).</summary>
public static class DurableStateJson
{
    /// <summary>Shared, read-only after start-up.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
