namespace Provenance.Actors;

/// <summary>Marker for grain interfaces. Use one of the keyed variants below.</summary>
/// <remarks>
/// In-process calls pass arguments and results by reference (no serialisation, unlike Orleans):
/// callers and grains must treat them as immutable once passed (records, immutable collections).
/// </remarks>
public interface IGrain;

/// <summary>A grain whose primary key is a string.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>A grain whose primary key is a <see cref="Guid"/>.</summary>
public interface IGrainWithGuidKey : IGrain;

/// <summary>A grain whose primary key is a 64-bit integer.</summary>
public interface IGrainWithIntegerKey : IGrain;

/// <summary>
/// Creates grain references. A reference is a cheap proxy: creating one does not activate the grain;
/// the first call does. References may be cached and shared between threads.
/// </summary>
public interface IGrainFactory
{
    /// <summary>A reference to the string-keyed grain <paramref name="primaryKey"/>.</summary>
    /// <exception cref="ArgumentException">The key is null or empty, or no (or more than one) registered grain class implements <typeparamref name="TGrainInterface"/>.</exception>
    TGrainInterface GetGrain<TGrainInterface>(string primaryKey) where TGrainInterface : IGrainWithStringKey;

    /// <summary>A reference to the Guid-keyed grain <paramref name="primaryKey"/>.</summary>
    /// <exception cref="ArgumentException">No (or more than one) registered grain class implements <typeparamref name="TGrainInterface"/>.</exception>
    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey) where TGrainInterface : IGrainWithGuidKey;

    /// <summary>A reference to the integer-keyed grain <paramref name="primaryKey"/>.</summary>
    /// <exception cref="ArgumentException">No (or more than one) registered grain class implements <typeparamref name="TGrainInterface"/>.</exception>
    TGrainInterface GetGrain<TGrainInterface>(long primaryKey) where TGrainInterface : IGrainWithIntegerKey;
}

/// <summary>Identity of a grain: its stable type name and its primary key in string form.</summary>
/// <param name="Type">Stable grain type name (see <see cref="GrainTypeAttribute"/>).</param>
/// <param name="Key">Primary key: the string itself, a Guid in "D" format, or an integer in invariant culture.</param>
public readonly record struct GrainId(string Type, string Key)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Type}/{Key}";
}
