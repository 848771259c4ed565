namespace Provenance.Core.Lineage;

/// <summary>What restriction propagation needs to know of one asset.</summary>
/// <param name="Own">Restrictions placed on the asset itself (never lifted by its own approvals).</param>
/// <param name="Lifts">Inherited restrictions an approval on this asset lifted, for it and its descendants.</param>
/// <param name="Parents">Parent asset ids.</param>
public sealed record RestrictionNode(IReadOnlyCollection<string> Own, IReadOnlyCollection<string> Lifts, IReadOnlyList<string> Parents);

/// <summary>
/// Restrictions propagate to descendants unless lifted (architecture.md, data rules):
/// <c>effective(x) = own(x) ∪ (⋃ effective(p) for parents p − lifts(x))</c>. A lift on an asset therefore also frees
/// every descendant reached through it, while a restriction re-imposed below the lift applies again. Pure.
/// </summary>
public static class RestrictionPropagation
{
    /// <summary>
    /// Effective restrictions of <paramref name="assetId"/>: restriction → the asset that imposed it (the first origin
    /// found when several ancestors impose the same one). Iterative, so chains of any depth are safe.
    /// </summary>
    /// <param name="assetId">The asset.</param>
    /// <param name="lookup">The node of an id, or null when unknown (an unknown ancestor contributes nothing).</param>
    /// <param name="memo">Results by id, shared between calls over the same unchanged graph; filled as a side effect.</param>
    public static IReadOnlyDictionary<string, string> Effective(
        string assetId, Func<string, RestrictionNode?> lookup, IDictionary<string, IReadOnlyDictionary<string, string>> memo)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(memo);
        if (memo.TryGetValue(assetId, out var known))
        {
            return known;
        }

        // Post-order walk: a node is computed once all its parents are.
        var stack = new Stack<(string Id, RestrictionNode? Node, bool Expanded)>();
        stack.Push((assetId, lookup(assetId), false));
        while (stack.Count > 0)
        {
            var (id, node, expanded) = stack.Pop();
            if (memo.ContainsKey(id))
            {
                continue;
            }

            if (node is null)
            {
                memo[id] = Empty;
                continue;
            }

            if (!expanded)
            {
                stack.Push((id, node, true));
                foreach (var parent in node.Parents)
                {
                    if (!memo.ContainsKey(parent))
                    {
                        stack.Push((parent, lookup(parent), false));
                    }
                }

                continue;
            }

            Dictionary<string, string>? result = null;
            foreach (var own in node.Own)
            {
                (result ??= new(StringComparer.Ordinal)).TryAdd(own, id);
            }

            foreach (var parent in node.Parents)
            {
                foreach (var (restriction, origin) in memo.TryGetValue(parent, out var inherited) ? inherited : Empty)
                {
                    if (!node.Lifts.Contains(restriction))
                    {
                        (result ??= new(StringComparer.Ordinal)).TryAdd(restriction, origin);
                    }
                }
            }

            memo[id] = result is null ? Empty : result;
        }

        return memo[assetId];
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>(StringComparer.Ordinal);
}
