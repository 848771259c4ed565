using System.Globalization;
using Provenance.Actors.Runtime;

namespace Provenance.Actors;

/// <summary>
/// Base class of grains. The runtime creates grains (with the DI container, so constructors get
/// services and <see cref="IPersistentState{TState}"/> parameters) and calls them one turn at a time:
/// a turn runs from the start of a call until its task completes, and no other turn of the same
/// activation starts meanwhile unless the class is <see cref="ReentrantAttribute">[Reentrant]</see>
/// or the method is <see cref="AlwaysInterleaveAttribute">[AlwaysInterleave]</see> /
/// <see cref="ReadOnlyAttribute">[ReadOnly]</see>.
/// </summary>
/// <remarks>
/// A grain must be created by the runtime; its members throw <see cref="InvalidOperationException"/> otherwise.
/// Arguments and results are passed by reference: treat them as immutable.
/// </remarks>
public abstract class Grain
{
    [ThreadStatic]
    private static ActivationData? t_constructing;

    private readonly ActivationData? _activation;

    /// <summary>Binds the grain to the activation the runtime is creating on this thread.</summary>
    protected Grain() => _activation = t_constructing;

    private ActivationData Activation => _activation
        ?? throw new InvalidOperationException($"{GetType().Name} was not created by the grain runtime.");

    /// <summary>Creates references to other grains.</summary>
    protected IGrainFactory GrainFactory => Activation.Runtime;

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => Activation.GrainId;

    /// <summary>The primary key of a string-keyed grain (any grain: the key's string form).</summary>
    public string GetPrimaryKeyString() => GrainId.Key;

    /// <summary>The primary key of a Guid-keyed grain.</summary>
    /// <exception cref="FormatException">The grain is not Guid-keyed.</exception>
    public Guid GetPrimaryKey() => Guid.Parse(GrainId.Key, CultureInfo.InvariantCulture);

    /// <summary>The primary key of an integer-keyed grain.</summary>
    /// <exception cref="FormatException">The grain is not integer-keyed.</exception>
    public long GetPrimaryKeyLong() => long.Parse(GrainId.Key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>Called once, as the first turn, after persistent states were read. A throw fails the triggering call(s) and discards the activation.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called once, as the last turn, when the activation is deactivated (idle, requested, stale, shutdown). A throw is logged.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current turn is over; later calls get a fresh activation.</summary>
    protected void DeactivateOnIdle() =>
        Activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle"));

    /// <summary>
    /// Starts a timer whose ticks run as turns of this activation (never interleaved with other turns
    /// unless the grain is reentrant). The next tick is scheduled <paramref name="period"/> after the
    /// previous tick completed. Ticks do not keep the activation alive, and the timer stops on deactivation.
    /// A throwing callback is logged and the timer keeps ticking.
    /// </summary>
    /// <remarks>Requires <paramref name="dueTime"/> ≥ 0 and <paramref name="period"/> &gt; 0 or <see cref="Timeout.InfiniteTimeSpan"/> (one shot).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A time span is out of range.</exception>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Activation.RegisterTimer(callback, dueTime, period);
    }

    /// <summary>
    /// Creates or replaces the durable reminder <paramref name="reminderName"/>: the grain (which must implement
    /// <see cref="IRemindable"/>) receives it after <paramref name="dueTime"/> and then every <paramref name="period"/>,
    /// on whichever node claims it, surviving restarts, until unregistered.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dueTime"/> is negative or <paramref name="period"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">No <c>IReminderTable</c> is registered, or the grain does not implement <see cref="IRemindable"/>.</exception>
    protected Task<IGrainReminder> RegisterOrUpdateReminderAsync(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Activation.Runtime.RegisterReminderAsync(this, reminderName, dueTime, period);

    /// <summary>Deletes the reminder <paramref name="reminderName"/>; no error when it does not exist.</summary>
    /// <exception cref="InvalidOperationException">No <c>IReminderTable</c> is registered.</exception>
    protected Task UnregisterReminderAsync(string reminderName) =>
        Activation.Runtime.UnregisterReminderAsync(GrainId, reminderName);

    internal static T Construct<T>(ActivationData activation, Func<T> create)
    {
        var previous = t_constructing;
        t_constructing = activation;
        try
        {
            return create();
        }
        finally
        {
            t_constructing = previous;
        }
    }
}
