namespace Provenance.Grains.Log;

/// <summary>Options of the log (<see cref="Hosting.EpochsServiceCollectionExtensions.AddProvenanceLog"/>).</summary>
public sealed class ProvenanceLogOptions
{
    /// <summary>The log id; the checkpoint origin is <c>provenance.dev/log/&lt;LogId&gt;</c>. No whitespace. Default <c>main</c>.</summary>
    public string LogId { get; set; } = "main";

    /// <summary>Whether the sequencer grain sequences continuously (default true; off only in tests that drive passes by hand).</summary>
    public bool RunSequencer { get; set; } = true;

    /// <summary>
    /// Period of the sequencer's and the anchor's keep-alive reminders (default 10 s): the longest a silo failure can leave
    /// the log unsequenced or the schedule unapplied before a surviving silo re-activates them. At least Orleans'
    /// <c>ReminderOptions.MinimumReminderPeriod</c>, which the silo configuration lowers to 1 s.
    /// </summary>
    public TimeSpan KeepAlivePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause of the sequencing timer when nothing was pending (default 50 ms).</summary>
    public TimeSpan SequencerInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most entries sequenced in one transaction (default 5000).</summary>
    public int SequencerBatchSize { get; set; } = 5000;

    /// <summary>Most secondary-index rows numbered in one transaction of a sequencer pass (default 10000).</summary>
    public int IndexBatchSize { get; set; } = 10_000;

    /// <summary>
    /// Most entries sequenced in one transaction by a barrier (<see cref="ILogSequencerGrain.SequencePendingAsync"/>, before
    /// an epoch is sealed), default 100000: when much is pending, fewer larger passes finish sooner (measured: 100k pending
    /// in 1.4 s with one pass, 3.2 s in passes of 5000).
    /// </summary>
    public int BarrierBatchSize { get; set; } = 100_000;

    /// <summary>Pause after a failed sequencing pass (database down) before trying again (default 1 s).</summary>
    public TimeSpan SequencerErrorDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Generate and store an active log key at start-up when the log key store has none (default true).</summary>
    public bool CreateLogKeyIfNone { get; set; } = true;
}
