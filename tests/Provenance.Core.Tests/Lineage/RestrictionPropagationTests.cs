using Provenance.Core.Lineage;

namespace Provenance.Core.Tests.Lineage;

public sealed class RestrictionPropagationTests
{
    private static IReadOnlyDictionary<string, string> Effective(string id, Dictionary<string, RestrictionNode> graph) =>
        RestrictionPropagation.Effective(id, k => graph.GetValueOrDefault(k), new Dictionary<string, IReadOnlyDictionary<string, string>>());

    private static RestrictionNode Node(string[]? own = null, string[]? lifts = null, params string[] parents) => new(own ?? [], lifts ?? [], parents);

    [Fact]
    public void Effective_Chain_InheritsFromOrigin()
    {
        var graph = new Dictionary<string, RestrictionNode> { ["a"] = Node(["nc"]), ["b"] = Node(null, null, "a"), ["c"] = Node(null, null, "b") };

        var c = Effective("c", graph);

        Assert.Equal(new Dictionary<string, string> { ["nc"] = "a" }, c);
    }

    [Fact]
    public void Effective_LiftInTheMiddle_StopsPropagationBelowIt()
    {
        var graph = new Dictionary<string, RestrictionNode> { ["a"] = Node(["nc"]), ["b"] = Node(null, ["nc"], "a"), ["c"] = Node(null, null, "b") };

        var c = Effective("c", graph);

        Assert.Empty(c);
    }

    [Fact]
    public void Effective_LiftDoesNotRemoveOwnRestriction()
    {
        var graph = new Dictionary<string, RestrictionNode> { ["a"] = Node(["nc"], ["nc"]) };

        var a = Effective("a", graph);

        Assert.Equal("a", a["nc"]);
    }

    [Fact]
    public void Effective_DeepChain_NoStackOverflow()
    {
        var graph = new Dictionary<string, RestrictionNode> { ["n0"] = Node(["blocked"]) };
        for (var i = 1; i <= 100_000; i++)
        {
            graph[$"n{i}"] = Node(null, null, $"n{i - 1}");
        }

        var leaf = Effective("n100000", graph);

        Assert.Equal("n0", leaf["blocked"]);
    }
}
