using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Storage;

namespace Provenance.Grains.Log;

/// <summary>
/// The log sequencer (one key, <see cref="LogGrainKeys.Sequencer"/>): gives pending log entries contiguous indexes and
/// extends the stored Merkle tree (architecture.md, flow 2). Every node also runs a background loop that sequences
/// continuously; this grain is how other grains (the anchor) wait for a sequencing barrier. Exactly one node
/// sequences at a time (the store's advisory lock), so two activations on two nodes are harmless.
/// </summary>
public interface ILogSequencerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sequences until every entry acknowledged before this call has an index (a barrier), then returns the head.
    /// Waits while another node holds the sequencer lock.
    /// </summary>
    /// <exception cref="OperationCanceledException">The runtime is stopping.</exception>
    [AlwaysInterleave]
    Task<LogHead> SequencePendingAsync();

    /// <summary>The current head: sequenced size, its RFC 9162 root, and how many entries are still pending.</summary>
    [AlwaysInterleave]
    Task<LogHead> GetHeadAsync();
}
