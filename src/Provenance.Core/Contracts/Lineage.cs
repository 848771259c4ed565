using Provenance.Core.Manifests;

namespace Provenance.Core.Contracts;

/// <summary>One node of a lineage answer, with enough of its manifest to render a tree without another call.
/// Nodes of other tenants are redacted: only id and content hash.</summary>
public sealed record LineageNodeDto(
    string AssetId,
    string ContentHash,
    int Depth,
    string? ViaAssetId,
    Relationship? Relationship,
    bool Redacted,
    string? Title = null,
    string? MediaType = null,
    LifecycleStatus? Status = null,
    string? Model = null,
    PromptVersionRef? Prompt = null,
    string? Creator = null,
    int ParentCount = 0,
    long ChildCount = 0);

/// <summary>A page of lineage nodes (breadth-first, by depth then id). <see cref="NextCursor"/> is opaque; null on the last page.</summary>
public sealed record LineagePage(string AssetId, string Direction, int MaxDepth, IReadOnlyList<LineageNodeDto> Nodes, string? NextCursor);

/// <summary>GET /v1/lineage/path: a shortest parent chain from <see cref="From"/> up to <see cref="To"/> (an ancestor), or Found=false.</summary>
public sealed record LineagePathDto(string From, string To, bool Found, IReadOnlyList<LineageNodeDto> Path);

/// <summary>GET /v1/search result.</summary>
public sealed record SearchResultDto(IReadOnlyList<LineageNodeDto> Items, string? NextCursor);
