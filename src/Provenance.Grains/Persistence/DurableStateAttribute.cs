using Orleans;

namespace Provenance.Grains.Persistence;

/// <summary>
/// Marks a grain constructor parameter of type <see cref="IDurableState{TState}"/>: Orleans supplies it (through
/// <see cref="DurableStateAttributeMapper"/>), bound to the state <paramref name="stateName"/> of the grain being activated.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class DurableStateAttribute(string stateName) : Attribute, IFacetMetadata
{
    /// <summary>The state's name within the grain (part of the stored key: renaming it orphans the state).</summary>
    public string StateName { get; } = stateName;
}
