using System.Text.Json;

namespace Provenance.Actors;

/// <summary>Options of the grain runtime.</summary>
public sealed class GrainRuntimeOptions
{
    /// <summary>
    /// How long a caller waits for a grain call before it fails with <see cref="TimeoutException"/>
    /// (default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> disables it). This is also what ends a call
    /// cycle (grain A calls B, B calls A while A's turn waits): as in Orleans, such a cycle deadlocks
    /// the non-reentrant grains involved until the timeout; the turns themselves are not aborted.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on <c>OnDeactivateAsync</c> (its cancellation token fires after it), and on how long stopping the runtime waits for busy activations. Default 30 s.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the reminder service polls <c>IReminderTable.ClaimDueAsync</c> (default 1 s).</summary>
    public TimeSpan ReminderPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most reminders claimed per poll (default 100).</summary>
    public int ReminderBatchSize { get; set; } = 100;

    /// <summary>Serialiser options for persistent state (default: <see cref="JsonSerializerDefaults.Web"/>).</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}

/// <summary>Idle-activation collection options.</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>An activation without calls for this long is deactivated (default 15 min).</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the collector looks for idle activations (default 1 min).</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Options of durable stream consumers (<c>IStreamProvider</c>).</summary>
public sealed class StreamOptions
{
    /// <summary>Most events read per batch; the checkpoint is saved after each batch (default 100).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Longest wait for new events before polling again (default 5 s).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Pause after a failing handler before the batch is retried from the checkpoint (default 1 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
