using System.Collections.Concurrent;

namespace Provenance.Grains;

/// <summary>
/// A node-local memo of facts that never change once learnt (stored tree nodes, sequenced log entries, inclusion
/// paths, a tenant's asset for a hash), bounded by starting over when full: cheaper than an LRU, and a miss only
/// costs the lookup the memo saves. Thread-safe.
/// </summary>
internal sealed class BoundedMemo<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> entries = new(comparer);

    /// <summary>Entries held now (at most the capacity).</summary>
    public int Count => entries.Count;

    public bool TryGet(TKey key, out TValue value) => entries.TryGetValue(key, out value!);

    /// <summary>Remembers <paramref name="value"/>, first forgetting everything when the memo is full.</summary>
    public TValue Remember(TKey key, TValue value)
    {
        if (entries.Count >= capacity)
        {
            entries.Clear();
        }

        entries[key] = value;
        return value;
    }
}
