using Provenance.Core.Diff;

namespace Provenance.Core.Tests.Diff;

public sealed class StructuredDiffTests
{
    [Fact]
    public void Compare_MixedFields_ReportsEachKindOrderedByName()
    {
        var before = new Dictionary<string, string?> { ["title"] = "Old", ["author"] = "Ann", ["license"] = "MIT", ["note"] = null };
        var after = new Dictionary<string, string?> { ["title"] = "New", ["author"] = "Ann", ["source"] = "camera", ["note"] = "" };

        var diff = StructuredDiff.Compare(before, after);

        Assert.Equal(
            [
                new FieldDiff("author", FieldChange.Unchanged, "Ann", "Ann", null),
                new FieldDiff("license", FieldChange.Removed, "MIT", null, null),
                new FieldDiff("note", FieldChange.Changed, null, "", null),
                new FieldDiff("source", FieldChange.Added, null, "camera", null),
                new FieldDiff("title", FieldChange.Changed, "Old", "New", null),
            ],
            diff);
    }

    [Fact]
    public void Compare_ChangedMultiLineField_CarriesLineDiff()
    {
        var before = new Dictionary<string, string?> { ["description"] = "line one\nline two\nline three" };
        var after = new Dictionary<string, string?> { ["description"] = "line one\nline 2\nline three" };

        var field = Assert.Single(StructuredDiff.Compare(before, after));

        Assert.Equal(FieldChange.Changed, field.Change);
        Assert.NotNull(field.Lines);
        Assert.Equal(
            [DiffOperation.Equal, DiffOperation.Delete, DiffOperation.Insert, DiffOperation.Equal],
            field.Lines.Select(l => l.Operation));
    }

    [Fact]
    public void Compare_BothEmpty_GivesNothing()
    {
        var diff = StructuredDiff.Compare(new Dictionary<string, string?>(), new Dictionary<string, string?>());

        Assert.Empty(diff);
    }
}
