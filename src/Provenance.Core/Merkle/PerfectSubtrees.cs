using System.Numerics;

namespace Provenance.Core.Merkle;

/// <summary>Decomposition of leaf ranges into perfect subtrees (the nodes a compact range holds).</summary>
public static class PerfectSubtrees
{
    /// <summary>
    /// Returns the perfect subtrees that exactly cover the half-open leaf range <c>[begin, end)</c>,
    /// left to right, each as large as alignment allows. For <c>[0, size)</c> that is one node per set
    /// bit of <c>size</c>, largest first: the nodes an appender of that size holds.
    /// Requires <c>0 &lt;= begin &lt;= end</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is negative or reversed.</exception>
    public static IReadOnlyList<NodeId> Cover(long begin, long end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(begin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(begin, end);
        var nodes = new List<NodeId>(BitOperations.PopCount((ulong)(end - begin)) + 2);
        Cover(begin, end, nodes);
        return nodes;
    }

    internal static void Cover(long begin, long end, List<NodeId> nodes)
    {
        while (begin < end)
        {
            // The largest aligned block at begin that fits before end.
            var level = begin == 0 ? 63 : BitOperations.TrailingZeroCount(begin);
            var fit = 63 - BitOperations.LeadingZeroCount((ulong)(end - begin));
            level = Math.Min(level, fit);
            nodes.Add(new NodeId(level, begin >> level));
            begin += 1L << level;
        }
    }
}
