namespace Provenance.Core.Diff;

/// <summary>How a named field differs between two versions.</summary>
public enum FieldChange
{
    /// <summary>Present in both with the same value.</summary>
    Unchanged,

    /// <summary>Present only in the new version.</summary>
    Added,

    /// <summary>Present only in the old version.</summary>
    Removed,

    /// <summary>Present in both with different values (a null and a value differ).</summary>
    Changed,
}

/// <summary>
/// The difference of one field. <paramref name="Lines"/> is the line diff of the two values when the field
/// <see cref="FieldChange.Changed"/> and either value spans several lines (a null value diffs as empty text);
/// otherwise null.
/// </summary>
public sealed record FieldDiff(string Name, FieldChange Change, string? OldValue, string? NewValue, IReadOnlyList<DiffLine>? Lines);

/// <summary>Compares two flat sets of named fields (name to value); pure and thread-safe.</summary>
public static class StructuredDiff
{
    /// <summary>
    /// Returns one <see cref="FieldDiff"/> per field name in either set, ordered by name (ordinal), saying
    /// whether it was added, removed, changed or unchanged; multi-line changes carry a <see cref="TextDiff"/> line diff.
    /// </summary>
    public static IReadOnlyList<FieldDiff> Compare(
        IReadOnlyDictionary<string, string?> oldFields, IReadOnlyDictionary<string, string?> newFields)
    {
        ArgumentNullException.ThrowIfNull(oldFields);
        ArgumentNullException.ThrowIfNull(newFields);

        var names = oldFields.Keys.Union(newFields.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var result = new List<FieldDiff>();
        foreach (var name in names)
        {
            var inOld = oldFields.TryGetValue(name, out var oldValue);
            var inNew = newFields.TryGetValue(name, out var newValue);
            result.Add((inOld, inNew) switch
            {
                (false, _) => new FieldDiff(name, FieldChange.Added, null, newValue, null),
                (_, false) => new FieldDiff(name, FieldChange.Removed, oldValue, null, null),
                _ when string.Equals(oldValue, newValue, StringComparison.Ordinal) =>
                    new FieldDiff(name, FieldChange.Unchanged, oldValue, newValue, null),
                _ => new FieldDiff(name, FieldChange.Changed, oldValue, newValue, LineDiff(oldValue, newValue)),
            });
        }

        return result;
    }

    private static IReadOnlyList<DiffLine>? LineDiff(string? oldValue, string? newValue) =>
        IsMultiLine(oldValue) || IsMultiLine(newValue)
            ? TextDiff.Compare(oldValue ?? string.Empty, newValue ?? string.Empty)
            : null;

    private static bool IsMultiLine(string? value) => value is not null && value.Contains('\n', StringComparison.Ordinal);
}
