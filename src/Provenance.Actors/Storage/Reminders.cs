namespace Provenance.Actors.Storage;

/// <summary>A durable reminder: the runtime calls the grain's <c>ReceiveReminderAsync</c> at
/// <see cref="NextDue"/> and then every <see cref="Period"/>, surviving restarts.</summary>
public sealed record ReminderEntry(string GrainType, string GrainKey, string Name, DateTimeOffset NextDue, TimeSpan Period);

/// <summary>Durable reminder storage shared by all nodes.</summary>
public interface IReminderTable
{
    /// <summary>Creates or replaces a reminder.</summary>
    Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken);

    /// <summary>Deletes a reminder; no error when absent.</summary>
    Task DeleteAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken);

    /// <summary>The reminders of one grain.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadAsync(string grainType, string grainKey, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically claims up to <paramref name="max"/> reminders due at <paramref name="now"/> and moves
    /// each one's next due time forward by its period (never earlier than <paramref name="now"/>), so
    /// that two nodes polling together never both fire the same tick.
    /// </summary>
    Task<IReadOnlyList<ReminderEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}
