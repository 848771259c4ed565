using Orleans;
using Orleans.Concurrency;
using Provenance.Core.Storage;

namespace Provenance.Grains.Log;

/// <summary>
/// The log sequencer (one key, <see cref="LogGrainKeys.Sequencer"/>): gives pending log entries contiguous indexes and
/// extends the stored Merkle tree (architecture.md, flow 2). One activation in the cluster sequences continuously on a
/// grain timer; other grains (the anchor) wait on it for a sequencing barrier.
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

    /// <summary>
    /// Starts continuous sequencing: a durable keep-alive reminder brings the sequencer back after a silo failure, and
    /// while active a grain timer runs passes back to back while entries are pending, else every <c>SequencerInterval</c>.
    /// Idempotent; every silo calls it at start-up.
    /// </summary>
    Task StartAsync();

    /// <summary>The current head: sequenced size, its RFC 9162 root, and how many entries are still pending.</summary>
    [AlwaysInterleave]
    Task<LogHead> GetHeadAsync();
}
