using Provenance.Timestamping;

namespace Provenance.Grains.Epochs;

/// <summary>Options of epochs and the anchor (<see cref="Hosting.EpochsServiceCollectionExtensions.AddProvenanceEpochs"/>).</summary>
public sealed class ProvenanceEpochsOptions
{
    /// <summary>Seal at least this often when entries arrived since the latest epoch; <see langword="null"/> disables the clock. Default 5 min.</summary>
    public TimeSpan? Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Seal as soon as this many entries are not yet in an epoch; <see langword="null"/> disables it. Default 1000.</summary>
    public long? PendingThreshold { get; set; } = 1000;

    /// <summary>Whether the anchor applies its schedule on a timer (<see cref="IAnchorGrain.ApplyScheduleAsync"/>; default true).</summary>
    public bool RunScheduler { get; set; } = true;

    /// <summary>How often the anchor's schedule timer checks whether an epoch is due (default 1 s).</summary>
    public TimeSpan SchedulePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The TSAs every epoch is stamped by (one token each). Used by the default <see cref="ITimestampAuthorities"/>;
    /// a host that registers its own ignores this list.
    /// </summary>
    public IList<TsaOptions> Authorities { get; set; } = [];

    /// <summary>Delay before the first retry of a failed timestamp; attempt n waits base·2^(n-1) (default 5 s).</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two attempts (default 1 h). Retries never stop.</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromHours(1);
}
