using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Provenance.Core.Storage;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Lineage;
using Provenance.Grains.Assets;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Lineage;

/// <summary>
/// The node-wide lineage cache behind every lineage answer (one per grain runtime / process).
/// <list type="bullet">
/// <item>Summaries (<see cref="AssetSummary"/>) are published by asset activations on this silo after every read and
/// write, asked of the asset's activation on a miss (<see cref="IAssetGrain.GetSummaryAsync"/> interleaves, so a walk
/// started inside a grain turn cannot deadlock), and dropped when storage reports that another silo changed the asset.</item>
/// <item>Children lists are loaded lazily from the <c>children</c> index and refreshed incrementally by sequence: the
/// query root on every query, any other list when another node changed some asset since it was last refreshed.
/// Registrations on this node extend loaded lists in place.</item>
/// </list>
/// A warm query therefore walks memory only (plus one index read for a descendants root). Child counts of nodes other
/// than the expanded ones may lag another node's registrations until that node is expanded.
/// </summary>
internal sealed class LineageGraph : IDisposable
{
    private const int IndexBatch = 10_000;
    private const int PrefetchParallelism = 32;

    private static readonly byte[][] RelationshipData = [.. Enum.GetValues<Relationship>().Select(r => Encoding.UTF8.GetBytes($"{{\"relationship\":\"{Name(r)}\"}}"))];

    private readonly IGrainFactory _grains;
    private readonly IGrainIndex _index;
    private readonly IStateChangeFeed _feed;
    private readonly ConcurrentDictionary<string, AssetSummary> _summaries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChildList> _children = new(StringComparer.Ordinal);
    private long _remoteEpoch;
    private long _version;
    private RestrictionMemo _memo = new(0);

    public LineageGraph(IGrainFactory grains, IGrainIndex index, IStateChangeFeed feed)
    {
        _grains = grains;
        _index = index;
        _feed = feed;
        _feed.StateChangedElsewhere += OnStateChangedElsewhere;
    }

    /// <summary>The index data of a children row for <paramref name="relationship"/>.</summary>
    public static byte[] ChildData(Relationship relationship) => RelationshipData[(int)relationship];

    public void Dispose() => _feed.StateChangedElsewhere -= OnStateChangedElsewhere;

    /// <summary>Records the current summary of an asset (called by its activation on this node).</summary>
    public void Publish(AssetSummary summary)
    {
        _summaries[summary.AssetId] = summary;
        Interlocked.Increment(ref _version);
    }

    /// <summary>A child committed on this node: extend the parent's list if it is loaded (a refresh would find it too).</summary>
    public void OnChildLinked(string parentId, string childId, Relationship relationship)
    {
        if (_children.TryGetValue(parentId, out var list) && list.Loaded)
        {
            list.Add(childId, relationship);
        }
    }

    public ValueTask<AssetSummary?> GetSummaryAsync(string assetId) =>
        _summaries.TryGetValue(assetId, out var summary) ? new(summary) : LoadSummaryAsync(assetId);

    /// <summary>Caches the summary an activation holds unless a newer one is cached (lets a walk find its own start).</summary>
    public void Remember(AssetSummary summary) => _summaries.TryAdd(summary.AssetId, summary);

    private async ValueTask<AssetSummary?> LoadSummaryAsync(string assetId)
    {
        var epoch = Volatile.Read(ref _remoteEpoch);
        // The asset's one activation is the authority (GetSummaryAsync interleaves, so a walk inside a turn cannot deadlock).
        var summary = AssetIds.IsValid(assetId) ? await _grains.GetGrain<IAssetGrain>(assetId).GetSummaryAsync() : null;
        if (summary is not null && Volatile.Read(ref _remoteEpoch) == epoch)
        {
            _summaries.TryAdd(assetId, summary);
        }

        return summary;
    }

    /// <summary>Loads missing summaries of <paramref name="ids"/> concurrently (cold paths only).</summary>
    public Task PrefetchSummariesAsync(IEnumerable<string> ids)
    {
        List<string>? missing = null;
        foreach (var id in ids)
        {
            if (!_summaries.ContainsKey(id))
            {
                (missing ??= []).Add(id);
            }
        }

        return missing is null
            ? Task.CompletedTask
            : Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = PrefetchParallelism }, async (id, _) => await GetSummaryAsync(id));
    }

    /// <summary>Loads missing children lists of <paramref name="ids"/> concurrently (cold paths only).</summary>
    public Task PrefetchChildrenAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        List<string>? missing = null;
        foreach (var id in ids)
        {
            if (!(_children.TryGetValue(id, out var list) && list.Loaded && list.Epoch == Volatile.Read(ref _remoteEpoch)))
            {
                (missing ??= []).Add(id);
            }
        }

        return missing is null
            ? Task.CompletedTask
            : Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = PrefetchParallelism, CancellationToken = cancellationToken },
                async (id, ct) => await GetChildrenAsync(id, refresh: false, ct));
    }

    /// <summary>
    /// The children of an asset. Loads them on first use; refreshes incrementally when <paramref name="refresh"/> is
    /// set or another node changed an asset since the last refresh.
    /// </summary>
    public ValueTask<ChildList> GetChildrenAsync(string assetId, bool refresh, CancellationToken cancellationToken)
    {
        var list = _children.GetOrAdd(assetId, static _ => new ChildList());
        return !refresh && list.Loaded && list.Epoch == Volatile.Read(ref _remoteEpoch)
            ? new(list)
            : RefreshAsync(assetId, list, cancellationToken);
    }

    private async ValueTask<ChildList> RefreshAsync(string assetId, ChildList list, CancellationToken cancellationToken)
    {
        await list.RefreshGate.WaitAsync(cancellationToken);
        try
        {
            var epoch = Volatile.Read(ref _remoteEpoch);
            // The list's own cursor (LastSeq) moves only over numbered rows read before the first row not numbered yet:
            // those come back numbered on a later refresh (Add ignores a known child), so a child that committed late is
            // never skipped. Within this refresh, paging past unnumbered rows uses the full cursor, so it ends.
            var cursor = new IndexCursor(list.LastSeq);
            var pastNumbered = false;
            while (true)
            {
                var rows = await _index.QueryAsync(StorageNames.ChildrenIndex, assetId, cursor, IndexBatch, cancellationToken);
                foreach (var row in rows)
                {
                    list.Add(row.Value, ParseRelationship(row.Data.Span));
                    if (!pastNumbered && row.Seq is { } seq)
                    {
                        list.LastSeq = seq;
                    }
                }

                pastNumbered |= rows.Any(r => r.Seq is null);
                if (rows.Count < IndexBatch)
                {
                    break;
                }

                cursor = IndexCursor.After(cursor, rows);
            }

            list.Epoch = epoch;
            return list;
        }
        finally
        {
            list.RefreshGate.Release();
        }
    }

    /// <summary>Child count for a node of an answer (loads the list when unknown, never refreshes it).</summary>
    private async ValueTask<long> ChildCountAsync(string assetId, CancellationToken cancellationToken)
    {
        if (_children.TryGetValue(assetId, out var list) && list.Loaded)
        {
            return list.Count;
        }

        return (await GetChildrenAsync(assetId, refresh: false, cancellationToken)).Count;
    }

    /// <summary>
    /// Effective restrictions of an asset (restriction → imposing asset) by <see cref="RestrictionPropagation"/> over
    /// the cached summaries; ancestors missing from the cache are loaded first.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> EffectiveRestrictionsAsync(string assetId)
    {
        if (_summaries.TryGetValue(assetId, out var original) && original.Parents.Count == 0)
        {
            // An original inherits nothing: skip the memo (every registration invalidates it anyway).
            return original.Restrictions.Distinct(StringComparer.Ordinal).ToDictionary(r => r, _ => assetId, StringComparer.Ordinal);
        }

        var memo = CurrentMemo();
        if (memo.Results.TryGetValue(assetId, out var known))
        {
            return known;
        }

        await LoadAncestorsAsync(assetId);
        return RestrictionPropagation.Effective(
            assetId,
            id => _summaries.TryGetValue(id, out var s) ? new RestrictionNode(s.Restrictions, s.Lifts, [.. s.Parents.Select(p => p.AssetId)]) : null,
            memo.Results);
    }

    private RestrictionMemo CurrentMemo()
    {
        var version = Volatile.Read(ref _version);
        var memo = Volatile.Read(ref _memo);
        if (memo.Version != version)
        {
            memo = new RestrictionMemo(version);
            Volatile.Write(ref _memo, memo);
        }

        return memo;
    }

    /// <summary>Makes sure every ancestor's summary is cached (breadth-first, levels fetched concurrently).</summary>
    private async Task LoadAncestorsAsync(string assetId)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { assetId };
        var level = new List<string> { assetId };
        while (level.Count > 0)
        {
            await PrefetchSummariesAsync(level);
            var next = new List<string>();
            foreach (var id in level)
            {
                if (_summaries.TryGetValue(id, out var s))
                {
                    foreach (var parent in s.Parents)
                    {
                        if (seen.Add(parent.AssetId))
                        {
                            next.Add(parent.AssetId);
                        }
                    }
                }
            }

            level = next;
        }
    }

    /// <summary>
    /// True when <paramref name="candidate"/> is <paramref name="start"/> or one of its ancestors, judged by
    /// <paramref name="load"/> (a fresh read, for cycle checks that must see every committed link).
    /// </summary>
    public static async Task<bool> IsAncestorOrSelfAsync(string start, string candidate, Func<string, Task<IReadOnlyList<string>?>> load)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var id))
        {
            if (id == candidate)
            {
                return true;
            }

            foreach (var parent in await load(id) ?? [])
            {
                if (seen.Add(parent))
                {
                    queue.Enqueue(parent);
                }
            }
        }

        return false;
    }

    public Task<LineagePage> AncestorsAsync(CallerContext caller, AssetSummary start, LineageQuery query, CancellationToken cancellationToken) =>
        WalkAsync(caller, start, query, Direction.Ancestors, cancellationToken);

    public Task<LineagePage> DescendantsAsync(CallerContext caller, AssetSummary start, LineageQuery query, CancellationToken cancellationToken) =>
        WalkAsync(caller, start, query, Direction.Descendants, cancellationToken);

    /// <summary>Ancestors without parents (or the asset itself when it has none), ordered by id.</summary>
    public async Task<IReadOnlyList<LineageNodeDto>> RootsAsync(CallerContext caller, AssetSummary start, CancellationToken cancellationToken)
    {
        if (start.Parents.Count == 0)
        {
            return [await NodeAsync(caller, start, 0, null, null, cancellationToken)];
        }

        await LoadAncestorsAsync(start.AssetId);
        var depthOf = new Dictionary<string, (int Depth, string Via, Relationship Relationship)>(StringComparer.Ordinal);
        var roots = new List<string>();
        var level = new List<string> { start.AssetId };
        var seen = new HashSet<string>(StringComparer.Ordinal) { start.AssetId };
        for (var depth = 1; level.Count > 0 && depth <= LineageQuery.MaxDepth; depth++)
        {
            var next = new List<string>();
            foreach (var id in level)
            {
                foreach (var parent in _summaries.TryGetValue(id, out var s) ? s.Parents : [])
                {
                    if (seen.Add(parent.AssetId))
                    {
                        next.Add(parent.AssetId);
                        depthOf[parent.AssetId] = (depth, id, parent.Relationship);
                        if (_summaries.TryGetValue(parent.AssetId, out var ps) && ps.Parents.Count == 0)
                        {
                            roots.Add(parent.AssetId);
                        }
                    }
                }
            }

            level = next;
        }

        roots.Sort(StringComparer.Ordinal);
        var nodes = new List<LineageNodeDto>(roots.Count);
        foreach (var id in roots)
        {
            var (depth, via, relationship) = depthOf[id];
            nodes.Add(await NodeAsync(caller, _summaries[id], depth, via, relationship, cancellationToken));
        }

        return nodes;
    }

    /// <summary>A shortest parent chain from <paramref name="from"/> up to <paramref name="toId"/>.</summary>
    public async Task<LineagePathDto> PathAsync(CallerContext caller, AssetSummary from, string toId, CancellationToken cancellationToken)
    {
        var previous = new Dictionary<string, (string Child, Relationship Relationship)>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal) { from.AssetId };
        var level = new List<string> { from.AssetId };
        var found = from.AssetId == toId;
        for (var depth = 1; !found && level.Count > 0 && depth <= LineageQuery.MaxDepth; depth++)
        {
            await PrefetchSummariesAsync(level);
            var next = new List<string>();
            foreach (var id in level)
            {
                foreach (var parent in _summaries.TryGetValue(id, out var s) ? s.Parents : [])
                {
                    if (seen.Add(parent.AssetId))
                    {
                        previous[parent.AssetId] = (id, parent.Relationship);
                        next.Add(parent.AssetId);
                        found |= parent.AssetId == toId;
                    }
                }
            }

            level = next;
        }

        if (!found)
        {
            return new LineagePathDto(from.AssetId, toId, false, []);
        }

        var chain = new List<(string Id, string? Via, Relationship? Relationship)>();
        for (var id = toId; id != from.AssetId;)
        {
            var (child, relationship) = previous[id];
            chain.Add((id, child, relationship));
            id = child;
        }

        chain.Add((from.AssetId, null, null));
        chain.Reverse();
        await PrefetchSummariesAsync(chain.Select(c => c.Id));
        var path = new List<LineageNodeDto>(chain.Count);
        for (var i = 0; i < chain.Count; i++)
        {
            if (await GetSummaryAsync(chain[i].Id) is { } summary)
            {
                path.Add(await NodeAsync(caller, summary, i, chain[i].Via, chain[i].Relationship, cancellationToken));
            }
        }

        return new LineagePathDto(from.AssetId, toId, true, path);
    }

    /// <summary>A node of an answer: full for the caller's tenant, id and hash only for another tenant's asset.</summary>
    public async ValueTask<LineageNodeDto> NodeAsync(CallerContext caller, AssetSummary s, int depth, string? via, Relationship? relationship, CancellationToken cancellationToken)
    {
        if (s.Tenant != caller.Tenant)
        {
            return new LineageNodeDto(s.AssetId, s.ContentHash, depth, via, relationship, Redacted: true);
        }

        var childCount = await ChildCountAsync(s.AssetId, cancellationToken);
        return new LineageNodeDto(s.AssetId, s.ContentHash, depth, via, relationship, false,
            s.Title, s.MediaType, s.Status, s.Model, s.Prompt, s.Creator, s.Parents.Count, childCount);
    }

    private async Task<LineagePage> WalkAsync(CallerContext caller, AssetSummary start, LineageQuery query, Direction direction, CancellationToken cancellationToken)
    {
        ValidateQuery(query);
        var directionName = direction == Direction.Ancestors ? "ancestors" : "descendants";
        var (cursorDepth, cursorId) = DecodeCursor(query.Cursor, directionName);
        var nodes = new List<LineageNodeDto>(Math.Min(query.Limit, 1024));
        var visited = new HashSet<string>(StringComparer.Ordinal) { start.AssetId };
        Level level = Level.Of(start.AssetId);
        string? nextCursor = null;
        for (var depth = 1; depth <= query.Depth; depth++)
        {
            var next = await NextLevelAsync(level, visited, direction, isFirst: depth == 1, cancellationToken);
            if (next.Count == 0)
            {
                break;
            }

            if (depth >= cursorDepth)
            {
                var begin = depth == cursorDepth && cursorId is not null ? next.UpperBound(cursorId) : 0;
                var take = Math.Min(next.Count - begin, query.Limit - nodes.Count);
                if (take > 0)
                {
                    var slice = new ArraySegment<string>(next.Ids, begin, take);
                    await PrefetchSummariesAsync(slice);
                    if (take > 1)
                    {
                        await PrefetchChildrenAsync(slice, cancellationToken);
                    }

                    for (var i = begin; i < begin + take; i++)
                    {
                        if (await GetSummaryAsync(next.Ids[i]) is { } summary)
                        {
                            var (via, relationship) = next.ViaOf(i);
                            nodes.Add(await NodeAsync(caller, summary, depth, via, relationship, cancellationToken));
                        }
                    }
                }

                if (nodes.Count >= query.Limit)
                {
                    var last = begin + take - 1;
                    var more = last < next.Count - 1
                        || (depth < query.Depth && (await NextLevelAsync(next, WithLevel(visited, level), direction, isFirst: false, cancellationToken)).Count > 0);
                    nextCursor = more ? EncodeCursor(directionName, depth, next.Ids[last]) : null;
                    break;
                }
            }

            visited = WithLevel(visited, level);
            level = next;
        }

        return new LineagePage(start.AssetId, directionName, query.Depth, nodes, nextCursor);
    }

    private static HashSet<string> WithLevel(HashSet<string> visited, Level level)
    {
        foreach (var id in level.Ids)
        {
            visited.Add(id);
        }

        return visited;
    }

    /// <summary>The next breadth-first level: ids not seen at a smaller depth, ordered by id, each with the first (smallest-id) node that reached it.</summary>
    private async ValueTask<Level> NextLevelAsync(Level level, HashSet<string> visited, Direction direction, bool isFirst, CancellationToken cancellationToken)
    {
        if (direction == Direction.Descendants)
        {
            if (isFirst)
            {
                // The root's children can repeat nothing seen before: use the cached sorted list as the level, no copy.
                var children = await GetChildrenAsync(level.Ids[0], refresh: true, cancellationToken);
                return Level.FromChildren(level.Ids[0], children);
            }

            await PrefetchChildrenAsync(level.Ids, cancellationToken);
        }
        else
        {
            await PrefetchSummariesAsync(level.Ids);
            if (level.Count == 1 && _summaries.TryGetValue(level.Ids[0], out var only) && only.Parents.Count == 1)
            {
                // A chain: one node with one parent needs no dictionary, sort or set (keeps deep chains allocation-light).
                var parent = only.Parents[0];
                return visited.Contains(parent.AssetId) || parent.AssetId == only.AssetId
                    ? Level.Empty
                    : Level.Single(parent.AssetId, only.AssetId, parent.Relationship);
            }
        }

        var via = new Dictionary<string, (string Via, Relationship Relationship)>(StringComparer.Ordinal);
        foreach (var id in level.Ids)
        {
            if (direction == Direction.Ancestors)
            {
                if (_summaries.TryGetValue(id, out var s) || (s = await GetSummaryAsync(id)) is not null)
                {
                    foreach (var parent in s.Parents)
                    {
                        if (!visited.Contains(parent.AssetId) && !level.Contains(parent.AssetId))
                        {
                            via.TryAdd(parent.AssetId, (id, parent.Relationship));
                        }
                    }
                }
            }
            else
            {
                var children = await GetChildrenAsync(id, refresh: false, cancellationToken);
                foreach (var child in children.Sorted)
                {
                    if (!visited.Contains(child) && !level.Contains(child))
                    {
                        via.TryAdd(child, (id, children.RelationshipOf(child)));
                    }
                }
            }
        }

        return Level.FromVia(via);
    }

    private static void ValidateQuery(LineageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Depth is < 1 or > LineageQuery.MaxDepth)
        {
            throw new ValidationFailedException($"depth must be between 1 and {LineageQuery.MaxDepth}.", "depth");
        }

        if (query.Limit is < 1 or > LineageQuery.MaxLimit)
        {
            throw new ValidationFailedException($"limit must be between 1 and {LineageQuery.MaxLimit}.", "limit");
        }
    }

    private static string EncodeCursor(string direction, int depth, string lastId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{direction}|{depth}|{lastId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (int Depth, string? AfterId) DecodeCursor(string? cursor, string direction)
    {
        if (cursor is null)
        {
            return (1, null);
        }

        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - (base64.Length % 4)) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|');
            if (parts.Length == 3 && parts[0] == direction && int.TryParse(parts[1], out var depth) && depth >= 1 && AssetIds.IsValid(parts[2]))
            {
                return (depth, parts[2]);
            }
        }
        catch (FormatException)
        {
            // Reported below as an invalid cursor.
        }

        throw new ValidationFailedException("The cursor is not one this query returned.", "cursor");
    }

    private static Relationship ParseRelationship(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < RelationshipData.Length; i++)
        {
            if (data.SequenceEqual(RelationshipData[i]))
            {
                return (Relationship)i;
            }
        }

        return Relationship.ParentOf;
    }

    private static string Name(Relationship relationship) => relationship switch
    {
        Relationship.ComponentOf => "componentOf",
        Relationship.InputTo => "inputTo",
        _ => "parentOf",
    };

    private void OnStateChangedElsewhere(GrainStateKey key)
    {
        if (key.GrainType == StorageNames.AssetGrainType)
        {
            Interlocked.Increment(ref _remoteEpoch);
            _summaries.TryRemove(key.Key, out _);
            Interlocked.Increment(ref _version);
        }
    }

    private enum Direction { Ancestors, Descendants }

    private sealed record RestrictionMemo(long Version)
    {
        public ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Results { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One breadth-first level: ids in ordinal order and, per id, the node that reached it.</summary>
    private sealed class Level
    {
        private readonly string? _singleParent;
        private readonly ChildList? _children;
        private readonly Dictionary<string, (string Via, Relationship Relationship)>? _via;
        private HashSet<string>? _set;
        private Relationship _singleRelationship;

        private Level(string[] ids, string? singleParent, ChildList? children, Dictionary<string, (string, Relationship)>? via)
        {
            Ids = ids;
            _singleParent = singleParent;
            _children = children;
            _via = via;
        }

        public string[] Ids { get; }

        public int Count => Ids.Length;

        public static Level Empty { get; } = new([], null, null, null);

        public static Level Of(string id) => new([id], null, null, null);

        public static Level Single(string id, string via, Relationship relationship) =>
            new([id], via, null, null) { _singleRelationship = relationship };

        public static Level FromChildren(string parent, ChildList children) => new(children.Sorted, parent, children, null);

        public static Level FromVia(Dictionary<string, (string Via, Relationship Relationship)> via)
        {
            var ids = via.Keys.ToArray();
            Array.Sort(ids, StringComparer.Ordinal);
            return new Level(ids, null, null, via);
        }

        public (string? Via, Relationship? Relationship) ViaOf(int i) =>
            _children is not null ? (_singleParent, _children.RelationshipOf(Ids[i]))
            : _via is not null ? _via[Ids[i]]
            : _singleParent is not null ? (_singleParent, _singleRelationship)
            : (null, null);

        public bool Contains(string id) => Ids.Length == 1 ? Ids[0] == id : (_set ??= new HashSet<string>(Ids, StringComparer.Ordinal)).Contains(id);

        /// <summary>Index of the first id ordinally greater than <paramref name="id"/>.</summary>
        public int UpperBound(string id)
        {
            var i = Array.BinarySearch(Ids, id, StringComparer.Ordinal);
            return i >= 0 ? i + 1 : ~i;
        }
    }
}
