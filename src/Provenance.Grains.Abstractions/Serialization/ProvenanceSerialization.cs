using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Serialization;

/// <summary>
/// How Provenance types cross a grain call (docs/adr/0005). Types of this assembly carry Orleans' generated serializers
/// (<c>[GenerateSerializer]</c>). Types of <c>Provenance.Core</c> stay free of any runtime, so they travel as JSON
/// (System.Text.Json, with the API's own options; domain exceptions keep their type, code and fields) and are never deep-copied: every Core type that crosses a call is an
/// immutable record or value, so a local call hands over the same instance, as <c>[Immutable]</c> would.
/// Silos and cluster clients must both call <see cref="AddProvenanceSerializers"/>.
/// </summary>
public static class ProvenanceSerialization
{
    private static readonly System.Reflection.Assembly CoreAssembly = typeof(ApiJson).Assembly;

    /// <summary>The API's JSON options plus the converter that carries domain exceptions with their code and fields.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions CallJson = CreateCallJson();

    private static System.Text.Json.JsonSerializerOptions CreateCallJson()
    {
        var options = new System.Text.Json.JsonSerializerOptions(ApiJson.Options);
        options.Converters.Add(new DomainExceptionConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Registers the JSON codec for Core types and the pass-by-reference copier.</summary>
    public static ISerializerBuilder AddProvenanceSerializers(this ISerializerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJsonSerializer(IsCoreType, static _ => false, options => options.Configure(o => o.SerializerOptions = CallJson));
        builder.Services.AddSingleton<IGeneralizedCopier, CoreImmutableCopier>();
        return builder;
    }

    /// <summary>True for a type declared in <c>Provenance.Core</c>.</summary>
    internal static bool IsCoreType(Type type) => type.Assembly == CoreAssembly;

    /// <summary>Copies Core values by reference: they are immutable by contract (records with init-only members).</summary>
    private sealed class CoreImmutableCopier : IGeneralizedCopier
    {
        public bool IsSupportedType(Type type) => IsCoreType(type);

        public object? DeepCopy(object? input, CopyContext context) => input;
    }
}
