using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Grains.Lineage;

/// <summary>
/// The children of one asset as this node knows them: loaded lazily from the <c>children</c> index, refreshed
/// incrementally by sequence (<see cref="LastSeq"/>), and extended in place when a child registers on this node.
/// Kept out of the parent's grain state so that a registration never rewrites a parent with many children.
/// </summary>
internal sealed class ChildList
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Relationship> _relations = new(StringComparer.Ordinal);
    private string[]? _sorted;

    /// <summary>Serialises loads and refreshes of this list.</summary>
    public SemaphoreSlim RefreshGate { get; } = new(1, 1);

    /// <summary>Highest index sequence read so far.</summary>
    public long LastSeq { get; set; }

    /// <summary>The remote-change epoch the last refresh started at; -1 before the first load.</summary>
    public long Epoch { get; set; } = -1;

    public bool Loaded => Epoch >= 0;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _relations.Count;
            }
        }
    }

    /// <summary>Adds a child; a known child is ignored (the index and local notices may both report it).</summary>
    public void Add(string child, Relationship relationship)
    {
        lock (_gate)
        {
            if (_relations.TryAdd(child, relationship))
            {
                _sorted = null;
            }
        }
    }

    /// <summary>Child ids in ordinal order (a shared snapshot: do not modify).</summary>
    public string[] Sorted
    {
        get
        {
            lock (_gate)
            {
                if (_sorted is null)
                {
                    var ids = _relations.Keys.ToArray();
                    Array.Sort(ids, StringComparer.Ordinal);
                    _sorted = ids;
                }

                return _sorted;
            }
        }
    }

    public Relationship RelationshipOf(string child)
    {
        lock (_gate)
        {
            return _relations.GetValueOrDefault(child);
        }
    }
}
