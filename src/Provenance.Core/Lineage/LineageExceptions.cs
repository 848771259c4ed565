namespace Provenance.Core.Lineage;

/// <summary>A parent link would make an asset its own ancestor. Code <c>lineage-cycle</c>.</summary>
public sealed class LineageCycleException(string assetId, string parentId)
    : ProvenanceException("lineage-cycle", $"Linking '{assetId}' to parent '{parentId}' would form a cycle: '{parentId}' is '{assetId}' or one of its descendants.", "parentId")
{
    /// <summary>The asset that would get the parent.</summary>
    public string AssetId { get; } = assetId;

    /// <summary>The parent that closes the cycle.</summary>
    public string ParentId { get; } = parentId;
}

/// <summary>A named parent is not registered. Code <c>unknown-parent</c>.</summary>
public sealed class UnknownParentException(string parentId, string? field)
    : ProvenanceException("unknown-parent", $"Parent '{parentId}' is not a registered asset; register it first.", field)
{
    /// <summary>The unknown id.</summary>
    public string ParentId { get; } = parentId;
}

/// <summary>A named parent belongs to another tenant that does not trust the caller's tenant. Code <c>cross-tenant-parent</c>.</summary>
public sealed class CrossTenantParentException(string parentId, string? field)
    : ProvenanceException("cross-tenant-parent", $"Parent '{parentId}' belongs to another tenant that does not allow this tenant to link to its assets.", field)
{
    /// <summary>The refused parent.</summary>
    public string ParentId { get; } = parentId;

    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Forbidden;
}
