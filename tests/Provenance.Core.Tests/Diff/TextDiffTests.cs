using Provenance.Core.Diff;

namespace Provenance.Core.Tests.Diff;

public sealed class TextDiffTests
{
    [Fact]
    public void Compare_IdenticalTexts_AllEqualWithBothLineNumbers()
    {
        var diff = TextDiff.Compare("a\nb\n", "a\nb\n");

        Assert.Equal(
            [new DiffLine(DiffOperation.Equal, "a", 1, 1), new DiffLine(DiffOperation.Equal, "b", 2, 2)],
            diff);
    }

    [Fact]
    public void Compare_ChangedMiddleLine_DeletesBeforeInserts()
    {
        var diff = TextDiff.Compare("a\nb\nc", "a\nx\nc");

        Assert.Equal(
            [
                new DiffLine(DiffOperation.Equal, "a", 1, 1),
                new DiffLine(DiffOperation.Delete, "b", 2, null),
                new DiffLine(DiffOperation.Insert, "x", null, 2),
                new DiffLine(DiffOperation.Equal, "c", 3, 3),
            ],
            diff);
    }

    [Fact]
    public void Compare_EmptyOld_AllInserts()
    {
        var diff = TextDiff.Compare("", "a\nb");

        Assert.Equal(
            [new DiffLine(DiffOperation.Insert, "a", null, 1), new DiffLine(DiffOperation.Insert, "b", null, 2)],
            diff);
    }

    [Fact]
    public void Compare_EmptyNew_AllDeletes()
    {
        var diff = TextDiff.Compare("a\r\nb\r\n", "");

        Assert.Equal(
            [new DiffLine(DiffOperation.Delete, "a", 1, null), new DiffLine(DiffOperation.Delete, "b", 2, null)],
            diff);
    }

    [Fact]
    public void Compare_MyersPaperExample_FindsFiveEdits()
    {
        var diff = TextDiff.Compare(Lines("ABCABBA"), Lines("CBABAC"));

        Assert.Equal(5, diff.Count(l => l.Operation != DiffOperation.Equal));
        AssertTransforms(Lines("ABCABBA"), Lines("CBABAC"), diff);
    }

    [Fact]
    public void Compare_RandomTexts_IsShortestValidEditScript()
    {
        var random = new Random(1986);

        for (var run = 0; run < 400; run++)
        {
            var oldLines = RandomLines(random);
            var newLines = random.Next(3) == 0 ? Mutate(random, oldLines) : RandomLines(random);

            var diff = TextDiff.Compare(oldLines, newLines);

            AssertTransforms(oldLines, newLines, diff);
            var lcs = LcsLength(oldLines, newLines);
            Assert.Equal(oldLines.Length + newLines.Length - 2 * lcs, diff.Count(l => l.Operation != DiffOperation.Equal));
        }
    }

    [Fact]
    public void Compare_LargeSimilarTexts_IsShortestValidEditScript()
    {
        var random = new Random(4);
        var oldLines = Enumerable.Range(0, 3000).Select(i => $"line {i % 700}").ToArray();
        var newLines = Mutate(random, oldLines);

        var diff = TextDiff.Compare(oldLines, newLines);

        AssertTransforms(oldLines, newLines, diff);
        Assert.Equal(oldLines.Length + newLines.Length - 2 * LcsLength(oldLines, newLines), diff.Count(l => l.Operation != DiffOperation.Equal));
    }

    [Fact]
    public void SplitLines_TrailingNewline_AddsNoEmptyLine()
    {
        var lines = TextDiff.SplitLines("a\r\n\nb\n");

        Assert.Equal(["a", "", "b"], lines);
    }

    [Fact]
    public void Hunks_TwoDistantChanges_GivesTwoHunksWithContext()
    {
        var oldText = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"l{i}"));
        var newText = oldText.Replace("l2\n", "L2\n", StringComparison.Ordinal).Replace("l18\n", "L18\n", StringComparison.Ordinal);

        var hunks = TextDiff.Hunks(TextDiff.Compare(oldText, newText), context: 2);

        Assert.Equal(2, hunks.Count);
        Assert.Equal((1, 4, 1, 4), (hunks[0].OldStart, hunks[0].OldCount, hunks[0].NewStart, hunks[0].NewCount));
        Assert.Equal((16, 5, 16, 5), (hunks[1].OldStart, hunks[1].OldCount, hunks[1].NewStart, hunks[1].NewCount));
    }

    [Fact]
    public void Hunks_NearbyChanges_MergeIntoOneHunk()
    {
        var hunks = TextDiff.Hunks(TextDiff.Compare("a\nb\nc\nd\ne", "A\nb\nc\nd\nE"), context: 2);

        Assert.Single(hunks);
        Assert.Equal(7, hunks[0].Lines.Count);
    }

    [Fact]
    public void Hunks_NoChanges_GivesNone()
    {
        var hunks = TextDiff.Hunks(TextDiff.Compare("a\nb", "a\nb"));

        Assert.Empty(hunks);
    }

    private static string[] Lines(string letters) => [.. letters.Select(c => c.ToString())];

    private static string[] RandomLines(Random random) =>
        [.. Enumerable.Range(0, random.Next(0, 25)).Select(_ => ((char)('a' + random.Next(4))).ToString())];

    private static string[] Mutate(Random random, string[] lines)
    {
        var result = lines.ToList();
        for (var edits = random.Next(1, 1 + Math.Max(1, lines.Length / 10)); edits > 0; edits--)
        {
            var at = random.Next(result.Count + 1);
            if (random.Next(2) == 0 && at < result.Count)
            {
                result.RemoveAt(at);
            }
            else
            {
                result.Insert(at, $"new {random.Next(1000)}");
            }
        }

        return [.. result];
    }

    // Replays the script: equal and deleted lines walk the old text, equal and inserted lines the new one.
    private static void AssertTransforms(IReadOnlyList<string> oldLines, IReadOnlyList<string> newLines, IReadOnlyList<DiffLine> diff)
    {
        int x = 0, y = 0;
        foreach (var line in diff)
        {
            if (line.Operation != DiffOperation.Insert)
            {
                Assert.Equal(oldLines[x], line.Text);
                Assert.Equal(x + 1, line.OldLine);
                x++;
            }

            if (line.Operation != DiffOperation.Delete)
            {
                Assert.Equal(newLines[y], line.Text);
                Assert.Equal(y + 1, line.NewLine);
                y++;
            }
        }

        Assert.Equal(oldLines.Count, x);
        Assert.Equal(newLines.Count, y);
    }

    private static int LcsLength(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var i = 1; i <= a.Count; i++)
        {
            for (var j = 1; j <= b.Count; j++)
            {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Count];
    }
}
