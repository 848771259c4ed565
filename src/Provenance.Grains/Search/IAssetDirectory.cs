using Provenance.Core.Contracts;

namespace Provenance.Grains.Search;

/// <summary>
/// Finds assets by content hash (<c>by-hash</c> index) or by search token (<c>search</c> index, per tenant) and turns
/// ids into lineage nodes. A node-wide service (not a grain): it only reads the index and the lineage cache.
/// </summary>
public interface IAssetDirectory
{
    /// <summary>Ids of assets with this exact content (any tenant: <see cref="DescribeAsync"/> redacts others), paged by an opaque cursor.</summary>
    /// <exception cref="Core.Assets.ValidationFailedException">Malformed hash, limit or cursor.</exception>
    Task<AssetIdPage> FindByContentHashAsync(CallerContext caller, string contentHash, int limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>Ids of the caller's tenant's assets whose title, tags, model, creator (or, under clear prompt privacy, prompt) contain <paramref name="word"/>.</summary>
    /// <exception cref="Core.Assets.ValidationFailedException">The word holds no token, or a malformed limit or cursor.</exception>
    Task<AssetIdPage> FindByTokenAsync(CallerContext caller, string word, int limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>
    /// The caller's tenant's asset with this exact content that comes first among the hash's first 100 index rows (the
    /// first non-redacted node <see cref="FindByContentHashAsync"/> with limit 100 and <see cref="DescribeAsync"/>
    /// would give), or null when there is none. Found answers are remembered per tenant and hash; "none" never is.
    /// </summary>
    /// <exception cref="Core.Assets.ValidationFailedException">Malformed hash.</exception>
    Task<string?> FindOwnByContentHashAsync(CallerContext caller, string contentHash, CancellationToken cancellationToken);

    /// <summary>Lineage nodes (depth 0) for ids, in order; unknown ids are skipped, other tenants' nodes redacted.</summary>
    Task<IReadOnlyList<LineageNodeDto>> DescribeAsync(CallerContext caller, IReadOnlyList<string> assetIds, CancellationToken cancellationToken);
}

/// <summary>A page of asset ids; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record AssetIdPage(IReadOnlyList<string> AssetIds, string? NextCursor);
