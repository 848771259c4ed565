namespace Provenance.Core.Diff;

/// <summary>What a line of a diff does.</summary>
public enum DiffOperation
{
    /// <summary>The line is in both texts.</summary>
    Equal,

    /// <summary>The line is only in the old text.</summary>
    Delete,

    /// <summary>The line is only in the new text.</summary>
    Insert,
}

/// <summary>
/// One line of a line diff. Line numbers are 1-based; <paramref name="OldLine"/> is null for an
/// insert and <paramref name="NewLine"/> is null for a delete.
/// </summary>
public sealed record DiffLine(DiffOperation Operation, string Text, int? OldLine, int? NewLine);

/// <summary>
/// A run of changed lines with up to <c>context</c> equal lines around it, like a unified diff hunk.
/// Starts are 1-based (for an empty side, the line after which the hunk applies, as in unified diffs).
/// </summary>
public sealed record DiffHunk(int OldStart, int OldCount, int NewStart, int NewCount, IReadOnlyList<DiffLine> Lines);

/// <summary>
/// Line-level diff of two texts with Myers' O((N+M)D) algorithm in linear space (E. W. Myers,
/// "An O(ND) Difference Algorithm and Its Variations", Algorithmica 1986, section 4b): the result is a
/// shortest edit script. Pure and thread-safe.
/// </summary>
public static class TextDiff
{
    /// <summary>
    /// Splits <paramref name="text"/> into lines on <c>\n</c>, dropping a trailing <c>\r</c> from each; a final
    /// line terminator does not start an extra empty line, so <c>"a\n"</c> and <c>"a"</c> are both one line and
    /// the empty string is no lines.
    /// </summary>
    public static IReadOnlyList<string> SplitLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            var stop = end < 0 ? text.Length : end;
            var length = stop - start;
            if (length > 0 && text[stop - 1] == '\r')
            {
                length--;
            }

            lines.Add(text.Substring(start, length));
            start = end < 0 ? text.Length : end + 1;
        }

        return lines;
    }

    /// <summary>
    /// Returns a shortest edit script turning <paramref name="oldText"/> into <paramref name="newText"/>, line by
    /// line (see <see cref="SplitLines"/>), in text order; within each changed block deletes come before inserts.
    /// </summary>
    public static IReadOnlyList<DiffLine> Compare(string oldText, string newText)
    {
        ArgumentNullException.ThrowIfNull(oldText);
        ArgumentNullException.ThrowIfNull(newText);
        return Compare(SplitLines(oldText), SplitLines(newText));
    }

    /// <summary>Returns a shortest edit script turning the <paramref name="oldLines"/> into the <paramref name="newLines"/> (ordinal comparison).</summary>
    public static IReadOnlyList<DiffLine> Compare(IReadOnlyList<string> oldLines, IReadOnlyList<string> newLines)
    {
        ArgumentNullException.ThrowIfNull(oldLines);
        ArgumentNullException.ThrowIfNull(newLines);

        // Compare integers, not strings, in the inner loops.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var a = oldLines.Select(line => Intern(ids, line)).ToArray();
        var b = newLines.Select(line => Intern(ids, line)).ToArray();

        var ops = new List<DiffOperation>(a.Length + b.Length);
        new Myers(a, b, ops).Diff(0, 0, a.Length, b.Length);
        return Render(ops, oldLines, newLines);
    }

    /// <summary>
    /// Groups a diff into hunks: each run of changes with up to <paramref name="context"/> equal lines either
    /// side; runs closer than <c>2 * context</c> equal lines share a hunk. No changes gives no hunks.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="context"/> is negative.</exception>
    public static IReadOnlyList<DiffHunk> Hunks(IReadOnlyList<DiffLine> diff, int context = 3)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentOutOfRangeException.ThrowIfNegative(context);

        var hunks = new List<DiffHunk>();
        var i = 0;
        while (i < diff.Count)
        {
            if (diff[i].Operation == DiffOperation.Equal)
            {
                i++;
                continue;
            }

            // [begin, end) of the hunk in diff; extend while the next change is near enough.
            var begin = Math.Max(0, i - context);
            var end = i;
            while (end < diff.Count)
            {
                if (diff[end].Operation != DiffOperation.Equal)
                {
                    end++;
                    continue;
                }

                var next = end;
                while (next < diff.Count && diff[next].Operation == DiffOperation.Equal)
                {
                    next++;
                }

                if (next < diff.Count && next - end <= 2 * context)
                {
                    end = next;
                    continue;
                }

                end = Math.Min(diff.Count, end + context);
                break;
            }

            hunks.Add(MakeHunk(diff, begin, end));
            i = end;
        }

        return hunks;
    }

    private static DiffHunk MakeHunk(IReadOnlyList<DiffLine> diff, int begin, int end)
    {
        var lines = new DiffLine[end - begin];
        for (var j = begin; j < end; j++)
        {
            lines[j - begin] = diff[j];
        }

        var oldCount = lines.Count(l => l.OldLine is not null);
        var newCount = lines.Count(l => l.NewLine is not null);
        return new DiffHunk(
            StartOf(diff, begin, oldCount, l => l.OldLine),
            oldCount,
            StartOf(diff, begin, newCount, l => l.NewLine),
            newCount,
            lines);
    }

    // The first line number on that side inside the hunk, or (empty side) the number of the line before it.
    private static int StartOf(IReadOnlyList<DiffLine> diff, int begin, int count, Func<DiffLine, int?> number)
    {
        if (count > 0)
        {
            for (var j = begin; ; j++)
            {
                if (number(diff[j]) is { } n)
                {
                    return n;
                }
            }
        }

        for (var j = begin - 1; j >= 0; j--)
        {
            if (number(diff[j]) is { } n)
            {
                return n;
            }
        }

        return 0;
    }

    private static int Intern(Dictionary<string, int> ids, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!ids.TryGetValue(line, out var id))
        {
            id = ids.Count;
            ids.Add(line, id);
        }

        return id;
    }

    private static List<DiffLine> Render(List<DiffOperation> ops, IReadOnlyList<string> oldLines, IReadOnlyList<string> newLines)
    {
        var result = new List<DiffLine>(ops.Count);
        int x = 0, y = 0, i = 0;
        while (i < ops.Count)
        {
            if (ops[i] == DiffOperation.Equal)
            {
                result.Add(new DiffLine(DiffOperation.Equal, oldLines[x], x + 1, y + 1));
                x++;
                y++;
                i++;
                continue;
            }

            // A block of changes: all its deletes, then all its inserts.
            var deletes = 0;
            var inserts = 0;
            for (; i < ops.Count && ops[i] != DiffOperation.Equal; i++)
            {
                if (ops[i] == DiffOperation.Delete)
                {
                    deletes++;
                }
                else
                {
                    inserts++;
                }
            }

            for (var d = 0; d < deletes; d++, x++)
            {
                result.Add(new DiffLine(DiffOperation.Delete, oldLines[x], x + 1, null));
            }

            for (var n = 0; n < inserts; n++, y++)
            {
                result.Add(new DiffLine(DiffOperation.Insert, newLines[y], null, y + 1));
            }
        }

        return result;
    }

    private readonly record struct Snake(int X1, int Y1, int X2, int Y2, DiffOperation? EditFirst, DiffOperation? EditLast)
    {
        public int Diagonal => Math.Min(X2 - X1, Y2 - Y1);
    }

    /// <summary>Linear-space Myers: find the middle snake of a box, recurse on both halves.</summary>
    private sealed class Myers(int[] a, int[] b, List<DiffOperation> ops)
    {
        private int[] _forward = [];
        private int[] _backward = [];

        // Appends the edit script for a[left, right) -> b[top, bottom) (half-open ranges).
        public void Diff(int left, int top, int right, int bottom)
        {
            while (left < right && top < bottom && a[left] == b[top])
            {
                ops.Add(DiffOperation.Equal);
                left++;
                top++;
            }

            var tail = 0;
            while (left < right && top < bottom && a[right - 1] == b[bottom - 1])
            {
                tail++;
                right--;
                bottom--;
            }

            if (left == right)
            {
                Repeat(DiffOperation.Insert, bottom - top);
            }
            else if (top == bottom)
            {
                Repeat(DiffOperation.Delete, right - left);
            }
            else
            {
                var snake = MiddleSnake(left, top, right, bottom);
                Diff(left, top, snake.X1, snake.Y1);
                if (snake.EditFirst is { } first)
                {
                    ops.Add(first);
                }

                Repeat(DiffOperation.Equal, snake.Diagonal);
                if (snake.EditLast is { } last)
                {
                    ops.Add(last);
                }

                Diff(snake.X2, snake.Y2, right, bottom);
            }

            Repeat(DiffOperation.Equal, tail);
        }

        private void Repeat(DiffOperation op, int count)
        {
            for (var i = 0; i < count; i++)
            {
                ops.Add(op);
            }
        }

        // The middle of a shortest path through the box, from (X1, Y1) to (X2, Y2): at most one edit and a
        // diagonal of equal lines; the forward search finds the edit before the diagonal, the backward search
        // after it. Both remaining boxes need fewer edits, so recursion ends. Requires both sides non-empty.
        private Snake MiddleSnake(int left, int top, int right, int bottom)
        {
            var width = right - left;
            var height = bottom - top;
            var delta = width - height;
            var odd = (delta & 1) != 0;
            var max = (width + height + 1) / 2;
            var offset = max + 1;
            EnsureCapacity(2 * max + 3);
            var vf = _forward;
            var vb = _backward;
            vf[offset + 1] = left;
            vb[offset + 1] = bottom;

            for (var d = 0; d <= max; d++)
            {
                for (var k = d; k >= -d; k -= 2)
                {
                    int x, px;
                    if (k == -d || (k != d && vf[offset + k - 1] < vf[offset + k + 1]))
                    {
                        px = x = vf[offset + k + 1];
                    }
                    else
                    {
                        px = vf[offset + k - 1];
                        x = px + 1;
                    }

                    var y = top + (x - left) - k;
                    var py = d == 0 || x != px ? y : y - 1;
                    while (x < right && y < bottom && a[x] == b[y])
                    {
                        x++;
                        y++;
                    }

                    vf[offset + k] = x;
                    var c = k - delta;
                    if (odd && c >= -(d - 1) && c <= d - 1 && y >= vb[offset + c])
                    {
                        return new Snake(px, py, x, y, ForwardEdit(d, px, py, x, y), null);
                    }
                }

                for (var c = d; c >= -d; c -= 2)
                {
                    int y, py;
                    if (c == -d || (c != d && vb[offset + c - 1] > vb[offset + c + 1]))
                    {
                        py = y = vb[offset + c + 1];
                    }
                    else
                    {
                        py = vb[offset + c - 1];
                        y = py - 1;
                    }

                    var k = c + delta;
                    var x = left + (y - top) + k;
                    var px = d == 0 || y != py ? x : x + 1;
                    while (x > left && y > top && a[x - 1] == b[y - 1])
                    {
                        x--;
                        y--;
                    }

                    vb[offset + c] = y;
                    if (!odd && k >= -d && k <= d && x <= vf[offset + k])
                    {
                        return new Snake(x, y, px, py, null, BackwardEdit(d, x, y, px, py));
                    }
                }
            }

            throw new InvalidOperationException("Myers middle snake not found; unreachable for a non-empty box.");
        }

        // The segment (px, py) -> (x, y) is one edit then a diagonal: more columns than rows means a delete.
        private static DiffOperation? ForwardEdit(int d, int px, int py, int x, int y) =>
            d == 0 ? null : (x - px) > (y - py) ? DiffOperation.Delete : DiffOperation.Insert;

        // The segment (x, y) -> (px, py) is a diagonal then one edit.
        private static DiffOperation? BackwardEdit(int d, int x, int y, int px, int py) =>
            d == 0 ? null : (px - x) > (py - y) ? DiffOperation.Delete : DiffOperation.Insert;

        private void EnsureCapacity(int length)
        {
            if (_forward.Length < length)
            {
                _forward = new int[length];
                _backward = new int[length];
            }
        }
    }
}
