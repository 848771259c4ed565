using Microsoft.Extensions.Options;
using Provenance.Core.Storage;

namespace Provenance.Grains.Log;

/// <summary>
/// Sequencing passes over <see cref="ILogStore.SequenceAsync"/>, shared by the background loop and the sequencer grain.
/// Exclusion and crash safety are the store's (one transaction under an advisory lock per pass).
/// </summary>
internal sealed class LogSequencer(ILogStore store, IOptions<ProvenanceLogOptions> options, TimeProvider time)
{
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(1);

    public ILogStore Store { get; } = store;

    public int BatchSize { get; } = options.Value.SequencerBatchSize;

    public int BarrierBatchSize { get; } = Math.Max(options.Value.SequencerBatchSize, options.Value.BarrierBatchSize);

    /// <summary>
    /// Runs passes until one of this node's own passes took less than a full batch. Such a pass started after the call,
    /// and under READ COMMITTED it saw every entry committed before it, so every entry acknowledged before the call
    /// now has an index. A pass refused because another node holds the lock does not count (that pass may have started
    /// before the call).
    /// </summary>
    public async Task<LogHead> SequencePendingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Store.SequenceAsync(BarrierBatchSize, cancellationToken);
            if (result is null)
            {
                await Task.Delay(LockRetryDelay, time, cancellationToken);
                continue;
            }

            if (result.Count < BarrierBatchSize)
            {
                return result.Head;
            }
        }
    }
}
