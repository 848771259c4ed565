namespace Provenance.Grains.Log;

/// <summary>Options of the log (<see cref="Hosting.EpochsServiceCollectionExtensions.AddProvenanceLog"/>).</summary>
public sealed class ProvenanceLogOptions
{
    /// <summary>The log id; the checkpoint origin is <c>provenance.dev/log/&lt;LogId&gt;</c>. No whitespace. Default <c>main</c>.</summary>
    public string LogId { get; set; } = "main";

    /// <summary>Whether this node runs the background sequencing loop (default true; every node may, one sequences at a time).</summary>
    public bool RunSequencer { get; set; } = true;

    /// <summary>Pause of the sequencing loop when nothing was pending, or when another node holds the lock (default 50 ms).</summary>
    public TimeSpan SequencerInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most entries sequenced in one transaction (default 5000).</summary>
    public int SequencerBatchSize { get; set; } = 5000;

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
