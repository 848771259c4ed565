namespace Provenance.Actors;

/// <summary>Implemented by grains that register reminders (<see cref="Grain.RegisterOrUpdateReminderAsync"/>).</summary>
public interface IRemindable : IGrain
{
    /// <summary>Called as a normal turn when reminder <paramref name="reminderName"/> is due. A throw is logged; the reminder keeps ticking.</summary>
    Task ReceiveReminderAsync(string reminderName, TickStatus status);
}

/// <summary>What tick of a reminder is being delivered.</summary>
/// <param name="CurrentTickTime">The due time that was claimed.</param>
/// <param name="Period">The reminder's period.</param>
public readonly record struct TickStatus(DateTimeOffset CurrentTickTime, TimeSpan Period);

/// <summary>A registered reminder.</summary>
public interface IGrainReminder
{
    /// <summary>The reminder's name, unique per grain.</summary>
    string ReminderName { get; }
}

/// <summary>A grain timer (see <see cref="Grain.RegisterGrainTimer"/>); disposing it stops further ticks.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes the due time and period of the next ticks.</summary>
    /// <remarks>Requires <paramref name="dueTime"/> ≥ 0 and <paramref name="period"/> &gt; 0 or <see cref="Timeout.InfiniteTimeSpan"/>.</remarks>
    void Change(TimeSpan dueTime, TimeSpan period);
}

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReasonCode
{
    /// <summary>No reason given.</summary>
    None,
    /// <summary>The grain called <see cref="Grain.DeactivateOnIdle"/>.</summary>
    ApplicationRequested,
    /// <summary>Idle longer than <see cref="GrainCollectionOptions.CollectionAge"/>.</summary>
    ActivationIdle,
    /// <summary>Another node changed one of its states (state-change feed).</summary>
    StateChangedElsewhere,
    /// <summary>The runtime is stopping.</summary>
    ShuttingDown,
}

/// <summary>Why an activation is being deactivated, with a human-readable description.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode ReasonCode, string Description)
{
    /// <inheritdoc/>
    public override string ToString() => $"{ReasonCode}: {Description}";
}
