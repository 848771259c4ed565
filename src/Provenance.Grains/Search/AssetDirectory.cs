using System.Globalization;
using Provenance.Core.Storage;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Hashing;
using Provenance.Grains.Lineage;

namespace Provenance.Grains.Search;

/// <summary><see cref="IAssetDirectory"/> over the secondary index and the lineage cache. Cursors are index sequences.</summary>
internal sealed class AssetDirectory(IGrainIndex index, LineageGraph graph) : IAssetDirectory
{
    /// <summary>The page <see cref="FindOwnByContentHashAsync"/> looks in.</summary>
    public const int OwnLookupLimit = 100;

    /// <summary>Bound on remembered answers of <see cref="FindOwnByContentHashAsync"/>; reaching it starts over.</summary>
    public const int MaxRememberedOwners = 100_000;

    // (tenant, content hash) → the tenant's first asset among the hash's index rows. An answer, once found, stays the
    // answer: index rows are never deleted, a row's sequence number never changes and rows committed later are numbered
    // after every numbered row (rows read before they are numbered already sort after every numbered row), and an
    // asset's tenant and content hash never change. So only "found" is remembered; a miss asks the index again, and a
    // new asset of a tenant that had none is found on its first lookup.
    private readonly BoundedMemo<(string Tenant, string Hash), string> owners = new(MaxRememberedOwners);

    /// <inheritdoc/>
    public Task<AssetIdPage> FindByContentHashAsync(CallerContext caller, string contentHash, int limit, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Scopes.Read);
        if (!ContentHash.TryParse(contentHash, out var hash))
        {
            throw new ValidationFailedException("hash must be 'sha256:' followed by 64 lowercase hex digits.", "hash");
        }

        return PageAsync(StorageNames.ByHashIndex, hash.ToString(), limit, cursor, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<AssetIdPage> FindByTokenAsync(CallerContext caller, string word, int limit, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Scopes.Read);
        var token = SearchTokens.Normalize(word) ?? throw new ValidationFailedException("The query must be one word of at least two letters or digits.", "q");
        return PageAsync(StorageNames.SearchIndex, StorageNames.SearchKey(caller.Tenant, token), limit, cursor, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<string?> FindOwnByContentHashAsync(CallerContext caller, string contentHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Scopes.Read);
        if (!ContentHash.TryParse(contentHash, out var hash))
        {
            throw new ValidationFailedException("hash must be 'sha256:' followed by 64 lowercase hex digits.", "hash");
        }

        var key = (caller.Tenant, hash.ToString());
        if (owners.TryGet(key, out var remembered))
        {
            return remembered;
        }

        var page = await PageAsync(StorageNames.ByHashIndex, key.Item2, OwnLookupLimit, null, cancellationToken);
        var valid = page.AssetIds.Where(AssetIds.IsValid).ToList();
        await graph.PrefetchSummariesAsync(valid);
        foreach (var id in valid)
        {
            if (await graph.GetSummaryAsync(id) is { } summary && summary.Tenant == caller.Tenant)
            {
                return owners.Remember(key, id);
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<LineageNodeDto>> DescribeAsync(CallerContext caller, IReadOnlyList<string> assetIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(assetIds);
        caller.Require(Scopes.Read);
        var valid = assetIds.Where(AssetIds.IsValid).ToList();
        await graph.PrefetchSummariesAsync(valid);
        var nodes = new List<LineageNodeDto>(valid.Count);
        foreach (var id in valid)
        {
            if (await graph.GetSummaryAsync(id) is { } summary)
            {
                nodes.Add(await graph.NodeAsync(caller, summary, 0, null, null, cancellationToken));
            }
        }

        return nodes;
    }

    private async Task<AssetIdPage> PageAsync(string indexName, string key, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1_000)
        {
            throw new ValidationFailedException("limit must be between 1 and 1000.", "limit");
        }

        var after = cursor is null ? IndexCursor.Start : ParseCursor(cursor);
        var rows = await index.QueryAsync(indexName, key, after, limit + 1, cancellationToken);
        var page = rows.Take(limit).ToList();
        return new AssetIdPage(
            [.. page.Select(r => r.Value)],
            rows.Count > limit ? FormatCursor(IndexCursor.After(after, page)) : null);
    }

    // A cursor is "<seq>", or "<seq>.<pendingId>" when the page ended among rows the index had not numbered yet.
    private static string FormatCursor(IndexCursor cursor) => cursor.PendingId == 0
        ? cursor.Seq.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{cursor.Seq}.{cursor.PendingId}");

    private static IndexCursor ParseCursor(string cursor)
    {
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        var seqPart = dot < 0 ? cursor : cursor[..dot];
        var pendingPart = dot < 0 ? "0" : cursor[(dot + 1)..];
        if (!long.TryParse(seqPart, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            || !long.TryParse(pendingPart, NumberStyles.None, CultureInfo.InvariantCulture, out var pendingId)
            || (dot >= 0 && pendingId == 0))
        {
            throw new ValidationFailedException("The cursor is not one this search returned.", "cursor");
        }

        return new IndexCursor(seq, pendingId);
    }
}
