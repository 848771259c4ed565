namespace Provenance.Core.Manifests;

/// <summary>
/// A manifest names a schema version this build does not read (or none). Code <c>unsupported-schema-version</c>,
/// field <c>schemaVersion</c>.
/// </summary>
public sealed class UnsupportedSchemaVersionException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="actual">The version the document gave, or <see langword="null"/> if it gave none.</param>
    /// <param name="supported">The version this build reads.</param>
    public UnsupportedSchemaVersionException(string? actual, string supported)
        : base("unsupported-schema-version",
            actual is null
                ? $"The manifest has no schemaVersion; this build reads '{supported}'."
                : $"The manifest schemaVersion '{actual}' is not supported; this build reads '{supported}'.",
            "schemaVersion")
    {
        Actual = actual;
        Supported = supported;
    }

    /// <summary>The version the document gave, or <see langword="null"/>.</summary>
    public string? Actual { get; }

    /// <summary>The version this build reads.</summary>
    public string Supported { get; }
}

/// <summary>
/// A manifest document is not a valid instance of its schema: wrong type, missing required member,
/// unknown member. Code <c>invalid-manifest</c>; <see cref="ProvenanceException.Field"/> is the JSON path.
/// </summary>
public sealed class InvalidManifestException : ProvenanceException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="field">JSON path of the offending member, if known.</param>
    /// <param name="inner">The underlying parser error, if any.</param>
    public InvalidManifestException(string message, string? field = null, Exception? inner = null)
        : base("invalid-manifest", message, field, inner)
    {
    }
}
