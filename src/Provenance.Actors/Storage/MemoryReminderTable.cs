namespace Provenance.Actors.Storage;

/// <summary>An in-memory <see cref="IReminderTable"/> (tests, single process). Share one instance between runtimes to simulate nodes or restarts.</summary>
public sealed class MemoryReminderTable : IReminderTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string GrainType, string GrainKey, string Name), ReminderEntry> _entries = [];

    /// <inheritdoc/>
    public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            _entries[(entry.GrainType, entry.GrainKey, entry.Name)] = entry;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _entries.Remove((grainType, grainKey, name));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReminderEntry>> ReadAsync(string grainType, string grainKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ReminderEntry> entries = _entries.Values.Where(e => e.GrainType == grainType && e.GrainKey == grainKey).ToList();
            return Task.FromResult(entries);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Missed ticks collapse into one: the next due time becomes due + period, or now + period when that is already past.</remarks>
    public Task<IReadOnlyList<ReminderEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var due = _entries.Values.Where(e => e.NextDue <= now).OrderBy(e => e.NextDue).Take(max).ToList();
            foreach (var entry in due)
            {
                var next = entry.NextDue + entry.Period;
                _entries[(entry.GrainType, entry.GrainKey, entry.Name)] = entry with { NextDue = next > now ? next : now + entry.Period };
            }

            return Task.FromResult<IReadOnlyList<ReminderEntry>>(due);
        }
    }
}
